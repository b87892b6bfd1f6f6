import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, inputLogger, redactUrlsIn } from '../../src/observability/index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = {
    write(line: string) {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  return { lines, raw, destination };
}

describe('logger', () => {
  it('writes JSON with the stream on every line and the input on input loggers', () => {
    const { lines, destination } = capture();
    const log = createLogger({ stream: { namespace: 'default', name: 'news' }, destination });
    log.info('starting');
    inputLogger(log, 2).warn({ attempt: 3 }, 'reconnecting');
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.stream, 'default/news');
    assert.equal(lines[0]!.msg, 'starting');
    assert.equal(lines[0]!.input, undefined);
    assert.deepEqual([lines[1]!.stream, lines[1]!.input, lines[1]!.attempt], ['default/news', 2, 3]);
  });

  it('never lets URL secrets out: message, fields and error stacks', () => {
    const { raw, destination } = capture();
    const log = createLogger({ stream: { namespace: 'n', name: 's' }, destination });
    const secretUrl = 'srt://user:hunter2@10.0.0.1:9000?streamid=abc&passphrase=topsecret1';
    log.info({ url: secretUrl }, `opening ${secretUrl}`);
    log.error({ err: new Error(`GET https://cdn.example/live.m3u8?token=sig123 failed`) }, 'read failed');
    inputLogger(log, 0).info({ nested: { list: ['rtmp://h/app?key=k3y'] } }, 'x');
    const text = raw.join('');
    for (const secret of ['hunter2', 'topsecret1', 'sig123', 'k3y']) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    assert.ok(text.includes('srt://user:***@10.0.0.1:9000?streamid=abc&passphrase=***'), text);
    assert.ok(text.includes('https://cdn.example/live.m3u8?token=***'), text);
  });

  it('redactUrlsIn leaves text without URLs alone', () => {
    const text = 'no packet for 3 s (timeout 1000 ms); pid=256 a:b';
    assert.equal(redactUrlsIn(text), text);
    assert.equal(redactUrlsIn('udp://239.1.1.1:5000'), 'udp://239.1.1.1:5000');
  });
});
