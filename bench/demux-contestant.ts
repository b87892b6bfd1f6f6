// One contestant of bench/demux in its own process: `<ours|muxjs> <file> <chunk bytes> [passes]`
// reads the file from disk `passes` times (default 1), each time with a fresh demuxer, the way the
// pod's FileSource does (a fresh buffer per read, so a demuxer that keeps views of its input stays
// correct), pushes it in chunks of <chunk bytes>, and prints the totals and its CPU time so far,
// {"accessUnits":…,"bytes":…,"cpuSeconds":…}, on stdout.
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createTsDemuxer } from '../ingest-pod/src/mpegts/index.js';

interface MuxStream {
  pipe(next: MuxStream): MuxStream;
  on(event: 'data', listener: (data: { type?: string }) => void): void;
  push(data: unknown): void;
  flush(): void;
}
interface MuxJs {
  mp2t: Record<'TransportPacketStream' | 'TransportParseStream' | 'ElementaryStream', new () => MuxStream>;
  codecs: { Adts: new () => MuxStream };
}

interface Contestant {
  push(chunk: Uint8Array): void;
  /** Access units seen, after the end of the stream was signalled. */
  finish(): number;
}

function ours(): Contestant {
  const demuxer = createTsDemuxer();
  let accessUnits = 0;
  return {
    push: (chunk) => {
      accessUnits += demuxer.push(chunk).length;
    },
    finish: () => accessUnits + demuxer.flush().length,
  };
}

/** mux.js from TS packets to video PES and ADTS (AAC) frames: its nearest equivalent of our access units. */
function muxjs(): Contestant {
  const mux = createRequire(import.meta.url)('mux.js') as MuxJs;
  const packets = new mux.mp2t.TransportPacketStream();
  const pes = packets.pipe(new mux.mp2t.TransportParseStream()).pipe(new mux.mp2t.ElementaryStream());
  const adts = new mux.codecs.Adts();
  let accessUnits = 0;
  pes.on('data', (e) => {
    if (e.type === 'video') accessUnits++;
    else if (e.type === 'audio') adts.push(e);
  });
  adts.on('data', () => accessUnits++);
  return {
    push: (chunk) => packets.push(chunk),
    finish: () => {
      packets.flush();
      return accessUnits;
    },
  };
}

const [kind, file, chunkArg, passesArg = '1'] = process.argv.slice(2);
const chunk = Number(chunkArg);
const passes = Number(passesArg);
if (file === undefined || !Number.isInteger(chunk) || chunk < 1 || !Number.isInteger(passes) || passes < 1)
  throw new Error('usage: demux-contestant <ours|muxjs> <file> <chunk bytes> [passes]');
const contestants: Record<string, () => Contestant> = { ours, muxjs };
const create = contestants[kind ?? ''];
if (create === undefined) throw new Error(`unknown contestant "${kind}": use ours or muxjs`);

/** One pass over the file with a fresh demuxer, as a pod looping a file reopens it. */
function pass(path: string): { accessUnits: number; bytes: number } {
  const contestant = create!();
  // Reads of about 64 KiB, a whole number of chunks, so every push but the last is exactly `chunk` bytes.
  const readBytes = chunk * Math.max(1, Math.floor(65536 / chunk));
  const fd = openSync(path, 'r');
  let bytes = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(readBytes);
    const got = readSync(fd, buffer, 0, readBytes, null);
    if (got === 0) break;
    bytes += got;
    for (let pos = 0; pos < got; pos += chunk)
      contestant.push(buffer.subarray(pos, Math.min(pos + chunk, got)));
  }
  closeSync(fd);
  return { accessUnits: contestant.finish(), bytes };
}

const total = { accessUnits: 0, bytes: 0 };
for (let i = 0; i < passes; i++) {
  const done = pass(file);
  total.accessUnits += done.accessUnits;
  total.bytes += done.bytes;
}
// getrusage of this whole process since exec (every thread, start-up included), as the last act:
// the bench does not wait on Node's exit, which can hang (nodejs/node#64560).
const used = process.cpuUsage();
console.log(JSON.stringify({ ...total, cpuSeconds: (used.user + used.system) / 1e6 }));
