// What the SRT engine and its loop say to each other (commands in, events out, plain data so
// the loop stays independent of its users). Socket ids are libsrt's SRTSOCKET numbers.
import type { LinkStats } from '../reader/reader-api.js';
import type { SrtFailure } from './srt-errors.js';
import type { SrtSocketOptions } from './srt-url.js';

/** A resolved address: libsrt takes a sockaddr, never a name. */
export interface SrtAddress {
  family: 4 | 6;
  address: string;
  port: number;
}

/** One stream id a listener accepts (or refuses with a code). */
export type SrtAccessEntry =
  | {
      /** Per-stream passphrase, set on the new socket during the handshake. */
      passphrase?: string;
      /** Refuse a second caller with 1409 (conflict) while one with this key is connected. */
      exclusive?: boolean;
    }
  | { reject: number };

/**
 * How a listener answers handshakes, decided in the loop from this table, so nothing slow
 * stalls libsrt's receiver thread. Keys are whole stream ids or their resource (`r=` of
 * `#!::…`, `publish:<resource>`, or the plain id).
 */
export interface SrtAccessTable {
  streams: Readonly<Record<string, SrtAccessEntry>>;
  /** Reject code for stream ids not in the table; default 1404 (not found). */
  otherwise?: number;
}

export type SrtCommand =
  | { op: 'connect'; req: number; address: SrtAddress; options: SrtSocketOptions }
  | {
      op: 'listen';
      req: number;
      address: SrtAddress;
      options: SrtSocketOptions;
      backlog: number;
      access?: SrtAccessTable;
    }
  | { op: 'set-access'; sock: number; access: SrtAccessTable | undefined }
  /** Closes a socket, or the socket a still pending connect request created. */
  | { op: 'close'; sock?: number; req?: number }
  /** Closes every socket and ends libsrt's use (srt_cleanup). */
  | { op: 'shutdown'; req: number };

export type SrtEvent =
  | { type: 'connected'; req: number; sock: number }
  | { type: 'listening'; req: number; sock: number; port: number }
  | { type: 'failed'; req: number; failure: SrtFailure }
  | { type: 'shut-down'; req: number }
  | { type: 'accepted'; listener: number; sock: number; streamId: string; peer: string }
  /** A handshake the access table refused (for logs and metrics; the caller saw `code`). */
  | { type: 'refused'; listener: number; streamId: string; peer: string; code: number }
  /** Received TS bytes, batched; `data` belongs to the receiver. */
  | { type: 'data'; sock: number; data: ArrayBuffer }
  | { type: 'stats'; sock: number; stats: LinkStats }
  /** A connected or listening socket ended on its own; it is closed already. */
  | { type: 'closed'; sock: number; failure: SrtFailure };
