// Run by srt-exit.test.ts in a process of its own: node --import tsx exit-child.ts <mode> <port>.
// Prints "ready" once its SRT socket is in the state the mode tests, then ends as the mode says.

import { sharedSrtEngine } from '../../src/srt/srt-engine.js';
import { createSrtReader } from '../../src/srt/srt-reader.js';

const [mode, port] = process.argv.slice(2);
const url = `srt://127.0.0.1:${port}?conntimeo=15000`;

const anyPort = { family: 4, address: '127.0.0.1', port: 0 } as const;

if (mode === 'exit-while-connecting') {
  const reader = createSrtReader({ url, priority: 0 }, {});
  reader.open(new AbortController().signal).catch(() => undefined);
  // The SRT engine handles commands in order: the connect is posted before the second listen, so
  // once that is answered the connect is under way inside libsrt.
  await sharedSrtEngine().listen(anyPort, {});
  await sharedSrtEngine().listen(anyPort, {});
  console.log('ready');
  process.exit(0);
} else if (mode === 'listener-closed') {
  const listener = await sharedSrtEngine().listen(anyPort, {});
  listener.close();
  console.log('ready');
} else {
  const reader = createSrtReader({ url, priority: 0 }, {});
  await reader.open(new AbortController().signal);
  await reader.read();
  console.log('ready');
  if (mode === 'exit-while-reading') process.exit(0);
  if (mode === 'throw-while-reading') throw new Error('boom');
  await reader.close(); // 'closed': nothing else keeps the process alive
}
