// A scriptable HLS origin for reader tests: real ffmpeg segments behind a playlist whose window,
// numbering and failures the test controls. Segment `seg/<n>.ts` serves file n mod N.
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { type HttpPeer, serveDirectory, startHttpServer } from '../support/peers.js';

export interface LiveState {
  mediaSequence: number;
  windowSize: number;
  discontinuitySequence: number;
  ended: boolean;
  targetDuration: number;
  /** Extra lines after the header (EXT-X-KEY, …). */
  extraTags: string[];
}

export interface LiveOrigin {
  peer: HttpPeer;
  state: LiveState;
  /** Status codes to answer, in order, before answering normally; keyed by path. */
  failures: Map<string, number[]>;
  /** Replaces the body of a path. */
  overrides: Map<string, string | Buffer>;
  /** Paths of segment requests (`/high/seg/103.ts`), in order. */
  segmentRequests(): string[];
  /** Bytes of the segment with this sequence number. */
  segmentBytes(sequence: number): Buffer;
  close(): Promise<void>;
}

export async function startLiveOrigin(segmentFiles: readonly string[], vodDir: string): Promise<LiveOrigin> {
  const segments = await Promise.all(segmentFiles.map((f) => readFile(f)));
  const state: LiveState = {
    mediaSequence: 100,
    windowSize: 6,
    discontinuitySequence: 0,
    ended: false,
    targetDuration: 1,
    extraTags: [],
  };
  const failures = new Map<string, number[]>();
  const overrides = new Map<string, string | Buffer>();
  const vod = serveDirectory(vodDir);
  const segmentBytes = (n: number) => segments[n % segments.length]!;
  const playlist = () => {
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      `#EXT-X-TARGETDURATION:${state.targetDuration}`,
      `#EXT-X-MEDIA-SEQUENCE:${state.mediaSequence}`,
      `#EXT-X-DISCONTINUITY-SEQUENCE:${state.discontinuitySequence}`,
      ...state.extraTags,
    ];
    for (let n = state.mediaSequence; n < state.mediaSequence + state.windowSize; n++) {
      lines.push('#EXTINF:1.000000,', `seg/${n}.ts`);
    }
    if (state.ended) lines.push('#EXT-X-ENDLIST');
    return `${lines.join('\n')}\n`;
  };
  const send = (res: ServerResponse, body: string | Buffer) => res.writeHead(200).end(body);
  const peer = await startHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const queued = failures.get(path);
    const status = queued?.shift();
    if (status !== undefined) return void res.writeHead(status).end(`status ${status}`);
    const override = overrides.get(path);
    if (override !== undefined) return void send(res, override);
    if (path.startsWith('/vod/')) return vod(Object.assign(req, { url: path.slice(4) }), res);
    if (path === '/master.m3u8') {
      return void send(
        res,
        [
          '#EXTM3U',
          '#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=160x120',
          'low/live.m3u8',
          '#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=320x240',
          'high/live.m3u8',
          '#EXT-X-STREAM-INF:BANDWIDTH=600000',
          'mid/live.m3u8',
        ].join('\n'),
      );
    }
    if (path.endsWith('/live.m3u8')) return void send(res, playlist());
    const seg = /\/seg\/(\d+)\.ts$/.exec(path);
    if (seg) return void send(res, segmentBytes(Number(seg[1])));
    res.writeHead(404).end();
  });
  return {
    peer,
    state,
    failures,
    overrides,
    segmentRequests: () => peer.requests.map((r) => r.path.split('?')[0]!).filter((p) => p.endsWith('.ts')),
    segmentBytes,
    close: () => peer.close(),
  };
}
