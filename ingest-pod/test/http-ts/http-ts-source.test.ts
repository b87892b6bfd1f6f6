import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { type HttpTsOptions, HttpTsSource } from '../../src/http-ts/http-ts-source.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { makeTsFile } from '../support/media.js';
import {
  concat,
  type HttpPeer,
  makeSelfSignedCert,
  makeTempDir,
  startHttpServer,
  type TempDir,
  tsPacketCheck,
} from '../support/peers.js';

let dir: TempDir;
let file: Buffer;

before(async () => {
  dir = await makeTempDir();
  file = await readFile(await makeTsFile(dir.path, { seconds: 2 }));
});
after(() => dir.remove());

function source(url: string, extra: Partial<HttpTsOptions> = {}): HttpTsSource {
  return new HttpTsSource({ url, headerTimeoutMs: 5000, idleTimeoutMs: 5000, ...extra });
}

async function readAll(s: HttpTsSource): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for (let batch = await s.read(); batch !== null; batch = await s.read()) chunks.push(...batch);
  return chunks;
}

async function withServer(
  handler: Parameters<typeof startHttpServer>[0],
  body: (peer: HttpPeer) => Promise<void>,
) {
  const peer = await startHttpServer(handler);
  try {
    await body(peer);
  } finally {
    await peer.close();
  }
}

/** Streams the file in uneven pieces (not 188-aligned), as a live origin would. */
function streamFile(res: import('node:http').ServerResponse): void {
  res.writeHead(200, { 'content-type': 'video/mp2t' });
  let at = 0;
  const step = () => {
    if (at >= file.length) return res.end();
    const next = Math.min(file.length, at + 1000 + (at % 7919));
    res.write(file.subarray(at, next));
    at = next;
    setImmediate(step);
  };
  step();
}

test('one streaming GET: every byte in order, headers forwarded, end of body is end of stream', async () => {
  await withServer(
    (_req, res) => streamFile(res),
    async (peer) => {
      const s = source(peer.url('/live/stream.ts'), { headers: { 'X-Token': 'abc', 'User-Agent': 'enc/1' } });
      await s.open(new AbortController().signal);
      const chunks = await readAll(s);
      await s.close();
      assert.ok(concat(chunks).equals(file));
      assert.equal(tsPacketCheck([concat(chunks)]).packets, file.length / 188);
      assert.equal(peer.requests.length, 1);
      assert.equal(peer.requests[0]?.headers['x-token'], 'abc');
      assert.equal(peer.requests[0]?.headers['user-agent'], 'enc/1');
      assert.equal(await s.read(), null, 'read after close');
    },
  );
});

test('the default User-Agent names Tributary; redirects are followed', async () => {
  await withServer(
    (req, res) => {
      if (req.url === '/old.ts') res.writeHead(302, { location: '/new.ts' }).end();
      else streamFile(res);
    },
    async (peer) => {
      const s = source(peer.url('/old.ts'));
      await s.open(new AbortController().signal);
      assert.ok(concat(await readAll(s)).equals(file));
      await s.close();
      assert.deepEqual(
        peer.requests.map((r) => r.path),
        ['/old.ts', '/new.ts'],
      );
      assert.match(String(peer.requests[0]?.headers['user-agent']), /^Tributary\//);
    },
  );
});

test('each non-2xx status is an open error naming it; permanent ones are not retriable', async () => {
  const permanent = [401, 403, 404, 410, 429, 500, 502, 503, 504];
  const retriable = [400, 408, 409];
  await withServer(
    (req, res) => void res.writeHead(Number(req.url?.slice(1, 4))).end('nope'),
    async (peer) => {
      for (const status of [...permanent, ...retriable]) {
        const s = source(`${peer.url(`/${status}/x.ts`)}?token=secret`);
        await assert.rejects(s.open(new AbortController().signal), (err: unknown) => {
          assert.ok(err instanceof ReaderError);
          assert.match(
            err.message,
            new RegExp(
              `^HTTP ${status} \\S.* from http://127\\.0\\.0\\.1:\\d+/${status}/x\\.ts\\?token=\\*\\*\\*$`,
            ),
          );
          assert.equal(err.retriable, retriable.includes(status), `status ${status}`);
          return true;
        });
        await s.close();
      }
    },
  );
});

test('no response headers within the timeout is a retriable error that says so', async () => {
  await withServer(
    () => undefined, // never answers
    async (peer) => {
      const s = source(peer.url('/slow.ts'), { headerTimeoutMs: 300 });
      await assert.rejects(
        s.open(new AbortController().signal),
        (err: unknown) =>
          err instanceof ReaderError &&
          err.retriable &&
          /no response headers within 0\.3 s/.test(err.message),
      );
      await s.close();
    },
  );
});

test('a body that goes silent is dropped after the idle timeout (retriable)', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(200);
      res.write(file.subarray(0, 188 * 10));
    },
    async (peer) => {
      const s = source(peer.url('/stuck.ts'), { idleTimeoutMs: 300 });
      await s.open(new AbortController().signal);
      assert.equal(concat((await s.read()) ?? []).length, 1880);
      await assert.rejects(
        s.read(),
        (err: unknown) =>
          err instanceof ReaderError && err.retriable && /no data for 0\.3 s/.test(err.message),
      );
      await s.close();
    },
  );
});

test('a connection cut mid-body is a retriable read error', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(200, { 'content-length': String(file.length) });
      res.write(file.subarray(0, 188 * 10), () => res.destroy());
    },
    async (peer) => {
      const s = source(peer.url('/cut.ts'));
      await s.open(new AbortController().signal);
      await assert.rejects(readAll(s), (err: unknown) => err instanceof ReaderError && err.retriable);
      await s.close();
    },
  );
});

test('unreachable port: retriable; unknown host: permanent DNS error', async () => {
  const peer = await startHttpServer(() => undefined);
  const closedPort = peer.port;
  await peer.close();
  const refused = source(`http://127.0.0.1:${closedPort}/x.ts`);
  await assert.rejects(
    refused.open(new AbortController().signal),
    (err: unknown) => err instanceof ReaderError && err.retriable && /ECONNREFUSED/.test(err.message),
  );
  const dns = source('http://no-such-host.invalid/x.ts');
  await assert.rejects(
    dns.open(new AbortController().signal),
    (err: unknown) =>
      err instanceof ReaderError &&
      !err.retriable &&
      /^DNS lookup failed for http:\/\/no-such-host\.invalid/.test(err.message),
  );
});

test('TLS: a self-signed certificate is a permanent error unless insecureTLS is set', async () => {
  const tls = await makeSelfSignedCert(dir.path);
  const peer = await startHttpServer((_req, res) => streamFile(res), tls);
  try {
    const strict = source(peer.url('/x.ts'));
    await assert.rejects(
      strict.open(new AbortController().signal),
      (err: unknown) =>
        err instanceof ReaderError && !err.retriable && /^TLS error for https:/.test(err.message),
    );
    const relaxed = source(peer.url('/x.ts'), { insecureTLS: true });
    await relaxed.open(new AbortController().signal);
    assert.ok(concat(await readAll(relaxed)).equals(file));
    await relaxed.close();
  } finally {
    await peer.close();
  }
});

test('close during a pending read ends it with null', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(200);
      res.flushHeaders();
    },
    async (peer) => {
      const s = source(peer.url('/idle.ts'));
      await s.open(new AbortController().signal);
      const pending = s.read();
      await s.close();
      assert.equal(await pending, null);
    },
  );
});
