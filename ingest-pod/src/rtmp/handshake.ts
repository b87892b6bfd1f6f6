import { RtmpProtocolError } from './protocol.js';

export const RTMP_VERSION = 3;
export const HANDSHAKE_SIZE = 1536;
const SERVER_HELLO = 1 + HANDSHAKE_SIZE; // S0 + S1
const SERVER_TOTAL = SERVER_HELLO + HANDSHAKE_SIZE; // + S2

/**
 * C0 + C1 of the simple handshake: version 3, a 4-byte epoch, four zero bytes and random filler.
 * The zeros tell servers that also speak the digest ("complex") handshake to answer plainly;
 * ffmpeg, node-media-server, nginx-rtmp, SRS and Wowza all do.
 */
export function clientHello(epochMs: number, random: Uint8Array): Uint8Array {
  if (random.length < HANDSHAKE_SIZE - 8) throw new RangeError('clientHello: need 1528 random bytes');
  const out = new Uint8Array(1 + HANDSHAKE_SIZE);
  out[0] = RTMP_VERSION;
  new DataView(out.buffer).setUint32(1, epochMs >>> 0);
  out.set(random.subarray(0, HANDSHAKE_SIZE - 8), 9);
  return out;
}

/** What one call to ClientHandshake.receive produced. */
export interface HandshakeStep {
  /** C2, to be sent as soon as S1 is in. */
  send?: Uint8Array;
  /** True once S2 is in: the chunk stream starts. */
  done: boolean;
  /** Bytes after S2 in the same read: the first chunks, for the chunk reader. */
  rest?: Uint8Array;
}

/**
 * The client side after C0+C1 went out: collects S0+S1+S2 in any chunking. C2 echoes S1 whole
 * (its epoch and random bytes), which is what ffmpeg's server checks. S2 is not verified: servers
 * that answer with a digest handshake send something other than our C1 there.
 */
export class ClientHandshake {
  private readonly buffer = new Uint8Array(SERVER_TOTAL);
  private filled = 0;
  private sentC2 = false;

  get done(): boolean {
    return this.filled === SERVER_TOTAL;
  }

  receive(bytes: Uint8Array): HandshakeStep {
    if (this.done) return { done: true, rest: bytes };
    const take = Math.min(bytes.length, SERVER_TOTAL - this.filled);
    this.buffer.set(bytes.subarray(0, take), this.filled);
    this.filled += take;
    const step: HandshakeStep = { done: this.done };
    if (this.filled >= 1 && this.buffer[0] !== RTMP_VERSION) {
      throw new RtmpProtocolError(
        `the server answered the handshake with version ${this.buffer[0]}; only plain RTMP (version 3) is supported`,
      );
    }
    if (!this.sentC2 && this.filled >= SERVER_HELLO) {
      this.sentC2 = true;
      step.send = this.buffer.slice(1, SERVER_HELLO);
    }
    if (take < bytes.length) step.rest = bytes.subarray(take);
    return step;
  }
}
