import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type IngestInput, parseIngestConfig } from '@tributary/crds';
import type { ControlReply, FailoverOverrides } from '../../src/failover/types.js';
import { ControlHandler, type LiveChange } from '../../src/ingest/control-handler.js';

const config = (() => {
  const parsed = parseIngestConfig(
    JSON.stringify({
      stream: { namespace: 'default', name: 'news', uid: 'u', generation: 4 },
      inputs: [
        {
          url: 'https://origin.example/live.m3u8',
          priority: 0,
          headersFromEnv: [{ name: 'Authorization', env: 'TRIBUTARY_SECRET_0_0' }],
        },
        { url: 'udp://127.0.0.1:5000', priority: 1 },
      ],
      failover: { packetTimeoutMs: 1000 },
    }),
  );
  if (parsed instanceof Error) throw parsed;
  return parsed;
})();

/** Records what the handler hands over; the input manager's side is tested against real peers. */
function recorder() {
  const calls: { inputs: readonly IngestInput[]; failover: FailoverOverrides }[] = [];
  return {
    calls,
    switchTo: (priority: number): ControlReply => ({ ok: true, message: `switching to input ${priority}` }),
    configure(inputs: readonly IngestInput[], failover: FailoverOverrides): LiveChange {
      calls.push({ inputs, failover });
      return { inputs: true, failover: false };
    },
  };
}

/** The release callback of a pod that did not start on standby. */
const notStandby = (): ControlReply => ({ ok: true, message: 'already publishing' });

const origin = {
  url: 'https://origin.example/live.m3u8',
  headersFromEnv: [{ name: 'Authorization', env: 'TRIBUTARY_SECRET_0_0' }],
};

test('configure: a valid configuration is handed over whole and its generation reported', () => {
  const target = recorder();
  const handler = new ControlHandler(config, target, notStandby);
  assert.equal(handler.configGeneration, 4, 'the generation the pod started with');
  const reply = handler.handle({
    op: 'configure',
    generation: 6,
    inputs: [origin, { url: 'udp://127.0.0.1:5000' }, { url: 'udp://127.0.0.1:5001' }],
    failover: { packetTimeoutMs: 2500 },
  });
  assert.deepEqual(reply, { ok: true, message: 'generation 6 applied: inputs changed; 3 inputs' });
  assert.equal(handler.configGeneration, 6);
  assert.deepEqual(
    target.calls[0]?.inputs.map((i) => [i.url, i.priority]),
    [
      ['https://origin.example/live.m3u8', 0],
      ['udp://127.0.0.1:5000', 1],
      ['udp://127.0.0.1:5001', 2],
    ],
  );
  assert.deepEqual(target.calls[0]?.failover, { packetTimeoutMs: 2500 });
});

test('configure: an env var the pod was not started with is refused, naming the input and the env', () => {
  const target = recorder();
  const handler = new ControlHandler(config, target, notStandby);
  for (const input of [
    { url: 'https://evil.example/x.m3u8?k=v', headersFromEnv: [{ name: 'X', env: 'TRIBUTARY_STREAM' }] },
    { url: 'https://evil.example/x.m3u8?k=v', paramsFromEnv: [{ name: 'p', env: 'NATS_CREDS' }] },
  ]) {
    const reply = handler.handle({ op: 'configure', generation: 5, inputs: [origin, input] });
    assert.equal(reply.ok, false);
    assert.equal(!reply.ok && reply.error, 'invalid_request');
    assert.match(
      reply.message,
      /^inputs\[1\] \(https:\/\/evil\.example\/x\.m3u8\?k=v\)\.(headers|params)FromEnv\[0\]\.env: env "(TRIBUTARY_STREAM|NATS_CREDS)" is not a secret env var this pod was started with/,
    );
  }
  const pushKey = handler.handle({
    op: 'configure',
    generation: 5,
    inputs: [{ url: 'publish://', publishKeyEnv: 'HOME' }],
  });
  assert.match(pushKey.message, /inputs\[0\] \(publish:\/\/\)\.publishKeyEnv: env "HOME"/);
  assert.equal(target.calls.length, 0, 'nothing reached the input manager');
  assert.equal(handler.configGeneration, 4);
});

test('configure: invalid inputs and failover settings are refused naming the field', () => {
  const target = recorder();
  const handler = new ControlHandler(config, target, notStandby);
  const rows: { request: Record<string, unknown>; message: RegExp }[] = [
    {
      request: { inputs: [origin, { url: 'ftp://example.com/x.ts' }] },
      message: /inputs\[1\]\.url/,
    },
    {
      request: { inputs: [origin, { url: 'udp://127.0.0.1:5000', colour: 1 }] },
      message: /inputs\[1\]\.colour: unknown field/,
    },
    { request: { inputs: [] }, message: /inputs/ },
    {
      request: { inputs: [origin], failover: { packetTimeoutMs: -1 } },
      message: /failover\.packetTimeoutMs/,
    },
    {
      request: { inputs: [origin], failover: { packetTimeout: '1s' } },
      message: /failover\.packetTimeout: unknown field/,
    },
  ];
  for (const row of rows) {
    const reply = handler.handle({ op: 'configure', generation: 5, ...row.request });
    assert.equal(!reply.ok && reply.error, 'invalid_request', JSON.stringify(row.request));
    assert.match(reply.message, row.message);
  }
  assert.equal(target.calls.length, 0);
});

test('configure: an older generation than the running one changes nothing', () => {
  const target = recorder();
  const handler = new ControlHandler(config, target, notStandby);
  const reply = handler.handle({ op: 'configure', generation: 3, inputs: [origin] });
  assert.equal(!reply.ok && reply.error, 'stale_generation');
  assert.match(reply.message, /generation 3 is older than the running generation 4/);
  assert.equal(target.calls.length, 0);
  // The same generation again is applied (level-triggered: the target decides what changed).
  assert.equal(handler.handle({ op: 'configure', generation: 4, inputs: [origin] }).ok, true);
});

test('switch goes to the target; the old edit ops are refused', () => {
  const handler = new ControlHandler(config, recorder(), notStandby);
  assert.deepEqual(handler.handle({ op: 'switch', priority: 1 }), {
    ok: true,
    message: 'switching to input 1',
  });
  const add = handler.handle({ op: 'add', input: { url: 'udp://127.0.0.1:5002' } });
  assert.equal(!add.ok && add.error, 'invalid_request');
});

test('release: handed to the pod, which starts publishing (or says it already does)', () => {
  let released = 0;
  const handler = new ControlHandler(config, recorder(), () => {
    released++;
    return { ok: true, message: 'released' };
  });
  assert.deepEqual(handler.handle({ op: 'release', pod: 'news-ingest-b' }), {
    ok: true,
    message: 'released',
  });
  assert.equal(released, 1);
  const refused = handler.handle({ op: 'release' });
  assert.equal(refused.ok, false);
  assert.equal(released, 1, 'a release without a pod name is refused');
});
