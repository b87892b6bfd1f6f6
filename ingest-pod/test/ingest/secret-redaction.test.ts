import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import type { IngestConfig, IngestInput } from '@tributary/crds';
import { startIngest } from '../../src/ingest/service.js';
import type { StatusDocument } from '../../src/status/status-document.js';
import { startNats } from '../support/nats.js';
import { freeUdpPort, startHttpServer, waitFor } from '../support/peers.js';

// A real ingest pod whose inputs carry secrets where the name rules cannot see them: a token under
// an unusual query name (from paramsFrom), a token used as the URL's user name, a token inside an
// SRT streamid. Every input fails (HTTP 403, nothing listening), so the URLs reach errors. No secret
// value may appear in the log, on `.status`, on `.events` or on /metrics; the mask must.

const HDNTS = 'exp=1900000000~acl=/*~hmac=5f0e9c1d2b3a49d8e7f6';
const USER_TOKEN = 'userTokenAbc987';
const STREAMID_TOKEN = 'srtStreamToken654';
const SECRETS = [HDNTS, encodeURIComponent(HDNTS), 'hmac=5f0e9c1d2b3a49d8e7f6', USER_TOKEN, STREAMID_TOKEN];

function input(priority: number, fields: Partial<IngestInput> & { url: string }): IngestInput {
  return { headers: {}, headersFromEnv: [], params: {}, paramsFromEnv: [], priority, ...fields };
}

test('secrets never leave the pod: log, status, events, metrics', async () => {
  const forbidden = await startHttpServer((_req, res) => void res.writeHead(403).end('no'));
  const srtPort = await freeUdpPort();
  const nats = await startNats();
  const observer = await connect({ servers: nats.url });
  let service: Awaited<ReturnType<typeof startIngest>> | undefined;
  try {
    const config: IngestConfig = {
      stream: { namespace: 'test', name: `secrets-${process.pid}`, uid: 'uid-1', generation: 1 },
      inputs: [
        input(0, {
          url: forbidden.url('/live/index.m3u8'),
          paramsFromEnv: [{ name: 'hdnts', env: 'CDN_TOKEN' }],
          timeoutSeconds: 2,
        }),
        input(1, { url: forbidden.url('/live/index.m3u8').replace('://', `://${USER_TOKEN}@`) }),
        input(2, {
          url: `srt://127.0.0.1:${srtPort}?streamid=#!::u=alice,t=${STREAMID_TOKEN},r=live/cam1`,
          timeoutSeconds: 1,
        }),
      ],
      failover: { probeAfterMs: 500 },
      subjectPrefix: 'tributary',
    };
    const base = `tributary.${config.stream.namespace}.${config.stream.name}`;
    const published: string[] = [];
    let status: StatusDocument | undefined;
    for (const subject of [`${base}.status`, `${base}.events`]) {
      observer.subscribe(subject, {
        callback: (_err, message) => {
          published.push(message.string());
          if (subject.endsWith('.status')) status = message.json<StatusDocument>();
        },
      });
    }
    await observer.flush();
    let log = '';
    const logDestination = new Writable({
      write(chunk, _encoding, done) {
        log += String(chunk);
        done();
      },
    });
    service = await startIngest({
      config,
      env: { CDN_TOKEN: HDNTS },
      natsUrl: nats.url,
      listen: { host: '127.0.0.1', port: 0 },
      vodRoot: '/nonexistent',
      logDestination,
      processMetrics: false,
    });

    const everyInputFailed = () =>
      status?.inputs.length === 3 && status.inputs.every((i) => i.errors.length > 0);
    await waitFor(everyInputFailed, 'every input to fail', 30_000).catch((error: Error) =>
      assert.fail(`${error.message}\nstatus: ${JSON.stringify(status)}\nlog: ${log}`),
    );
    const metrics = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
    await service.stop();
    service = undefined;
    await observer.flush();

    const events = published.filter((message) => message.includes('"payload"'));
    const statuses = published.filter((message) => !message.includes('"payload"'));
    const outputs = { log, status: statuses.join('\n'), events: events.join('\n'), metrics };
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of SECRETS)
        assert.ok(!text.includes(secret), `${secret} leaked in ${where}:\n${text}`);
    }
    const last = status!;
    assert.match(last.inputs[0]!.errors[0]!.message, /HTTP 403.*hdnts=\*\*\*/);
    assert.match(last.inputs[1]!.url, /^http:\/\/\*\*\*@127\.0\.0\.1:/);
    assert.match(last.inputs[1]!.errors[0]!.message, /HTTP 403.*http:\/\/\*\*\*@127\.0\.0\.1:/);
    assert.match(last.inputs[2]!.url, /streamid=#!::u=alice,t=\*\*\*,r=live\/cam1/);
    assert.ok(
      events.some((event) => event.includes('"input.error"') && event.includes('hdnts=***')),
      events.join('\n'),
    );
    assert.ok(
      log.includes('hdnts=***') && log.includes('http://***@127.0.0.1') && log.includes('t=***'),
      log,
    );
    assert.match(metrics, /tributary_ingest_reconnects_total|tributary_ingest_published_messages_total/);
  } finally {
    await service?.stop();
    await observer.drain();
    await nats.stop();
    await forbidden.close();
  }
});
