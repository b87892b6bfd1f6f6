import { RULES, type Rule, type RuleScope } from '../rules.js';
import { API_VERSION } from '../schema/resources.js';
import {
  type JsonSchema,
  STREAM_DESCRIPTION,
  streamCrd,
  VOD_MOUNT_DESCRIPTION,
  vodMountCrd,
} from './build.js';

/** Where each CEL scope sits, in the reference's path notation. */
const SCOPE_PATHS: Record<RuleScope, string> = {
  stream: 'stream',
  streamSpec: 'stream.spec',
  input: 'stream.spec.inputs[]',
  headers: 'stream.spec.inputs[].headers',
  headerFrom: 'stream.spec.inputs[].headersFrom[]',
  pids: 'stream.spec.inputs[].pids',
  duration: 'stream.spec.failover.*',
  failover: 'stream.spec.failover',
  vodMount: 'vodmount',
  vodMountSpec: 'vodmount.spec',
};

const URL_GRAMMAR = [
  '- `udp://<host>:<port>`: udp, pull. Unicast or multicast; `?source=` for SSM, `?iface=` for the interface; RTP-wrapped TS is unwrapped.',
  '- `http(s)://…/<x>.m3u8` or `.m3u`: hls, pull. The path is checked case-insensitively, the query ignored.',
  '- `http(s)://…/<x>.ts` or `…/mpegts`: http-ts, pull.',
  '- `file://<mount>/<relative/path>[?loop=false]`: file, pull. Loops unless `loop` is false, 0, no or off.',
  '- `srt://<host>:<port>?streamid=…&latency=…`: srt, pull (caller).',
  '- `rtmp(s)://<host>/<app>/<key>`: rtmp, pull.',
  '- `rtsp(s)://[<user>:<password>@]<host>[:<port>]/<path>[?transport=tcp|udp|auto]`: rtsp, pull (IP cameras, encoders; credentials also as `paramsFrom` `user` and `password`; see docs/operations.md, "RTSP inputs").',
  '- `copy://<stream>`: copy, pull. The packets of another Stream in the same namespace.',
  '- `publish://`, and the legacy `rtmp://0.0.0.0/…` and `srt://0.0.0.0:…` (wildcard host): push.',
  '',
  'Loopback hosts (`127.0.0.1`, `localhost`) are pulled like any other host. Bare paths, `file:///absolute/paths`,',
  'other schemes, `mixer://` and http(s) URLs of neither shape are rejected with the rule that failed.',
].join('\n');

/** What the pulled protocols read from their URL (and `params`, which override the query). */
const PROTOCOL_OPTIONS = [
  '### SRT options (`srt://<host>:<port>?…`, caller)',
  '',
  'Query keys, overridden by `params` and `paramsFrom` of the same name (put the passphrase in a',
  'Secret with `paramsFrom`). Durations are in **milliseconds**, as in srt-live-transmit; ffmpeg writes',
  'its SRT latencies in microseconds, so divide a value copied from an ffmpeg command line by 1000.',
  '',
  '| key | meaning | default |',
  '|---|---|---|',
  '| `streamid` | the stream id sent to the listener (up to 512 bytes), e.g. `#!::r=live/cam1,m=request` | none |',
  '| `passphrase` | encryption passphrase, 10 to 79 characters | none (unencrypted) |',
  '| `pbkeylen` | AES key length in bytes: 16, 24 or 32; needs a passphrase | 16 |',
  '| `latency` | receive and peer latency, ms (0 to 60000) | 120 |',
  '| `rcvlatency`, `peerlatency` | each side on its own, ms | `latency` |',
  '| `conntimeo` | how long the handshake may take, ms; `timeoutSeconds` overrides it | 3000 |',
  '| `payload_size` (or `payloadsize`) | largest payload of one SRT packet, 188 to 1456 bytes | 1316 |',
  '| `transtype`, `mode` | only `live` and `caller` are accepted | live, caller |',
  '',
  'A bad value is refused with the key named. A listener that refuses the connection is reported by',
  'its reason: a wrong passphrase, a stream id it does not know or forbids, or a listener that is busy.',
  'A wrong passphrase and a refused stream id are permanent (the input fails over and is probed',
  'later, not hammered); a timeout, a busy peer or a broken link is retried with backoff. While',
  'connected, `status.inputs[].link` and the `tributary_ingest_link_*` metrics show round-trip time,',
  'bandwidth, received, lost, retransmitted and dropped packets, and the receive buffer.',
  '',
  '### RTMP options (`rtmp://` and `rtmps://`)',
  '',
  '`rtmp(s)://<host>[:<port>]/<app>/<key>`: the last path segment, with the query, is the stream key',
  'sent in `play`; everything between the host and the key is the app (`/live/instance/key` plays key',
  '`key` of app `live/instance`). The default port is 1935 for rtmp and 443 for rtmps; rtmps verifies',
  'the server certificate unless `insecureTLS` is set. `timeoutSeconds` bounds connect, handshake and',
  'play (default 10 s). The key and the query are shown as `***` in status, events, logs and errors.',
  'A stream the server does not have, or a connection it rejects, is a permanent error with the',
  "server's description; the server closing the stream is an end of session, reconnected with backoff.",
  '',
  '### copy:// inputs (`copy://<stream>`)',
  '',
  "The ingest pod subscribes to the upstream Stream's `<prefix>.<namespace>.<stream>.av` over its own",
  'NATS connection and republishes the access units as its own: its own sessions, sequence numbers',
  "and timeline (the upstream's session ids and sequence numbers are not passed on; a gap in them",
  "counts as dropped, a new upstream session is a discontinuity like any input's). Its status shows",
  "the upstream's tracks. The upstream stopping (deleted, suspended, its pod replaced: it says",
  '`stream.stopped` on its `.events`) ends the input at once, so the next input takes over and the',
  'copy is probed again later; an upstream that goes quiet fails over after `packetTimeout` (1 s).',
  "A copy of a copy works; the operator refuses cycles. The operator grants the Stream's NATS",
  'credential exactly the `.av` and `.events` subjects of the Streams its copy:// inputs name.',
  'Where the upstream declares a `ladder`, the rung to read is the one with the highest',
  'width × height × 1000 + bitrateKbps (the first listed among equals; a rung without a size counts',
  'as 0 × 0), on `<prefix>.<namespace>.<stream>.av.<rung>` (where the downstream transcoder publishes',
  "it); the operator grants that subject instead of the upstream's `.av`. Which Streams and rungs a",
  "copy reads is part of the pod's shape (its credential grants them), so changing it replaces the pod.",
].join('\n');

/** Text from the schema as Markdown prose: no accidental code spans, emphasis or HTML tags. */
function prose(text: string): string {
  return text.replace(/[\\`*<>]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`));
}

function typeOf(schema: JsonSchema): string {
  if (schema['x-kubernetes-int-or-string']) return 'quantity (integer or string)';
  if (schema.type === 'array') return `[]${typeOf(schema.items as JsonSchema)}`;
  if (schema.type === 'object' && schema.additionalProperties) {
    return `map[string]${typeOf(schema.additionalProperties as JsonSchema)}`;
  }
  if (schema.format === 'date-time') return 'timestamp';
  return String(schema.type);
}

function constraints(schema: JsonSchema): string[] {
  const out: string[] = [];
  const has = (key: string) => schema[key] !== undefined;
  if (Array.isArray(schema.enum)) out.push(`one of ${schema.enum.map((v) => `\`${v}\``).join(', ')}`);
  if (has('minimum') && has('maximum')) out.push(`${schema.minimum}..${schema.maximum}`);
  else if (has('minimum')) out.push(`≥ ${schema.minimum}`);
  else if (has('maximum')) out.push(`≤ ${schema.maximum}`);
  if (has('minLength') || has('maxLength')) {
    out.push(`${schema.minLength ?? 0}..${schema.maxLength ?? '∞'} characters`);
  }
  if (has('pattern') && !schema['x-kubernetes-int-or-string']) out.push(`pattern \`${schema.pattern}\``);
  if (has('minItems') || has('maxItems'))
    out.push(`${schema.minItems ?? 0}..${schema.maxItems ?? '∞'} items`);
  if (has('maxProperties')) out.push(`at most ${schema.maxProperties} entries`);
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') out.push('no duplicates');
  if (listType === 'map')
    out.push(`unique by ${(schema['x-kubernetes-list-map-keys'] as string[]).join(', ')}`);
  if (has('default')) out.push(`default \`${JSON.stringify(schema.default)}\``);
  return out;
}

function ruleMessages(schema: JsonSchema): string[] {
  const validations = (schema['x-kubernetes-validations'] ?? []) as { message: string }[];
  return validations.map((v) => `Rule: ${prose(v.message)}.`);
}

/** The rules of an object node, one list item each. */
function ruleLines(schema: JsonSchema): string[] {
  return ruleMessages(schema).map((rule) => `- ${rule}`);
}

/** The object nodes below `schema`, each as a section listing its fields. */
function sections(path: string, schema: JsonSchema, out: string[]): void {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const fields: string[] = [];
  const nested: [string, JsonSchema][] = [];
  for (const [name, field] of Object.entries(properties)) {
    const items = field.type === 'array' ? (field.items as JsonSchema) : undefined;
    const child = items?.properties ? items : field.properties ? field : undefined;
    const childPath = `${path}.${name}${items ? '[]' : ''}`;
    if (child) nested.push([childPath, child]);
    const type = child ? `[${typeOf(field)}](#${anchor(childPath)})` : typeOf(field);
    const facts = [type, required.has(name) ? 'required' : '', ...constraints(field)].filter((f) => f !== '');
    const notes = [
      prose(String(field.description ?? '')),
      ...ruleMessages(field),
      ...(items && !child ? ruleMessages(items) : []),
    ];
    fields.push(`- \`${name}\` (${facts.join('; ')}): ${notes.join(' ')}`);
  }
  out.push(
    `### \`${path}\``,
    '',
    prose(String(schema.description ?? '')),
    '',
    ...ruleLines(schema),
    '',
    ...fields,
    '',
  );
  for (const [childPath, child] of nested) sections(childPath, child, out);
}

const anchor = (path: string) => path.toLowerCase().replace(/[^a-z0-9]+/g, '');

function resource(kind: string, description: string, crd: JsonSchema, extra: string[]): string[] {
  const spec = crd.spec as JsonSchema;
  const version = (spec.versions as JsonSchema[])[0] as JsonSchema;
  const root = (version.schema as JsonSchema).openAPIV3Schema as JsonSchema;
  const props = root.properties as Record<string, JsonSchema>;
  const names = spec.names as { plural: string; shortNames: string[] };
  const columns = (version.additionalPrinterColumns as { name: string }[]).map((c) => c.name).join(', ');
  const out = [
    `## ${kind}`,
    '',
    prose(description),
    '',
    `\`apiVersion: ${API_VERSION}\`, namespaced, plural \`${names.plural}\`, short name \`${names.shortNames.join(', ')}\`,`,
    `category \`tributary\`. \`kubectl get ${names.plural}\` shows ${columns}.`,
    '',
    ...ruleLines(root),
    '',
    ...extra,
  ];
  const prefix = kind.toLowerCase();
  sections(`${prefix}.spec`, props.spec as JsonSchema, out);
  sections(`${prefix}.status`, props.status as JsonSchema, out);
  return out;
}

function ruleList(): string[] {
  return (Object.entries(RULES) as [string, Rule][]).map(([id, rule]) => {
    const where = rule.field ?? [...new Set((rule.cel ?? []).map((p) => SCOPE_PATHS[p.scope]))].join(', ');
    const by = rule.cel ? 'API server (CEL) and operator' : 'operator only';
    return `- \`${id}\` (${where}; ${by}): ${prose(rule.message)}.`;
  });
}

/** docs/stream-reference.md, generated from the schemas and the rule table. */
export function renderReference(): string {
  const lines = [
    '# Stream and VodMount reference',
    '',
    '<!-- Generated from crds/src by `npm run generate -w crds`. Do not edit; change the schema and regenerate. -->',
    '',
    'Every field of the two Tributary resources, with its type, limits and validation rules. The same',
    'descriptions are in the CRDs, so `kubectl explain stream.spec.inputs` shows them too.',
    '',
    ...resource('Stream', STREAM_DESCRIPTION, streamCrd(), [
      '### Input URLs',
      '',
      URL_GRAMMAR,
      '',
      PROTOCOL_OPTIONS,
      '',
    ]),
    ...resource('VodMount', VOD_MOUNT_DESCRIPTION, vodMountCrd(), []),
    '## Validation rules',
    '',
    'Rules checked by the API server reject the object on `kubectl apply`. The operator checks all of them',
    'again, plus the ones CEL cannot express, and reports failures on the Stream as condition',
    '`InputsValid=False` with a message naming the input. Cross-object rules (the copy:// upstream, the',
    "VodMount and the Secrets exist) are also the operator's.",
    '',
    ...ruleList(),
    '',
  ];
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}`;
}
