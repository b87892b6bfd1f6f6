// The authority's seeds live in one Secret in the operator's namespace. The operator creates it
// on first start; the chart's nats-server mounts its `auth.conf` (which holds only JWTs and public
// keys), so the server trusts every credential the operator mints from then on.
import type { Logger } from 'pino';
import type { KubeApi } from '../kube/api-client.js';
import { readOrCreateSecret, secretText } from '../kube/owned-secret.js';
import { generateSeeds, NatsAuthority } from './authority.js';

/** Keys of the authority Secret. */
export const AUTHORITY_KEYS = {
  operator: 'operator.nk',
  account: 'account.nk',
  system: 'system.nk',
  serverConfig: 'auth.conf',
  /** Issued and revoked user keys (credential-ledger.ts). */
  ledger: 'credentials.json',
} as const;

/**
 * The NATS authority from Secret `<namespace>/<name>`, created with fresh keys when absent. A
 * Secret with missing or malformed seeds is an error naming the key: replacing keys silently
 * would lock every pod out.
 */
export async function loadOrCreateAuthority(
  api: KubeApi,
  namespace: string,
  name: string,
  subjectPrefix: string,
  log: Logger,
): Promise<NatsAuthority> {
  const { secret, created } = await readOrCreateSecret(api, namespace, name, async () => {
    const seeds = generateSeeds();
    return {
      [AUTHORITY_KEYS.operator]: seeds.operator,
      [AUTHORITY_KEYS.account]: seeds.account,
      [AUTHORITY_KEYS.system]: seeds.system,
      [AUTHORITY_KEYS.serverConfig]: await new NatsAuthority(seeds, subjectPrefix).serverConfig(),
    };
  });
  try {
    const authority = new NatsAuthority(
      {
        operator: secretText(secret, AUTHORITY_KEYS.operator),
        account: secretText(secret, AUTHORITY_KEYS.account),
        system: secretText(secret, AUTHORITY_KEYS.system),
      },
      subjectPrefix,
    );
    if (created)
      log.info({ secret: `${namespace}/${name}`, account: authority.account }, 'created the NATS authority');
    return authority;
  } catch (error) {
    throw new Error(`NATS authority Secret ${namespace}/${name}: ${(error as Error).message}`);
  }
}
