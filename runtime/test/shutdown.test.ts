import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { handleShutdown } from '../src/index.js';

function harness(steps: { name: string; run: () => Promise<void> | void }[], timeoutMs = 60_000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const exited = new EventEmitter();
  const log = pino({ level: 'silent' });
  const handle = handleShutdown({
    log,
    steps,
    timeoutMs,
    signalSource: signals,
    exit: (code) => {
      exits.push(code);
      exited.emit('exit', code);
    },
  });
  return { signals, exits, exited, handle };
}

describe('handleShutdown', () => {
  it('runs every step in order once, keeps going past a failing step, then exits 0', async () => {
    const order: string[] = [];
    const { signals, exits, exited, handle } = harness([
      { name: 'readers', run: () => void order.push('readers') },
      {
        name: 'publisher',
        run: () => {
          order.push('publisher');
          throw new Error('flush failed');
        },
      },
      { name: 'nats', run: async () => void order.push('nats') },
    ]);
    const done = once(exited, 'exit');
    signals.emit('SIGTERM', 'SIGTERM');
    await done;
    handle.dispose();
    assert.deepEqual(order, ['readers', 'publisher', 'nats']);
    assert.deepEqual(exits, [0]);
  });

  it('exits 1 on a second signal, and when the steps overrun the deadline', async () => {
    const never = () => new Promise<void>(() => {});
    const second = harness([{ name: 'hangs', run: never }]);
    const forced = once(second.exited, 'exit');
    second.signals.emit('SIGINT', 'SIGINT');
    second.signals.emit('SIGINT', 'SIGINT');
    assert.deepEqual(await forced, [1]);
    second.handle.dispose();

    const late = harness([{ name: 'hangs', run: never }], 5);
    const timedOut = once(late.exited, 'exit');
    void late.handle.shutdown('test');
    assert.deepEqual(await timedOut, [1]);
    late.handle.dispose();
  });

  it('a real process drains and exits 0 on SIGTERM', async () => {
    const script = fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (text: string) => {
        output += text;
        if (output.includes('"msg":"ready"')) resolve();
      });
    });
    // 'close', not 'exit': the last lines may still be in the pipe when the process exits.
    const exited = once(child, 'close');
    await ready;
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0, output);
    assert.match(output, /"msg":"shutdown complete"/);
  });
});
