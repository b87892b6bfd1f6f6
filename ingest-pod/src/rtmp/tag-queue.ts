import type { FlvTag } from '../flv/flv-tag.js';

export interface TagQueueOptions {
  /** Hard limit: tags beyond it are dropped and counted (16 384, minutes of audio and video). */
  capacity?: number;
  /** At this many tags, or `pauseBytes`, `onPause` asks the socket to stop reading. */
  pauseTags?: number;
  pauseBytes?: number;
  onPause?: () => void;
  /** Called once the reader has taken the queue below half of both pause marks. */
  onResume?: () => void;
}

/**
 * Tags between the socket (push) and read() (take). A slow consumer first pauses the socket, so
 * TCP pushes back on the server and nothing is lost; the hard capacity only catches what was
 * already inside the last socket read, and drops (counted) beyond it.
 */
export class TagQueue {
  private items: FlvTag[] = [];
  private head = 0;
  private bytes = 0;
  private pausedNow = false;
  private ended = false;
  private failure: Error | undefined;
  private waiter: (() => void) | undefined;
  private readonly capacity: number;
  private readonly pauseTags: number;
  private readonly pauseBytes: number;
  dropped = 0;

  constructor(private readonly options: TagQueueOptions = {}) {
    this.capacity = options.capacity ?? 16_384;
    this.pauseTags = options.pauseTags ?? 1024;
    this.pauseBytes = options.pauseBytes ?? 8 * 1024 * 1024;
  }

  /** True between onPause and onResume. */
  get paused(): boolean {
    return this.pausedNow;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  push(tag: FlvTag): void {
    if (this.ended) return;
    if (this.length >= this.capacity) {
      this.dropped++;
      return;
    }
    this.items.push(tag);
    this.bytes += tag.data.length;
    if (!this.pausedNow && (this.length >= this.pauseTags || this.bytes >= this.pauseBytes)) {
      this.pausedNow = true;
      this.options.onPause?.();
    }
    this.wake();
  }

  /** Ends the queue: queued tags are still taken, then `take` rejects with `failure` or returns null. */
  end(failure?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.wake();
  }

  /** Up to `max` tags (at least one), waiting while the queue is empty; null once ended and drained. */
  async take(max: number): Promise<FlvTag[] | null> {
    while (this.length === 0) {
      if (this.ended) {
        if (this.failure !== undefined) throw this.failure;
        return null;
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    const end = Math.min(this.items.length, this.head + max);
    const batch = this.items.slice(this.head, end);
    this.head = end;
    if (this.head === this.items.length || this.head > 4096) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    for (const tag of batch) this.bytes -= tag.data.length;
    if (this.pausedNow && this.length <= this.pauseTags / 2 && this.bytes <= this.pauseBytes / 2) {
      this.pausedNow = false;
      this.options.onResume?.();
    }
    return batch;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
