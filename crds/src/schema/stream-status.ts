import Type from 'typebox';
import { ConditionSchema } from './condition.js';
import { int, list, obj, type Static, str, stringEnum } from './helpers.js';

export const STREAM_PHASES = ['Pending', 'Connecting', 'Live', 'Degraded', 'Failed', 'Suspended'] as const;
export const SWITCH_REASONS = [
  'initial',
  'error',
  'timeout',
  'failback',
  'recovery',
  'manual',
  'input_added',
  'input_removed',
] as const;

const kbps = (what: string) => Type.Optional(int(`${what} in kbit/s.`, { minimum: 0 }));
const time = (description: string) => str(description, { format: 'date-time' });

export const TrackStatusSchema = obj('One elementary stream seen on the input.', {
  trackId: int('Track id as carried in the AVPackets (the PID for MPEG-TS sources).', { minimum: 0 }),
  codec: str('Codec, e.g. h264, h265, aac, mp2, ac3, scte35; "unsupported:<stream type>" when not decoded.', {
    maxLength: 64,
  }),
  width: Type.Optional(int('Video width in pixels.', { minimum: 0 })),
  height: Type.Optional(int('Video height in pixels.', { minimum: 0 })),
  sampleRate: Type.Optional(int('Audio sample rate in Hz.', { minimum: 0 })),
  channels: Type.Optional(int('Audio channel count.', { minimum: 0 })),
  bitrateKbps: kbps('Recent bitrate of the track'),
});

export const InputErrorSchema = obj('One error of an input.', {
  message: str('What went wrong.', { maxLength: 4096 }),
  at: time('When it happened.'),
});

const count = (description: string) => Type.Optional(int(description, { minimum: 0 }));

export const LinkStatusSchema = obj(
  'Transport link statistics of the input while it is open (SRT): counts since the connection opened.',
  {
    rttMs: count('Smoothed round-trip time to the peer, in milliseconds.'),
    latencyMs: count('Receive latency agreed with the peer, in milliseconds.'),
    bandwidthKbps: count('Estimated link bandwidth, in kbit/s.'),
    receiveRateKbps: count('Receive rate over the last second, in kbit/s.'),
    receiveBufferMs: count('Media held in the receive buffer, in milliseconds.'),
    packetsReceived: count('Packets received.'),
    packetsLost: count('Packets found missing on arrival (before retransmission recovered any).'),
    packetsRetransmitted: count('Retransmitted packets received.'),
    packetsDropped: count('Packets dropped as too late to play: the loss left after retransmission.'),
  },
);

export const InputStatusSchema = obj('Health of one input.', {
  priority: int('Index of the input in spec.inputs.', { minimum: 0, maximum: 7 }),
  url: Type.Optional(
    str('The input URL with passwords and secret query values replaced by ***.', { maxLength: 2048 }),
  ),
  state: str(
    'idle (standby), connecting, active (packets flowing), degraded (failed; probed for recovery) or stopped.',
    {
      maxLength: 32,
    },
  ),
  lastPacketTime: Type.Optional(time('When the last packet arrived from this input.')),
  bitrateKbps: kbps('Recent bitrate of the input'),
  tracks: Type.Optional(list('Elementary streams seen on the input.', TrackStatusSchema, { maxItems: 64 })),
  errors: Type.Optional(list('Latest errors, newest first, at most 5.', InputErrorSchema, { maxItems: 5 })),
  link: Type.Optional(LinkStatusSchema),
});

export const SwitchRecordSchema = obj('One change of the active input.', {
  at: time('When the switch happened.'),
  from: int('Index of the input left; -1 for the first activation.', { minimum: -1, maximum: 7 }),
  to: int('Index of the input made active.', { minimum: 0, maximum: 7 }),
  reason: stringEnum('Why the input changed.', SWITCH_REASONS),
  detail: Type.Optional(
    str('The error or timeout behind the switch, when there is one.', { maxLength: 4096 }),
  ),
});

export const PodRecreationSchema = obj(
  'The backoff before the operator recreates an ingest pod that failed or vanished, kept here so that a new operator leader continues it. Absent once a pod ran long enough (a minute) or none failed.',
  {
    failures: int('Ingest pods that failed or vanished in a row.', { minimum: 1 }),
    notBefore: time('No new ingest pod is created before this time.'),
    lastFailure: Type.Optional(
      str('Why the last ingest pod stopped, e.g. "exit code 1 (Error)".', { maxLength: 4096 }),
    ),
  },
);

export const StreamStatusSchema = obj(
  'What the operator and the ingest pod observed. Written by the operator.',
  {
    observedGeneration: Type.Optional(
      int('The .metadata.generation this status describes.', { format: 'int64', minimum: 0 }),
    ),
    phase: Type.Optional(
      stringEnum(
        'Summary: Pending (no pod yet), Connecting, Live (active input flowing), Degraded (live on a fallback, or some inputs failing), Failed (no input works) or Suspended.',
        STREAM_PHASES,
      ),
    ),
    activeInput: Type.Optional(int('Index of the input being ingested now.', { minimum: 0, maximum: 7 })),
    conditions: Type.Optional(
      list('Ready, InputsValid, PodScheduled, Live and Degraded.', ConditionSchema, {
        maxItems: 16,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    ),
    inputs: Type.Optional(list('Health of each input, in spec order.', InputStatusSchema, { maxItems: 8 })),
    switches: Type.Optional(
      list('Latest input switches, newest first, at most 20.', SwitchRecordSchema, { maxItems: 20 }),
    ),
    pod: Type.Optional(str('Name of the ingest pod.', { maxLength: 253 })),
    subject: Type.Optional(
      str('NATS subject carrying the AVPackets, e.g. tributary.default.news.av.', { maxLength: 512 }),
    ),
    pushEndpoints: Type.Optional(
      obj('Where encoders publish, for Streams with a push input.', {
        rtmp: Type.Optional(
          str('RTMP publish URL without the key, e.g. rtmp://push.example.com/default/news.', {
            maxLength: 2048,
          }),
        ),
        srt: Type.Optional(
          str('SRT caller URL with the streamid, without the passphrase.', { maxLength: 2048 }),
        ),
      }),
    ),
    failoverCount: Type.Optional(
      int('How many times the active input changed since the Stream was created.', { minimum: 0 }),
    ),
    podRecreation: Type.Optional(PodRecreationSchema),
    bitrateKbps: kbps('Recent bitrate of the active input'),
  },
);

export type StreamPhase = (typeof STREAM_PHASES)[number];
export type SwitchReason = (typeof SWITCH_REASONS)[number];
export type TrackStatus = Static<typeof TrackStatusSchema>;
export type InputError = Static<typeof InputErrorSchema>;
export type InputStatus = Static<typeof InputStatusSchema>;
export type LinkStatus = Static<typeof LinkStatusSchema>;
export type SwitchRecord = Static<typeof SwitchRecordSchema>;
export type PodRecreation = Static<typeof PodRecreationSchema>;
export type StreamStatus = Static<typeof StreamStatusSchema>;
