// An in-memory PushGate for protocol-server tests: routes and keys in a map, every attempt and
// refusal recorded, every admitted publisher's relayed bytes kept, revocation by hand.
//
//   const gate = new FakePushGate({ 'ns/news': 'secret' });
//   … publish …
//   gate.refusals        // [{ reason: 'bad-key', peer, route, via: 'admit' }]
//   gate.publishers[0]   // .chunks, .endReason, .revoke('stream deleted')
import type {
  Admission,
  PublishAttempt,
  Publisher,
  PushGate,
  RejectReason,
} from '../../src/push-listener/push-gate-api.js';

export interface RecordedRefusal {
  reason: RejectReason;
  detail: string;
  peer: string;
  route?: string;
  /** 'admit': the gate decided; 'refused': the protocol server decided and reported it. */
  via: 'admit' | 'refused';
}

export class FakePublisher implements Publisher {
  readonly chunks: Uint8Array[] = [];
  relayedBytes = 0;
  /** The reason of the first `end`; later calls are counted only (end is idempotent). */
  endReason: string | undefined;
  endCalls = 0;
  onRevoked: (reason: string) => void = () => undefined;

  constructor(
    readonly route: string,
    readonly session: number,
    readonly attempt: PublishAttempt,
  ) {}

  get ended(): boolean {
    return this.endReason !== undefined;
  }

  relay(bytes: Uint8Array): void {
    if (this.ended) return; // like the real relay: nothing after the end
    this.chunks.push(bytes.slice());
    this.relayedBytes += bytes.length;
  }

  end(reason: string): void {
    this.endCalls++;
    this.endReason ??= reason;
  }

  /** What the gate does when the Stream goes away: tells the protocol server, then ends it. */
  revoke(reason: string): void {
    this.onRevoked(reason);
    this.end(reason);
  }
}

export interface FakePushGateOptions {
  /** Added before every decision (the real gate waits on scrypt and the registry). */
  delayMs?: number;
}

export class FakePushGate implements PushGate {
  readonly attempts: PublishAttempt[] = [];
  readonly refusals: RecordedRefusal[] = [];
  readonly publishers: FakePublisher[] = [];
  private readonly active = new Set<string>();
  private nextSession = 1;

  /** `routes`: route key -> publish key. */
  constructor(
    readonly routes: Record<string, string>,
    private readonly options: FakePushGateOptions = {},
  ) {}

  async admit(attempt: PublishAttempt): Promise<Admission> {
    this.attempts.push(attempt);
    if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    const refuse = (reason: RejectReason, detail: string): Admission => {
      this.refusals.push({ reason, detail, peer: attempt.peer, route: attempt.route, via: 'admit' });
      return { ok: false, reason, detail };
    };
    const key = this.routes[attempt.route];
    if (key === undefined) return refuse('not-found', 'no Stream with a push input is registered there');
    if (attempt.key === undefined) return refuse('bad-key', 'no publish key given');
    if (attempt.key !== key) return refuse('bad-key', 'wrong publish key');
    if (this.active.has(attempt.route)) return refuse('conflict', 'the stream already has a publisher');
    this.active.add(attempt.route);
    const publisher = new FakePublisher(attempt.route, this.nextSession++, attempt);
    const end = publisher.end.bind(publisher);
    publisher.end = (reason) => {
      if (!publisher.ended) this.active.delete(attempt.route);
      end(reason);
    };
    this.publishers.push(publisher);
    return { ok: true, publisher };
  }

  refused(_protocol: 'rtmp' | 'srt', reason: RejectReason, detail: string, peer: string): void {
    this.refusals.push({ reason, detail, peer, via: 'refused' });
  }

  /** The publisher admitted for `route` most recently. */
  publisherOf(route: string): FakePublisher | undefined {
    return this.publishers.findLast((p) => p.route === route);
  }

  refusalsOf(peerOrRoute: string): RecordedRefusal[] {
    return this.refusals.filter((r) => r.peer === peerOrRoute || r.route === peerOrRoute);
  }
}
