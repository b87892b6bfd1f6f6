// Entry of the SRT worker thread (its own file so the image bundles it next to the main bundle:
// docker/bundle.sh ingest-pod/src/srt/srt-thread.ts srt-thread.mjs). It owns libsrt: every socket
// and the one srt_epoll live here; the main thread talks to it through srt-thread-host.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { loadLibsrt } from './libsrt.js';
import { SrtLoop } from './srt-loop.js';
import type { SrtCommand, SrtEvent } from './srt-messages.js';

const port = parentPort;
if (port === null) throw new Error('srt-thread.ts runs as a worker thread');
const post = (event: SrtEvent, transfer?: ArrayBuffer[]) => port.postMessage(event, transfer ?? []);

let loop: SrtLoop | undefined;
try {
  const lib = loadLibsrt((workerData as { orphans?: number[] } | null)?.orphans);
  loop = new SrtLoop(lib, post);
  const v = lib.getversion();
  post({ type: 'ready', version: `${v >> 16}.${(v >> 8) & 0xff}.${v & 0xff}` });
} catch (err) {
  post({ type: 'unavailable', reason: err instanceof Error ? err.message : String(err) });
}
port.on('message', (command: SrtCommand) => {
  if (loop !== undefined) loop.handle(command);
  else if ('req' in command && command.req !== undefined) {
    post({ type: 'failed', req: command.req, failure: { code: -1, detail: 'libsrt is not available' } });
  }
});
