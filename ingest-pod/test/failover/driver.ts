import assert from 'node:assert/strict';
import { createFailoverState, step } from '../../src/failover/step.js';
import { MONITOR_TICK_MS } from '../../src/failover/timings.js';
import type {
  ControlReply,
  FailoverEffect,
  FailoverEvent,
  FailoverEventType,
  FailoverInputSpec,
  FailoverOverrides,
  FailoverState,
  InputProtocol,
  ReaderRole,
} from '../../src/failover/types.js';

export const T0 = Date.UTC(2026, 0, 1);

export function specs(...protocols: InputProtocol[]): FailoverInputSpec[] {
  return protocols.map((protocol, i) => ({ protocol, configHash: `${protocol}-${i}` }));
}

interface LiveReader {
  id: number;
  priority: number;
  role: ReaderRole;
}

/**
 * Drives `step` with a fake clock the way the shell would: tracks the readers the machine asked
 * for and keeps every effect, so tests can talk in priorities instead of reader ids.
 */
export class Driver {
  state: FailoverState;
  now = T0;
  /** Every effect so far, in order. */
  log: FailoverEffect[] = [];
  /** Effects of the latest `send`/`advance`. */
  last: FailoverEffect[] = [];
  lastReply: ControlReply | undefined;
  readonly live = new Map<number, LiveReader>();
  /** Priorities whose published reader delivers media before every tick (a healthy source). */
  readonly delivering = new Set<number>();
  /** Every running reader, whatever its role, delivers media before every tick (all sources healthy). */
  allDelivering = false;

  constructor(inputs: FailoverInputSpec[], overrides: FailoverOverrides = {}) {
    this.state = createFailoverState(inputs, overrides);
  }

  send(event: FailoverEvent): FailoverEffect[] {
    const before = structuredClone(this.state);
    const result = step(this.state, event, this.now);
    assert.deepEqual(this.state, before, 'step must not modify the state it was given');
    this.state = result.state;
    this.lastReply = result.reply;
    for (const effect of result.effects) this.#track(effect);
    this.log.push(...result.effects);
    this.last = result.effects;
    return result.effects;
  }

  #track(effect: FailoverEffect): void {
    if (effect.type === 'startReader') {
      assert.ok(!this.live.has(effect.readerId), `reader ${effect.readerId} started twice`);
      this.live.set(effect.readerId, { id: effect.readerId, priority: effect.priority, role: effect.role });
    } else if (effect.type === 'stopReader') {
      assert.ok(this.live.delete(effect.readerId), `reader ${effect.readerId} stopped but not running`);
    } else if (effect.type === 'promote') {
      const reader = this.live.get(effect.readerId);
      assert.ok(reader, `promoted reader ${effect.readerId} is not running`);
      reader.role = 'active';
    }
  }

  /** One monitor period: media from delivering sources, then the tick. */
  #tick(): FailoverEffect[] {
    this.now += MONITOR_TICK_MS;
    const effects: FailoverEffect[] = [];
    for (const reader of [...this.live.values()]) {
      if (!this.live.has(reader.id)) continue;
      if (this.allDelivering || (reader.role === 'active' && this.delivering.has(reader.priority))) {
        effects.push(...this.send({ type: 'packet', readerId: reader.id }));
      }
    }
    effects.push(...this.send({ type: 'tick' }));
    return effects;
  }

  /** Moves the clock, ticking every MONITOR_TICK_MS on the way; returns all effects. */
  advance(ms: number): FailoverEffect[] {
    const effects: FailoverEffect[] = [];
    const end = this.now + ms;
    while (this.now + MONITOR_TICK_MS <= end) effects.push(...this.#tick());
    this.now = end;
    this.last = effects;
    return effects;
  }

  /** Advances in ticks until `done` holds; fails after `limitMs`. Returns the elapsed time. */
  advanceUntil(done: () => boolean, limitMs: number): number {
    const start = this.now;
    while (!done()) {
      assert.ok(this.now - start < limitMs, `condition not met within ${limitMs} ms`);
      this.#tick();
    }
    return this.now - start;
  }

  /** The running reader for `priority` (by the priority it was started with), optionally of one role. */
  reader(priority: number, role?: ReaderRole): number {
    const found = [...this.live.values()].filter(
      (r) => r.priority === priority && (role === undefined || r.role === role),
    );
    assert.equal(
      found.length,
      1,
      `expected one ${role ?? ''} reader of input ${priority}, got ${found.length}`,
    );
    return found[0]!.id;
  }

  hasReader(priority: number, role?: ReaderRole): boolean {
    return [...this.live.values()].some(
      (r) => r.priority === priority && (role === undefined || r.role === role),
    );
  }

  packet(priority: number, role?: ReaderRole): FailoverEffect[] {
    return this.send({ type: 'packet', readerId: this.reader(priority, role) });
  }

  fail(priority: number, message = 'boom', permanent = true, role?: ReaderRole): FailoverEffect[] {
    return this.send({ type: 'readerError', readerId: this.reader(priority, role), message, permanent });
  }

  /** start + first media from input `priority` (after the ones before it failed, if any). */
  startLive(priority = 0): this {
    this.send({ type: 'start' });
    for (let p = 0; p < priority; p++) this.fail(p, `input ${p} down`);
    this.packet(priority, 'candidate');
    return this;
  }

  publishing(): number | null {
    const id = this.state.publishingReaderId;
    return id === null ? null : (this.live.get(id)?.priority ?? null);
  }

  health(): string[] {
    return this.state.inputs.map((input) => input.health);
  }
}

/** Effects of one kind, narrowed. */
export function ofType<T extends FailoverEffect['type']>(
  effects: readonly FailoverEffect[],
  type: T,
): Extract<FailoverEffect, { type: T }>[] {
  return effects.filter((effect): effect is Extract<FailoverEffect, { type: T }> => effect.type === type);
}

export function events(
  effects: readonly FailoverEffect[],
  type?: FailoverEventType,
): { event: string; payload: unknown }[] {
  return ofType(effects, 'emit')
    .filter((effect) => type === undefined || effect.event === type)
    .map(({ event, payload }) => ({ event, payload }));
}

/** A compact trace for ordering assertions: "start:1:candidate", "promote:1", "stop#3", "emit:input.failover". */
export function trace(effects: readonly FailoverEffect[]): string[] {
  const label = (effect: FailoverEffect): string => {
    switch (effect.type) {
      case 'startReader':
        return `start:${effect.priority}:${effect.role}`;
      case 'stopReader':
        return `stop#${effect.readerId}`;
      case 'promote':
        return `promote:${effect.priority}`;
      case 'emit':
        return `emit:${effect.event}`;
      case 'viewChanged':
        return '';
    }
  };
  return effects.map(label).filter((text) => text !== '');
}
