import type { ServerResponse } from 'node:http';
import type { BufferHub } from '../buffer-hub.js';
import { type ConsoleStream, consoleStream, type PushListenerAddresses } from './console-view.js';
import type { StreamBoard } from './stream-board.js';

/** Every page gets the whole picture this often, changed or not (bitrate charts move on). */
const TICK_MS = 1000;
/** A burst of status and events goes out as one update after this. */
const CHANGE_DELAY_MS = 100;

/**
 * `GET /console/feed`: Server-Sent Events, one `streams` event with every stream the buffer knows
 * (from its media, its status reports or its events) at connect, on every change and every second.
 */
export class ConsoleFeed {
  readonly #hub: BufferHub;
  readonly #board: StreamBoard;
  readonly #listener: PushListenerAddresses;
  readonly #pages = new Set<ServerResponse>();
  #tick: NodeJS.Timeout | undefined;
  #pending: NodeJS.Timeout | undefined;

  constructor(hub: BufferHub, board: StreamBoard, listener: PushListenerAddresses) {
    this.#hub = hub;
    this.#board = board;
    this.#listener = listener;
  }

  streams(now = Date.now()): ConsoleStream[] {
    const keys = new Map<string, { namespace: string; name: string }>();
    for (const s of this.#hub.streams) keys.set(`${s.namespace}/${s.name}`, s);
    for (const e of this.#board.entries) keys.set(`${e.namespace}/${e.name}`, e);
    return [...keys.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, key]) =>
        consoleStream(
          key,
          this.#board.get(key.namespace, key.name),
          this.#hub.get(key.namespace, key.name),
          this.#listener,
          now,
        ),
      );
  }

  attach(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    this.#pages.add(response);
    response.once('close', () => {
      this.#pages.delete(response);
      if (this.#pages.size === 0) this.#stopTicking();
    });
    this.#send([response]);
    this.#tick ??= setInterval(() => this.#send(this.#pages), TICK_MS);
  }

  /** Status or events changed: pages hear it shortly, once per burst. */
  changed(): void {
    if (this.#pages.size === 0 || this.#pending !== undefined) return;
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#send(this.#pages);
    }, CHANGE_DELAY_MS);
  }

  close(): void {
    this.#stopTicking();
    for (const page of this.#pages) page.end();
    this.#pages.clear();
  }

  #stopTicking(): void {
    clearInterval(this.#tick);
    clearTimeout(this.#pending);
    this.#tick = undefined;
    this.#pending = undefined;
  }

  #send(pages: Iterable<ServerResponse>): void {
    const message = `event: streams\ndata: ${JSON.stringify(this.streams())}\n\n`;
    for (const page of pages) page.write(message);
  }
}
