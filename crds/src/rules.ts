import { DURATION_PATTERN } from './duration.js';
import { FAILOVER_LIMITS, type FailoverField, failoverRangeMessage } from './failover-limits.js';
import { DNS1035_LABEL_PATTERN, MAX_NAME_LENGTH } from './names.js';
import { HEADER_NAME_PATTERN, URL_PATTERNS } from './patterns.js';

/**
 * The validation rules of the API, written once. The CRD generator turns each `cel` placement into
 * an `x-kubernetes-validations` entry; `validateStream` reports the same ids and messages, adding
 * the input index and details that CEL cannot compute. Rules without `cel` need more than one
 * object or more parsing than CEL does, so the operator reports them (condition InputsValid).
 */

/** Where a CEL rule is attached in the generated schema. */
export type RuleScope =
  | 'stream' // Stream root (sees metadata.name and spec)
  | 'streamSpec'
  | 'input' // one item of spec.inputs
  | 'headers' // spec.inputs[].headers map
  | 'headerFrom' // one item of spec.inputs[].headersFrom
  | 'pids'
  | 'duration' // each duration string under spec.failover
  | 'failover' // spec.failover
  | 'vodMount' // VodMount root
  | 'vodMountSpec';

/** FieldValueDuplicate is left out on purpose: the API server drops the message for it. */
export type CelReason = 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired';

export interface CelPlacement {
  scope: RuleScope;
  rule: string;
  fieldPath?: string;
  reason?: CelReason;
}

export interface Rule {
  /** What a user must do, in one sentence without a trailing period. */
  message: string;
  /** Field the rule is about, for the reference; when omitted, where its CEL placements are. */
  field?: string;
  cel?: readonly CelPlacement[];
}

/** A CEL raw string literal, so regular expressions need no second layer of escaping. */
function raw(pattern: string): string {
  const quote = pattern.includes("'") ? '"' : "'";
  if (pattern.includes(quote)) throw new Error(`pattern has both quote characters: ${pattern}`);
  return `r${quote}${pattern}${quote}`;
}

/** A failover duration between its floor and ceiling; a malformed one is duration-format's to report. */
function failoverRange(field: FailoverField): Rule {
  const { min, max } = FAILOVER_LIMITS[field];
  const value = `self.${field}`;
  return {
    message: failoverRangeMessage(field),
    cel: [
      {
        scope: 'failover',
        rule: `!has(${value}) || !${value}.matches(${raw(DURATION_PATTERN)}) || (duration(${value}) >= duration('${min}') && duration(${value}) <= duration('${max}'))`,
        fieldPath: `.${field}`,
      },
    ],
  };
}

const NAME_CEL = `self.metadata.name.size() <= ${MAX_NAME_LENGTH} && self.metadata.name.matches(${raw(DNS1035_LABEL_PATTERN)})`;
const PUSH_WORDS =
  'push inputs (publish://, or rtmp://, rtmps:// or srt:// with a wildcard host such as 0.0.0.0)';

export const RULES = {
  'name-dns1035': {
    message:
      "the name must be a DNS-1035 label of at most 52 characters: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit",
    cel: [
      { scope: 'stream', rule: NAME_CEL },
      { scope: 'vodMount', rule: NAME_CEL },
    ],
  },
  'inputs-count': {
    message: 'a Stream needs between 1 and 8 inputs',
    cel: [
      {
        scope: 'streamSpec',
        rule: 'self.inputs.size() >= 1 && self.inputs.size() <= 8',
        fieldPath: '.inputs',
      },
    ],
  },
  'url-unique': {
    message: 'input URLs must be unique',
    cel: [
      {
        scope: 'streamSpec',
        rule: 'self.inputs.all(a, self.inputs.exists_one(b, b.url == a.url))',
        fieldPath: '.inputs',
      },
    ],
  },
  'priority-index': {
    message:
      "priority, when given, must equal the input's index in spec.inputs (0 for the first); omit it to use the list order",
    cel: [
      {
        scope: 'streamSpec',
        rule: 'self.inputs.all(i, !has(i.priority) || (i.priority >= 0 && i.priority < self.inputs.size() && self.inputs[i.priority].url == i.url))',
        fieldPath: '.inputs',
      },
    ],
  },
  'url-required': {
    field: 'stream.spec.inputs[].url',
    message: 'url is required',
  },
  'url-syntax': {
    field: 'stream.spec.inputs[].url',
    message: 'url must be an absolute URL (<scheme>://...) without spaces or control characters',
  },
  'url-scheme': {
    message:
      'url must start with a supported scheme: udp://, http://, https://, file://, srt://, rtmp://, rtmps://, rtsp://, rtsps://, copy:// or publish://',
    cel: [
      {
        scope: 'input',
        rule: `self.url.matches(${raw(URL_PATTERNS.scheme)})`,
        fieldPath: '.url',
      },
    ],
  },
  'mixer-unsupported': {
    message:
      'mixer:// inputs are not supported by Tributary: ingest the video and audio sources as separate Streams',
    cel: [{ scope: 'input', rule: "!self.url.lowerAscii().startsWith('mixer:')", fieldPath: '.url' }],
  },
  'http-shape': {
    message:
      'an http(s) url must point at an HLS playlist (path ending in .m3u8 or .m3u) or an MPEG-TS stream (path ending in .ts or /mpegts); the query is not part of the path',
    cel: [
      {
        scope: 'input',
        rule: `!self.url.matches(${raw('^(?i:https?):')}) || self.url.matches(${raw(URL_PATTERNS.httpShape)})`,
        fieldPath: '.url',
      },
    ],
  },
  'file-shape': {
    message:
      'a file url must be written file://<mount>/<relative/path>, where <mount> is the name of a VodMount in the same namespace; bare paths and file:///absolute/paths are not accepted',
    cel: [
      {
        scope: 'input',
        rule: `!(self.url.startsWith('/') || self.url.lowerAscii().startsWith('file:')) || self.url.matches(${raw(URL_PATTERNS.fileShape)})`,
        fieldPath: '.url',
      },
    ],
  },
  'file-escape': {
    field: 'stream.spec.inputs[].url',
    message: "a file path may not use '..' to leave its mount",
  },
  'copy-shape': {
    message:
      'a copy url must be written copy://<stream>, naming a Stream in the same namespace, with no user, port, path, query or fragment',
    cel: [
      {
        scope: 'input',
        rule: `!self.url.lowerAscii().startsWith('copy:') || self.url.matches(${raw(URL_PATTERNS.copyShape)})`,
        fieldPath: '.url',
      },
    ],
  },
  'copy-self': {
    message: 'a Stream cannot copy itself',
    cel: [
      {
        scope: 'stream',
        rule: "!self.spec.inputs.exists(i, i.url.lowerAscii().startsWith('copy://') && i.url.substring(7) in [self.metadata.name, self.metadata.name + '/'])",
      },
    ],
  },
  'publish-shape': {
    message:
      'write publish:// with nothing after it: an encoder publishes to this Stream as <namespace>/<name>',
    cel: [
      {
        scope: 'input',
        rule: `!self.url.lowerAscii().startsWith('publish:') || self.url.matches(${raw(URL_PATTERNS.publishShape)})`,
        fieldPath: '.url',
      },
    ],
  },
  'udp-shape': {
    field: 'stream.spec.inputs[].url',
    message:
      'a udp url must be written udp://<host>:<port> with no path, optionally with ?source=<IPv4 source> (multicast groups only) and ?iface=<interface>',
  },
  'srt-shape': {
    field: 'stream.spec.inputs[].url',
    message:
      'an srt url must be written srt://<host>:<port>?<options> and call out to a listener (mode=caller); to receive a pushed SRT stream use publish://',
  },
  'rtmp-shape': {
    field: 'stream.spec.inputs[].url',
    message: 'an rtmp pull url must be written rtmp://<host>[:<port>]/<app>/<key> (or rtmps://)',
  },
  'rtsp-shape': {
    field: 'stream.spec.inputs[].url',
    message:
      'an rtsp url must be written rtsp://<host>[:<port>]/<path> (or rtsps://), optionally with ?transport=tcp, udp or auto',
  },
  'headers-http-only': {
    message: 'headers and headersFrom are only allowed on http(s) inputs (HLS or MPEG-TS over HTTP)',
    cel: [
      {
        scope: 'input',
        rule: `!(has(self.headers) || has(self.headersFrom)) || self.url.matches(${raw(URL_PATTERNS.http)})`,
        reason: 'FieldValueForbidden',
      },
    ],
  },
  'header-name': {
    message: "header names must be HTTP tokens: letters, digits and !#$%&'*+-.^_`|~",
    cel: [
      { scope: 'headers', rule: `self.all(k, k.matches(${raw(HEADER_NAME_PATTERN)}))` },
      { scope: 'headerFrom', rule: `self.name.matches(${raw(HEADER_NAME_PATTERN)})`, fieldPath: '.name' },
    ],
  },
  'ts-only': {
    message: 'program and pids are only allowed on MPEG-TS inputs (udp, hls, http-ts, file, srt)',
    cel: [
      {
        scope: 'input',
        rule: `!(has(self.program) || has(self.pids)) || self.url.matches(${raw(URL_PATTERNS.mpegTs)})`,
        reason: 'FieldValueForbidden',
      },
    ],
  },
  'pids-range': {
    message: 'pids must be between 0 and 8191',
    cel: [{ scope: 'pids', rule: 'self.all(p, p >= 0 && p <= 8191)' }],
  },
  'pids-unique': {
    field: 'stream.spec.inputs[].pids',
    message: 'pids may not repeat a PID',
  },
  'publish-key-required': {
    message: `${PUSH_WORDS} need publishKeySecretRef, the Secret key an encoder must present`,
    cel: [
      {
        scope: 'input',
        rule: `!self.url.matches(${raw(URL_PATTERNS.push)}) || has(self.publishKeySecretRef)`,
        fieldPath: '.publishKeySecretRef',
        reason: 'FieldValueRequired',
      },
    ],
  },
  'publish-key-push-only': {
    message: `publishKeySecretRef is only allowed on ${PUSH_WORDS}`,
    cel: [
      {
        scope: 'input',
        rule: `!has(self.publishKeySecretRef) || self.url.matches(${raw(URL_PATTERNS.push)})`,
        fieldPath: '.publishKeySecretRef',
        reason: 'FieldValueForbidden',
      },
    ],
  },
  'duration-format': {
    message: 'must be a positive duration such as 500ms, 1s, 1.5s or 1m30s',
    cel: [
      {
        scope: 'duration',
        rule: `self.matches(${raw(DURATION_PATTERN)}) && duration(self) > duration('0s')`,
      },
    ],
  },
  'packet-timeout-range': failoverRange('packetTimeout'),
  'probe-timeout-range': failoverRange('probeTimeout'),
  'probe-after-range': failoverRange('probeAfter'),
  'failback-hold-down-range': failoverRange('failbackHoldDown'),
  'vodmount-one-source': {
    message: 'a VodMount needs exactly one of persistentVolumeClaim, nfs, configMap or hostPath',
    cel: [
      {
        scope: 'vodMountSpec',
        rule: '(has(self.persistentVolumeClaim) ? 1 : 0) + (has(self.nfs) ? 1 : 0) + (has(self.configMap) ? 1 : 0) + (has(self.hostPath) ? 1 : 0) == 1',
      },
    ],
  },
} as const satisfies Record<string, Rule>;

export type RuleId = keyof typeof RULES;

/** The `x-kubernetes-validations` entries for one place in the schema. */
export function celValidations(
  scope: RuleScope,
): { rule: string; message: string; fieldPath?: string; reason?: CelReason }[] {
  const out: { rule: string; message: string; fieldPath?: string; reason?: CelReason }[] = [];
  for (const rule of Object.values(RULES) as Rule[]) {
    for (const placement of rule.cel ?? []) {
      if (placement.scope !== scope) continue;
      out.push({
        rule: placement.rule,
        message: rule.message,
        ...(placement.fieldPath ? { fieldPath: placement.fieldPath } : {}),
        ...(placement.reason ? { reason: placement.reason } : {}),
      });
    }
  }
  return out;
}
