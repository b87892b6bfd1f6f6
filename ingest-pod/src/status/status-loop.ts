import { changeSignature, type StatusDocument } from './status-document.js';

export interface StatusLoopOptions {
  /** The document as it stands now. */
  compose: () => StatusDocument;
  publish: (document: StatusDocument) => void;
  /** A document goes out at least this often, changed or not. */
  intervalMs?: number;
  /** How often the document is checked for changes between pokes. */
  checkMs?: number;
  now?: () => number;
}

export interface StatusLoop {
  /** Publishes now if anything meaningful changed since the last publication (see changeSignature). */
  poke(): void;
  /** Publishes now regardless (e.g. the last document before shutdown). */
  publishNow(): void;
  stop(): void;
}

/** Publishes the `.status` document on a meaningful change and every `intervalMs` (5 s). */
export function startStatusLoop({
  compose,
  publish,
  intervalMs = 5000,
  checkMs = 500,
  now = Date.now,
}: StatusLoopOptions): StatusLoop {
  let lastPublishedAt = Number.NEGATIVE_INFINITY;
  let lastSignature: string | undefined;
  const send = (document: StatusDocument, signature: string) => {
    lastPublishedAt = now();
    lastSignature = signature;
    publish(document);
  };
  const publishNow = () => {
    const document = compose();
    send(document, changeSignature(document));
  };
  const poke = () => {
    const document = compose();
    const signature = changeSignature(document);
    if (signature !== lastSignature || now() - lastPublishedAt >= intervalMs) send(document, signature);
  };
  const timer = setInterval(poke, Math.min(checkMs, intervalMs));
  timer.unref();
  publishNow();
  return { poke, publishNow, stop: () => clearInterval(timer) };
}
