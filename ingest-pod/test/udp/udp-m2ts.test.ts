// ffmpeg sends M2TS (192-byte packets, seven to a datagram) over UDP; our UDP reader demuxes what
// ffprobe reads from a copy of the same bytes.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { TsPacketReader } from '../../src/reader/ts-packet-reader.js';
import { parseUdpUrl } from '../../src/udp/udp-options.js';
import { UdpSource } from '../../src/udp/udp-source.js';
import { ffprobeTimeline, timelineOf } from '../support/ffprobe-timeline.js';
import { freeUdpPort, spawnFfmpeg, waitFor } from '../support/peers.js';
import { tsFileFixture } from '../support/ts-file-fixture.js';

// H.264 + AAC, which ffmpeg's M2TS mode writes as private data (stream type 0x06).
const media = tsFileFixture({ video: 'h264', audio: 'aac', seconds: 2 });

test('M2TS over UDP from ffmpeg: every access unit ffprobe reads from the same bytes', async () => {
  const port = await freeUdpPort();
  const reader = new TsPacketReader(new UdpSource(parseUdpUrl(`udp://127.0.0.1:${port}`)));
  await reader.open(new AbortController().signal);
  const packets: AVPacket[] = [];
  const reading = (async () => {
    for (;;) {
      const batch = await reader.read();
      if (batch === null) return;
      packets.push(...batch);
    }
  })();
  const copy = join(media.dir, 'sent.m2ts');
  const m2ts = 'f=mpegts:mpegts_m2ts_mode=1';
  const target = `udp\\://127.0.0.1\\:${port}?pkt_size=1344`; // 7 × 192
  const sender = spawnFfmpeg([
    '-i',
    media.file,
    '-map',
    '0',
    '-c',
    'copy',
    '-f',
    'tee',
    `[${m2ts}]${target}|[${m2ts}]${copy}`,
  ]);
  let sent = 0;
  try {
    assert.equal(await sender.exited, 0, sender.stderr());
    sent = (await stat(copy)).size;
    await waitFor(() => reader.counters.bytes >= sent, `${sent} bytes through the demuxer`);
  } finally {
    await sender.stop();
    await reader.close(); // end of input: the demuxer flushes its last access units
    await reading;
  }
  assert.equal(reader.counters.bytes, sent);
  assert.equal(reader.counters.dropped, 0);
  assert.equal(reader.counters.tsPackets, sent / 192);
  assert.equal(reader.counters.ccErrors, 0);
  const expected = await ffprobeTimeline(copy);
  assert.deepEqual([...expected.keys()], [0x1011, 0x1100]);
  assert.deepEqual(timelineOf(packets), expected);
});
