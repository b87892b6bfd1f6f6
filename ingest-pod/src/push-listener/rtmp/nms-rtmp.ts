// node-media-server's RTMP protocol engine for one connection, with the limits it lacks, and its
// process-wide logger turned down and routed through ours.
//
// Only the engine (src/protocol/rtmp.js) is used, not NodeMediaServer: that class cannot listen
// on port 0, exits the process when its port is taken, opens a store that installs SIGTERM and
// exit hooks, shares one event bus and stream table across instances, and makes every publish
// (a wrong key's too) the path's publisher before any hook has decided, so that it closes the
// real encoder itself when that one arrives while a guesser is still being checked.

import nmsLogger from 'node-media-server/src/core/logger.js';
import Rtmp from 'node-media-server/src/protocol/rtmp.js';
import type { Logger } from 'pino';

/** Thrown inside the engine's parser when a peer asks for more memory than its budget. */
export class RtmpLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RtmpLimitError';
  }
}

export interface RtmpLimits {
  /** Chunk streams one connection may open; encoders use fewer than ten. */
  maxChunkStreams: number;
  /** Reassembly buffers of all chunk streams together, in bytes (asked anew at every message). */
  maxBufferedBytes: () => number;
}

/**
 * A fresh engine. Its parser sizes each message buffer from the declared length (up to 16 MiB)
 * on any chunk stream id, so a few hundred bytes of chunk headers could make it allocate
 * gigabytes: every allocation is checked against `limits` first and refused by throwing.
 */
export function createRtmpEngine(limits: RtmpLimits): Rtmp {
  const rtmp = new Rtmp();
  rtmp.flv = null; // 1 MiB per connection that RTMP never touches
  const allocate = rtmp.packetAlloc.bind(rtmp);
  rtmp.packetAlloc = () => {
    if (rtmp.inPackets.size > limits.maxChunkStreams) {
      throw new RtmpLimitError(`more than ${limits.maxChunkStreams} chunk streams`);
    }
    const packet = rtmp.parserPacket;
    if (packet.capacity < packet.header.length) {
      let buffered = packet.header.length;
      for (const other of rtmp.inPackets.values()) if (other !== packet) buffered += other.capacity;
      const budget = limits.maxBufferedBytes();
      if (buffered > budget) {
        throw new RtmpLimitError(
          `a ${packet.header.length}-byte message would buffer more than ${budget} bytes`,
        );
      }
    }
    allocate();
  };
  return rtmp;
}

let routedTo: Logger | undefined;

/**
 * The engine's logger is a singleton that starts at "debug" and prints with console.log. What it
 * says about a connection is about bytes a peer sent (unknown commands, AMF fields): its warnings
 * and errors become debug lines of the most recently started server's logger, the rest is dropped.
 */
export function routeEngineLogging(log: Logger): void {
  routedTo = log.child({ component: 'node-media-server' });
  nmsLogger.level = 'warn';
  nmsLogger.log = (message: string, level?: string) => {
    if (level === 'warn' || level === 'error') routedTo?.debug({ nmsLevel: level }, String(message));
  };
}
