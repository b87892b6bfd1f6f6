import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAccessTable, refusalReason } from '../../src/push-listener/srt/srt-access-table.js';
import type { ActiveMark, RouteEntry } from '../../src/registry/registry-api.js';
import { decideAccess } from '../../src/srt/srt-access.js';
import { testRoute } from '../support/memory-registry.js';

const mark = (replica: string, protocol: 'rtmp' | 'srt'): ActiveMark => ({
  replica,
  protocol,
  peer: '10.0.0.1:1',
  session: 1,
  since: new Date(0).toISOString(),
});

test('access table: passphrase routes exclusive, marks elsewhere 1409, no seal 1403, unknown 1404', () => {
  const sealed = (stream: string) => testRoute('ns', stream, { srt: { sealed: `sealed-${stream}` } });
  const routes = new Map<string, RouteEntry>([
    ['ns/open', sealed('open')],
    ['ns/elsewhere', sealed('elsewhere')],
    ['ns/rtmp-here', sealed('rtmp-here')],
    ['ns/srt-here', sealed('srt-here')],
    ['ns/no-srt', testRoute('ns', 'no-srt')],
    ['ns/broken', sealed('broken')],
  ]);
  const marks = new Map([
    ['ns/elsewhere', mark('replica-b', 'srt')],
    ['ns/rtmp-here', mark('replica-a', 'rtmp')],
    ['ns/srt-here', mark('replica-a', 'srt')],
  ]);
  const table = buildAccessTable({
    routes,
    active: (key) => marks.get(key),
    replica: 'replica-a',
    passphrase: (key, route) =>
      key === 'ns/broken' ? { problem: 'bad seal' } : { passphrase: `pass-of-${route.stream}` },
  });
  assert.deepEqual(table, {
    otherwise: 1404,
    streams: {
      'ns/open': { passphrase: 'pass-of-open', exclusive: true },
      'ns/elsewhere': { reject: 1409 },
      'ns/rtmp-here': { reject: 1409 },
      'ns/srt-here': { passphrase: 'pass-of-srt-here', exclusive: true },
      'ns/no-srt': { reject: 1403 },
      'ns/broken': { reject: 1403 },
    },
  });
  const none = () => 0;
  for (const id of ['#!::r=ns/open,m=publish', 'ns/open', 'publish:ns/open']) {
    assert.equal(decideAccess(table, id, none).accept, true, id);
  }
});

test('refusal reasons: codes to labels; a 1404 for something that is no route is malformed', () => {
  assert.equal(refusalReason('#!::m=publish', 1400), 'malformed');
  assert.equal(refusalReason('#!::r=ns/a,m=request', 1403), 'forbidden');
  assert.equal(refusalReason('ns/a', 1409), 'conflict');
  assert.equal(refusalReason('ns/a', 1404), 'not-found');
  assert.equal(refusalReason('no route at all', 1404), 'malformed');
  assert.equal(refusalReason('ns/a', 10), 'bad-passphrase');
  assert.equal(refusalReason('ns/a', 11), 'bad-passphrase');
});
