import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-client.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/** The apiserver no longer has the requested resourceVersion (410 Gone): list again. */
export class WatchGoneError extends Error {}

/**
 * Reads a watch response (one JSON event per line) until it ends. Resolves when the server ends the
 * watch; rejects on a broken connection, an ERROR event, or no data for `idleMs`.
 */
export function readWatchEvents(
  response: IncomingMessage,
  idleMs: number,
  onEvent: (type: WatchEventType, object: unknown) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = '';
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        response.destroy();
        reject(error);
      } else resolve();
    };
    let timer = setTimeout(() => finish(new Error(`watch idle for ${idleMs} ms`)), idleMs);
    const line = (text: string) => {
      if (text.trim() === '') return;
      let event: { type?: string; object?: { code?: number; message?: string; reason?: string } };
      try {
        event = JSON.parse(text);
      } catch {
        finish(new Error('watch sent a line that is not JSON'));
        return;
      }
      if (event.type === 'ERROR') {
        const status = event.object ?? {};
        finish(
          status.code === 410
            ? new WatchGoneError(status.message ?? 'resource version too old')
            : new ApiError(status.code ?? 500, `watch: ${status.message ?? 'error'}`, status.reason),
        );
        return;
      }
      if (
        event.type === 'ADDED' ||
        event.type === 'MODIFIED' ||
        event.type === 'DELETED' ||
        event.type === 'BOOKMARK'
      ) {
        try {
          onEvent(event.type, event.object);
        } catch (error) {
          finish(error as Error);
        }
      }
    };
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new Error(`watch idle for ${idleMs} ms`)), idleMs);
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0 && !settled) {
        line(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
    response.on('end', () => {
      if (pending) line(pending);
      finish();
    });
    response.on('aborted', () => finish(new Error('watch connection aborted')));
    response.on('error', (error) => finish(error));
    response.on('close', () => {
      if (!response.complete) finish(new Error('watch connection closed'));
      else finish();
    });
  });
}
