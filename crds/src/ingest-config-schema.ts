import Type, { type Static } from 'typebox';
import { ENV_NAME_PATTERN } from './names.js';

const envName = Type.String({ pattern: ENV_NAME_PATTERN });
const fromEnv = Type.Array(
  Type.Object({ name: Type.String({ minLength: 1 }), env: envName }, { additionalProperties: false }),
);
const stringMap = Type.Record(Type.String(), Type.String());
const positiveMs = Type.Optional(Type.Number({ exclusiveMinimum: 0 }));

/**
 * What the operator hands an ingest pod (and what `tributary ingest --config` reads). Secret values
 * never appear in it: `*FromEnv` and `publishKeyEnv` name env vars the pod spec fills from Secrets.
 */
export const IngestConfigSchema = Type.Object(
  {
    stream: Type.Object(
      {
        namespace: Type.String(),
        name: Type.String(),
        uid: Type.String(),
        generation: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    inputs: Type.Array(
      Type.Object(
        {
          url: Type.String({ minLength: 1 }),
          priority: Type.Integer({ minimum: 0 }),
          headers: Type.Optional(stringMap),
          headersFromEnv: Type.Optional(fromEnv),
          params: Type.Optional(stringMap),
          paramsFromEnv: Type.Optional(fromEnv),
          program: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
          pids: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 8191 }))),
          timeoutSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
          insecureTLS: Type.Optional(Type.Boolean()),
          sendHeadersToAllHosts: Type.Optional(Type.Boolean()),
          publishKeyEnv: Type.Optional(envName),
          /** copy:// only: the upstream's ladder rung to read (the operator chooses it). */
          copyRung: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 32 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 8 },
    ),
    failover: Type.Optional(
      Type.Object(
        {
          packetTimeoutMs: positiveMs,
          probeAfterMs: positiveMs,
          probeTimeoutMs: positiveMs,
          failbackHoldDownMs: positiveMs,
        },
        { additionalProperties: false },
      ),
    ),
    subjectPrefix: Type.Optional(Type.String()),
    /**
     * The push-listener's sealing key (EC P-256 public key, SPKI DER in base64): a pod with a push
     * input seals its SRT passphrase to it in the route it registers, so no secret crosses NATS in
     * clear. Absent: SRT publishing to this stream is refused (RTMP works; its key is only hashed).
     */
    pushListenerKey: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export type ParsedIngestConfig = Static<typeof IngestConfigSchema>;
