import Type from 'typebox';
import { FAILOVER_LIMITS, type FailoverField } from '../failover-limits.js';
import { bool, cel, int, list, obj, type Static, str, stringEnum, stringMap } from './helpers.js';
import { PodSettingsSchema } from './pod.js';

const SECRET_NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export const SecretKeyRefSchema = obj("Selects one key of a Secret in the Stream's namespace.", {
  name: str("Name of the Secret, in the Stream's namespace.", {
    minLength: 1,
    maxLength: 253,
    pattern: SECRET_NAME,
  }),
  key: str('Key within the Secret.', { minLength: 1, maxLength: 253, pattern: '^[-._a-zA-Z0-9]+$' }),
});

function fromSecretList(
  what: string,
  one: string,
  nameDescription: string,
  extra: Record<string, unknown> = {},
) {
  return list(
    `${what} whose values are read from Secrets, so they never appear in the Stream. Names must be unique.`,
    obj(
      `One ${one} read from a Secret.`,
      {
        name: str(nameDescription, { minLength: 1, maxLength: 256 }),
        secretKeyRef: SecretKeyRefSchema,
      },
      extra,
    ),
    { maxItems: 16, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
  );
}

export const URL_DESCRIPTION = [
  'Where the media comes from. The scheme picks the protocol; the host decides pull or push.',
  'udp://<host>:<port>[?source=<ssm-source>&iface=<if>] (unicast or multicast MPEG-TS, RTP-wrapped TS is unwrapped);',
  'http(s)://.../<x>.m3u8 or .m3u (HLS); http(s)://.../<x>.ts or .../mpegts (MPEG-TS over HTTP);',
  'file://<mount>/<relative/path>[?loop=false] (a file on a VodMount; loops by default);',
  'srt://<host>:<port>?streamid=...&latency=... (SRT caller);',
  'rtmp(s)://<host>/<app>/<key>; rtsp(s)://<host>/<path>[?transport=tcp|udp|auto];',
  "copy://<stream> (another Stream's packets, same namespace);",
  'publish:// (an encoder pushes to the push-listener as <namespace>/<name>). Schemes are case-insensitive.',
].join(' ');

export const StreamInputSchema = obj(
  'One source of the Stream. The first healthy input in list order is active; the others are failover candidates.',
  {
    url: str(URL_DESCRIPTION, { minLength: 1, maxLength: 2048 }),
    priority: Type.Optional(
      int('Failover rank. Optional; when given it must equal the index of the input in spec.inputs.', {
        minimum: 0,
        maximum: 7,
      }),
    ),
    headers: Type.Optional(
      stringMap(
        'HTTP headers sent with the requests of an http(s) input to the origin of its url (see sendHeadersToAllHosts), e.g. {X-Token: abc}. Use headersFrom for secret values.',
        { maxProperties: 32, ...cel('headers') },
        { maxLength: 4096 },
      ),
    ),
    headersFrom: Type.Optional(
      fromSecretList('HTTP headers', 'HTTP header', 'Header name, e.g. Authorization.', cel('headerFrom')),
    ),
    params: Type.Optional(
      stringMap(
        'Query parameters merged into the URL, overriding ones of the same name (SRT options such as latency, and the like). Use paramsFrom for secret values.',
        { maxProperties: 32 },
        { maxLength: 4096 },
      ),
    ),
    paramsFrom: Type.Optional(
      fromSecretList('Query parameters', 'query parameter', 'Parameter name, e.g. passphrase.'),
    ),
    program: Type.Optional(
      int('MPTS: keep only this program_number and drop the other programs. MPEG-TS inputs only.', {
        minimum: 1,
        maximum: 65535,
      }),
    ),
    pids: Type.Optional(
      list(
        'Keep only these MPEG-TS PIDs (applied after program), e.g. [0, 4096, 256, 257]. MPEG-TS inputs only.',
        int('A PID, 0..8191.', { minimum: 0, maximum: 8191 }),
        { maxItems: 64, 'x-kubernetes-list-type': 'set', ...cel('pids') },
      ),
    ),
    timeoutSeconds: Type.Optional(
      int(
        "Budget in seconds for one protocol operation (connect, playlist or header fetch). 0 or unset: the reader's default.",
        { minimum: 0, maximum: 3600 },
      ),
    ),
    insecureTLS: Type.Optional(bool('Skip TLS certificate verification for https inputs. Default false.')),
    sendHeadersToAllHosts: Type.Optional(
      bool(
        "Send headers and headersFrom to every host the input leads to (variant playlists and segments on other hosts or CDNs, redirect targets). Default false: they go only to the origin (scheme, host and port) of the input's url, and are dropped on a redirect to another origin.",
      ),
    ),
    publishKeySecretRef: Type.Optional(
      obj(
        'The key an encoder must present to publish to this push input (RTMP ?key=..., SRT passphrase). Required on push inputs.',
        SecretKeyRefSchema.properties,
      ),
    ),
  },
  cel('input'),
);

function duration(description: string, field: FailoverField) {
  const { min, max } = FAILOVER_LIMITS[field];
  return Type.Optional(
    str(`${description} A Go duration such as 500ms, 1s or 1m30s, between ${min} and ${max}.`, {
      maxLength: 32,
      ...cel('duration'),
    }),
  );
}

export const FailoverSchema = obj(
  "When to leave an input and when to come back. Unset fields use the ingest pod's defaults for the active input's protocol.",
  {
    packetTimeout: duration(
      'Switch away from the active input after it delivered no packet for this long.',
      'packetTimeout',
    ),
    probeAfter: duration('Wait this long after an input degraded before probing it again.', 'probeAfter'),
    probeTimeout: duration(
      'A probe (connect and receive first media) fails if it takes longer than this.',
      'probeTimeout',
    ),
    failbackHoldDown: duration(
      'Return to a better-ranked, recovered input only when the last switch is at least this long ago.',
      'failbackHoldDown',
    ),
  },
  cel('failover'),
);

export const RenditionSchema = obj('One rung of the ladder.', {
  name: str('Rendition name, unique in the ladder, e.g. 720p.', {
    minLength: 1,
    maxLength: 32,
    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  }),
  width: Type.Optional(int('Frame width in pixels.', { minimum: 16, maximum: 16384 })),
  height: Type.Optional(int('Frame height in pixels.', { minimum: 16, maximum: 16384 })),
  bitrateKbps: int('Target video bitrate in kbit/s.', { minimum: 1, maximum: 1000000 }),
  codec: Type.Optional(stringEnum('Video codec. Default h264.', ['h264', 'h265', 'av1'])),
});

export const StreamSpecSchema = obj(
  'What to ingest and how.',
  {
    inputs: list(
      'Sources in priority order: index 0 is preferred. 1 to 8 inputs, URLs unique.',
      StreamInputSchema,
      { minItems: 1, maxItems: 8, 'x-kubernetes-list-type': 'atomic' },
    ),
    failover: Type.Optional(FailoverSchema),
    ladder: Type.Optional(
      list(
        'Renditions that downstream transcoders make from this Stream. Tributary does not transcode; a Stream that copies (copy://) a Stream with a ladder must have that copy:// input as its only input.',
        RenditionSchema,
        { maxItems: 8, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
      ),
    ),
    suspend: Type.Optional(
      bool(
        'Stop ingesting and remove the ingest pod while keeping the Stream (phase Suspended). Default false.',
      ),
    ),
    pod: Type.Optional(PodSettingsSchema),
  },
  cel('streamSpec'),
);

export type SecretKeyRef = Static<typeof SecretKeyRefSchema>;
export type StreamInput = Static<typeof StreamInputSchema>;
export type FailoverSettings = Static<typeof FailoverSchema>;
export type Rendition = Static<typeof RenditionSchema>;
export type StreamSpec = Static<typeof StreamSpecSchema>;
