// A fake push-listener with one encoder behind it: ffmpeg writes live media (real time, -re) to
// its stdout, and each chunk goes out as a relay message on the stream's push subject, as the
// listener would relay an SRT publisher's TS or an RTMP publisher's FLV tags.
import { type ChildProcess, spawn } from 'node:child_process';
import type { NatsConnection } from '@nats-io/transport-node';
import { FlvFileReader } from '../../src/flv/flv-file.js';
import {
  encodeFlvRecord,
  encodeRelay,
  RelayKind,
  type RelayMessage,
} from '../../src/push-relay/relay-wire.js';
import { LIVE_H264_AAC } from '../support/media.js';
import { loopedFileInput } from '../support/peers.js';
import { endMessage, HeaderRepeater, startMessage } from './relay-fixtures.js';

export interface FakePublisher {
  /** Relay messages sent so far. */
  readonly sent: number;
  /** Stops the encoder and sends the end message with `reason`. */
  stop(reason?: string): Promise<void>;
}

function startEncoder(args: readonly string[], onChunk: (chunk: Buffer) => void): ChildProcess {
  const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  child.stdout?.on('data', onChunk);
  return child;
}

async function stopEncoder(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGKILL');
  await exited;
}

/** The start goes out with the first media, as a listener accepts a publisher when it publishes. */
function relay(nc: NatsConnection, subject: string, session: number, protocol: 'rtmp' | 'srt') {
  let sequence = 0;
  const send = (message: Omit<RelayMessage, 'session' | 'sequence'>) => {
    if (sequence === 0) nc.publish(subject, encodeRelay(startMessage(session, protocol)));
    if (sequence === 0) sequence = 1;
    nc.publish(subject, encodeRelay({ ...message, session, sequence: sequence++ }));
  };
  return {
    send,
    get sent() {
      return sequence;
    },
    async end(reason: string) {
      nc.publish(subject, encodeRelay(endMessage(session, sequence++, reason)));
      await nc.flush();
    },
  };
}

function asPublisher(encoder: ChildProcess, out: ReturnType<typeof relay>): FakePublisher {
  return {
    get sent() {
      return out.sent;
    },
    async stop(reason = 'publisher disconnected') {
      await stopEncoder(encoder);
      await out.end(reason);
    },
  };
}

/** An SRT publisher: `file` looped in real time, its TS relayed as it comes. */
export function publishTs(nc: NatsConnection, subject: string, session: number, file: string): FakePublisher {
  const out = relay(nc, subject, session, 'srt');
  const encoder = startEncoder([...loopedFileInput(file), '-f', 'mpegts', 'pipe:1'], (chunk) =>
    out.send({ kind: RelayKind.ts, payload: chunk }),
  );
  return asPublisher(encoder, out);
}

/**
 * An RTMP publisher: a live test pattern (H.264, AAC, keyframe every second), a record per
 * message, sequence headers again before every keyframe (as the listener relays them).
 */
export function publishFlv(nc: NatsConnection, subject: string, session: number): FakePublisher {
  const out = relay(nc, subject, session, 'rtmp');
  const flv = new FlvFileReader();
  const repeater = new HeaderRepeater();
  const encoder = startEncoder([...LIVE_H264_AAC, '-b:a', '64k', '-f', 'flv', 'pipe:1'], (chunk) => {
    for (const tag of flv.push(chunk).flatMap((t) => repeater.push(t))) {
      out.send({ kind: RelayKind.flv, payload: encodeFlvRecord(tag.type, tag.timestamp, tag.data) });
    }
  });
  return asPublisher(encoder, out);
}
