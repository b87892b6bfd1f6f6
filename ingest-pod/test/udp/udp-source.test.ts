import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { parseUdpUrl } from '../../src/udp/udp-options.js';
import { UdpSource } from '../../src/udp/udp-source.js';
import { concat, freeUdpPort, sendDatagrams, spawnFfmpeg, tsPacketCheck, waitFor } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';

const media = tsFileFixture({ seconds: 2 });

/** Reads in the background until the source is closed. */
function collect(source: UdpSource) {
  const chunks: Uint8Array[] = [];
  const done = (async () => {
    for (;;) {
      const batch = await source.read();
      if (batch === null) return;
      chunks.push(...batch);
    }
  })();
  return { chunks, done };
}

async function openSource(url: string): Promise<UdpSource> {
  const source = new UdpSource(parseUdpUrl(url));
  await source.open(new AbortController().signal);
  return source;
}

/** ffmpeg remuxes the media file to `target` and, through its tee muxer, to a file with the same bytes. */
async function sendWithFfmpeg(target: string, format = 'mpegts'): Promise<Buffer> {
  const copy = join(media.dir, `sent-${Math.random().toString(36).slice(2)}.ts`);
  const escaped = target.replaceAll(':', '\\:');
  const sender = spawnFfmpeg([
    '-i',
    media.file,
    '-map',
    '0',
    '-c',
    'copy',
    '-f',
    'tee',
    `[f=${format}]${escaped}|[f=mpegts]${copy}`,
  ]);
  try {
    assert.equal(await sender.exited, 0, sender.stderr());
  } finally {
    await sender.stop();
  }
  return readFile(copy);
}

/** Waits until `bytes` arrived (loopback delivers at once; the wait only spans scheduling). */
async function settle(chunks: Uint8Array[], bytes: number): Promise<void> {
  for (let i = 0; i < 500 && concat(chunks).length < bytes; i++) await sleep(20);
}

test('unicast: every byte ffmpeg sent arrives, in order, TS-aligned', async () => {
  const port = await freeUdpPort();
  const source = await openSource(`udp://127.0.0.1:${port}`);
  const got = collect(source);
  const sent = await sendWithFfmpeg(`udp://127.0.0.1:${port}?pkt_size=1316`);
  await settle(got.chunks, sent.length);
  await source.close();
  await got.done;
  assert.ok(sent.length > 100_000);
  assert.ok(concat(got.chunks).equals(sent), 'received bytes differ from what ffmpeg sent');
  const check = tsPacketCheck(got.chunks);
  assert.equal(check.aligned, true);
  assert.equal(check.packets, sent.length / 188);
  assert.equal(source.dropped, 0);
});

test('ASM multicast on loopback: join the group on iface 127.0.0.1', async () => {
  const port = await freeUdpPort();
  const source = await openSource(`udp://239.255.42.1:${port}?iface=127.0.0.1`);
  const got = collect(source);
  const sent = await sendWithFfmpeg(`udp://239.255.42.1:${port}?localaddr=127.0.0.1&ttl=1&pkt_size=1316`);
  await settle(got.chunks, sent.length);
  await source.close();
  await got.done;
  assert.ok(concat(got.chunks).equals(sent), 'received bytes differ from what ffmpeg sent');
});

test('SSM: only the named source is received; the same group without source= hears both', async () => {
  const group = '232.1.2.3';
  const ssmPort = await freeUdpPort();
  const asmPort = await freeUdpPort();
  const ssm = await openSource(`udp://${group}:${ssmPort}?source=127.0.0.1&iface=lo`);
  const asm = await openSource(`udp://${group}:${asmPort}?iface=127.0.0.1`);
  const gotSsm = collect(ssm);
  const gotAsm = collect(asm);
  const stranger = new Uint8Array(188 * 7).fill(0x47);
  const wanted = (await readFile(media.file)).subarray(0, 188 * 70);
  const viaLo = { bindAddress: '127.0.0.2', multicastInterface: '127.0.0.1' };
  for (const port of [ssmPort, asmPort]) {
    await sendDatagrams(stranger, { host: group, port }, viaLo);
    await sendDatagrams(wanted, { host: group, port }, { multicastInterface: '127.0.0.1' });
  }
  await settle(gotSsm.chunks, wanted.length);
  await settle(gotAsm.chunks, wanted.length + stranger.length);
  await ssm.close();
  await asm.close();
  await Promise.all([gotSsm.done, gotAsm.done]);
  assert.equal(
    concat(gotAsm.chunks).length,
    stranger.length + wanted.length,
    'control: both senders reach the group',
  );
  assert.ok(concat(gotSsm.chunks).equals(wanted), 'SSM socket got data from a source it did not join');
});

test('RTP-wrapped TS (ffmpeg -f rtp_mpegts) arrives stripped and aligned', async () => {
  const port = await freeUdpPort();
  const source = await openSource(`udp://127.0.0.1:${port}`);
  const got = collect(source);
  const sent = await sendWithFfmpeg(`rtp://127.0.0.1:${port}`, 'rtp_mpegts');
  // The RTP muxer's TS differs slightly from the tee copy (its own muxer settings): compare sizes.
  await settle(got.chunks, sent.length - 188 * 7);
  await source.close();
  await got.done;
  const check = tsPacketCheck(got.chunks);
  assert.equal(check.aligned, true);
  assert.ok(got.chunks.every((c) => c.length === 1316 || c.length % 188 === 0));
  assert.ok(Math.abs(check.bytes - sent.length) <= 188 * 7, `${check.bytes} vs ${sent.length}`);
  assert.equal(source.nonTsDatagrams, 0);
});

test('IPv6 unicast on ::1; a 65 424-byte datagram arrives whole', async () => {
  const port = await freeUdpPort(6);
  const source = await openSource(`udp://[::1]:${port}`);
  const got = collect(source);
  const data = (await readFile(media.file)).subarray(0, 188 * 300);
  await sendDatagrams(data, { host: '::1', port });
  const big = new Uint8Array(188 * 348).fill(0x47); // 65424 bytes: the largest whole-TS datagram
  await sendDatagrams(big, { host: '::1', port }, { size: big.length });
  await settle(got.chunks, data.length + big.length);
  await source.close();
  await got.done;
  assert.ok(concat(got.chunks).equals(Buffer.concat([data, big])));
  assert.equal(got.chunks.at(-1)?.length, big.length);
});

test('IPv6 multicast: the join on lo by interface name succeeds', async (t) => {
  // Loopback has no MULTICAST flag for IPv6 sends here (ENETUNREACH), so only the join is tested.
  const port = await freeUdpPort(6);
  const source = await openSource(`udp://[ff15::4242]:${port}?iface=lo`);
  t.after(() => source.close());
  assert.equal(source.boundPort, port);
});

test('a full queue drops and counts datagrams instead of growing', async () => {
  const port = await freeUdpPort();
  const source = await openSource(`udp://127.0.0.1:${port}?chan_buf=4`);
  const data = (await readFile(media.file)).subarray(0, 1316 * 40);
  await sendDatagrams(data, { host: '127.0.0.1', port });
  for (let i = 0; i < 500 && source.dropped < 36; i++) await sleep(20);
  const batch = await source.read();
  await source.close();
  assert.equal(batch?.length, 4);
  assert.equal(source.dropped, 36);
});

test('a flood beyond the byte budget is dropped and counted; the queue holds at most the budget', async () => {
  const port = await freeUdpPort();
  const budget = 64 * 1024; // the default is 8 MiB; a small one keeps the flood short
  const source = new UdpSource({ ...parseUdpUrl(`udp://127.0.0.1:${port}`), queueBytes: budget });
  await source.open(new AbortController().signal);
  try {
    // Whole 1316-byte datagrams only (a short last one of a file would squeeze in after the bound).
    const data = Buffer.alloc(1316 * 200);
    for (let at = 0; at < data.length; at += 188) data[at] = 0x47;
    await sendDatagrams(data, { host: '127.0.0.1', port });
    const held = Math.floor(budget / 1316);
    await waitFor(() => source.dropped > 0, 'datagrams beyond the budget to be dropped');
    const batch = (await source.read()) ?? [];
    const bytes = batch.reduce((sum, d) => sum + d.length, 0);
    assert.ok(bytes <= budget, `${bytes} bytes queued, budget ${budget}`);
    assert.equal(batch.length, held, 'the count bound (4096) did not bite first');
    await sendDatagrams(data.subarray(0, 1316), { host: '127.0.0.1', port });
    // Stragglers of the flood may still be queued ahead of it: what matters is that one fits again.
    const after = (await source.read()) ?? [];
    assert.ok(after.length >= 1, 'reading freed the budget');
  } finally {
    await source.close();
  }
});

test('non-TS datagrams are dropped and counted', async () => {
  const port = await freeUdpPort();
  const source = await openSource(`udp://127.0.0.1:${port}`);
  await sendDatagrams(new Uint8Array(100).fill(0x11), { host: '127.0.0.1', port });
  await sendDatagrams(new Uint8Array(188).fill(0x47), { host: '127.0.0.1', port });
  const batch = await source.read();
  await source.close();
  assert.equal(batch?.length, 1);
  assert.equal(source.nonTsDatagrams, 1);
  assert.match(source.lastDropReason ?? '', /RTP version 0/);
});

test('open errors: port in use (retriable), unknown interface (permanent)', async () => {
  const port = await freeUdpPort();
  const first = await openSource(`udp://127.0.0.1:${port}`);
  try {
    await assert.rejects(openSource(`udp://127.0.0.1:${port}`), (err: unknown) => {
      return (
        err instanceof ReaderError &&
        err.retriable &&
        /cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/.test(err.message)
      );
    });
  } finally {
    await first.close();
  }
  await assert.rejects(
    openSource(`udp://239.255.42.2:${port}?iface=nosuch0`),
    (err: unknown) =>
      err instanceof ReaderError && !err.retriable && /'nosuch0' does not exist/.test(err.message),
  );
});

test('close before open and read after close are safe; the source reopens', async () => {
  const port = await freeUdpPort();
  const source = new UdpSource(parseUdpUrl(`udp://127.0.0.1:${port}`));
  await source.close();
  assert.equal(await source.read(), null);
  await source.open(new AbortController().signal);
  const pending = source.read();
  await source.close();
  assert.equal(await pending, null);
  await source.open(new AbortController().signal);
  await sendDatagrams(new Uint8Array(188).fill(0x47), { host: '127.0.0.1', port });
  assert.equal((await source.read())?.length, 1);
  await source.close();
});
