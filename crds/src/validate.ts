import { parseDuration } from './duration.js';
import { FAILOVER_LIMITS } from './failover-limits.js';
import { isResourceName } from './names.js';
import { HEADER_NAME_PATTERN, URL_PATTERNS } from './patterns.js';
import { RULES, type RuleId } from './rules.js';
import type { StreamInput, StreamSpec } from './schema/stream-spec.js';
import type { VodMountSpec } from './schema/vodmount.js';
import { classify } from './url/classify.js';

/** One thing wrong with a resource, phrased so its owner can fix it. */
export interface Problem {
  /** Path of the offending field, e.g. `spec.inputs[1].url`. */
  field: string;
  /** Stable rule id (see RULES); the CRD's CEL rule with the same id has the same message. */
  rule: RuleId;
  message: string;
}

export interface ResourceMeta {
  name?: string;
  namespace?: string;
}

const HEADER_NAME = new RegExp(HEADER_NAME_PATTERN);
const isPush = new RegExp(URL_PATTERNS.push);
const isHttp = new RegExp(URL_PATTERNS.http);
const isMpegTs = new RegExp(URL_PATTERNS.mpegTs);
const FAILOVER_FIELDS = ['packetTimeout', 'probeAfter', 'probeTimeout', 'failbackHoldDown'] as const;
const RANGE_RULES = {
  packetTimeout: 'packet-timeout-range',
  probeAfter: 'probe-after-range',
  probeTimeout: 'probe-timeout-range',
  failbackHoldDown: 'failback-hold-down-range',
} as const satisfies Record<(typeof FAILOVER_FIELDS)[number], RuleId>;

function problem(field: string, rule: RuleId, subject: string, detail?: string): Problem {
  const message = RULES[rule].message;
  return { field, rule, message: `${subject}: ${detail ? `${detail}: ` : ''}${message}` };
}

/**
 * Every problem of a Stream that one object shows: what the CRD's CEL rules check, plus the full
 * URL grammar. Cross-object rules (copy:// upstream, VodMount and Secret existence) are the
 * operator's. Never throws, also not for objects that do not match the schema.
 */
export function validateStream(spec: StreamSpec, meta: ResourceMeta = {}): Problem[] {
  const problems: Problem[] = [];
  if (meta.name !== undefined && !isResourceName(meta.name)) {
    problems.push(problem('metadata.name', 'name-dns1035', `the name "${meta.name}"`));
  }
  const inputs: StreamInput[] = (Array.isArray(spec?.inputs) ? spec.inputs : []).map((input) =>
    typeof input === 'object' && input !== null ? input : ({} as StreamInput),
  );
  if (inputs.length < 1 || inputs.length > 8) {
    problems.push(problem('spec.inputs', 'inputs-count', 'spec.inputs', `there are ${inputs.length}`));
  }
  const firstIndexOfUrl = new Map<string, number>();
  inputs.forEach((input, index) => {
    problems.push(...validateInput(input, index, meta.name));
    const url = typeof input?.url === 'string' ? input.url : '';
    const first = firstIndexOfUrl.get(url);
    if (first === undefined) firstIndexOfUrl.set(url, index);
    else if (url !== '') {
      problems.push(
        problem(
          `spec.inputs[${index}].url`,
          'url-unique',
          `input ${index}`,
          `its url repeats input ${first}'s`,
        ),
      );
    }
  });
  const failover = spec?.failover ?? {};
  for (const name of FAILOVER_FIELDS) {
    const value = failover[name];
    if (value === undefined) continue;
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined || ms <= 0) {
      problems.push(
        problem(`spec.failover.${name}`, 'duration-format', `failover.${name} is ${JSON.stringify(value)}`),
      );
    } else if (ms < FAILOVER_LIMITS[name].minMs || ms > FAILOVER_LIMITS[name].maxMs) {
      problems.push(problem(`spec.failover.${name}`, RANGE_RULES[name], `failover.${name} is ${value}`));
    }
  }
  return problems;
}

const listOf = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

function validateInput(input: StreamInput, index: number, streamName: string | undefined): Problem[] {
  const problems: Problem[] = [];
  const at = (field: string) => `spec.inputs[${index}]${field ? `.${field}` : ''}`;
  const subject = `input ${index}`;
  const url = typeof input?.url === 'string' ? input.url : '';

  const classified = classify(url);
  if (!classified.ok) {
    problems.push({ field: at('url'), rule: classified.rule, message: `${subject}: ${classified.message}` });
  } else if (classified.kind === 'copy' && classified.upstream === streamName) {
    problems.push(problem(at('url'), 'copy-self', subject));
  }

  if (input.priority !== undefined && input.priority !== index) {
    problems.push(problem(at('priority'), 'priority-index', subject, `priority is ${input.priority}`));
  }
  if ((input.headers !== undefined || input.headersFrom !== undefined) && !isHttp.test(url)) {
    problems.push(
      problem(at(input.headers !== undefined ? 'headers' : 'headersFrom'), 'headers-http-only', subject),
    );
  }
  const headerNames = [
    ...Object.keys(isRecord(input.headers) ? input.headers : {}).map((name) => ({ name, field: 'headers' })),
    ...listOf(input.headersFrom).map((h, i) => ({ name: String(h?.name), field: `headersFrom[${i}].name` })),
  ];
  for (const { name, field } of headerNames) {
    if (!HEADER_NAME.test(name))
      problems.push(problem(at(field), 'header-name', subject, `"${name}" is not a header name`));
  }
  if ((input.program !== undefined || input.pids !== undefined) && !isMpegTs.test(url)) {
    problems.push(problem(at(input.program !== undefined ? 'program' : 'pids'), 'ts-only', subject));
  }
  const pids = listOf(input.pids);
  const badPid = pids.find((pid) => !Number.isInteger(pid) || pid < 0 || pid > 8191);
  if (badPid !== undefined) problems.push(problem(at('pids'), 'pids-range', subject, `PID ${badPid}`));
  const repeated = pids.find((pid, i) => pids.indexOf(pid) !== i);
  if (repeated !== undefined)
    problems.push(problem(at('pids'), 'pids-unique', subject, `PID ${repeated} is listed twice`));

  const push = isPush.test(url);
  if (push && input.publishKeySecretRef === undefined) {
    problems.push(problem(at('publishKeySecretRef'), 'publish-key-required', subject));
  }
  if (!push && input.publishKeySecretRef !== undefined) {
    problems.push(problem(at('publishKeySecretRef'), 'publish-key-push-only', subject));
  }
  return problems;
}

/** Problems of a VodMount that one object shows (the same as the CRD's CEL rules). */
export function validateVodMount(spec: VodMountSpec, meta: ResourceMeta = {}): Problem[] {
  const problems: Problem[] = [];
  if (meta.name !== undefined && !isResourceName(meta.name)) {
    problems.push(problem('metadata.name', 'name-dns1035', `the name "${meta.name}"`));
  }
  const sources = (['persistentVolumeClaim', 'nfs', 'configMap', 'hostPath'] as const).filter(
    (source) => spec?.[source] !== undefined,
  );
  if (sources.length !== 1) {
    const detail = sources.length === 0 ? 'none is set' : `${sources.join(', ')} are set`;
    problems.push(problem('spec', 'vodmount-one-source', 'spec', detail));
  }
  return problems;
}
