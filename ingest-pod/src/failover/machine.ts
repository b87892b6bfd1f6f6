import { type FailoverView, failoverView } from './failover-view.js';
import { createFailoverState, shouldPublish, step } from './step.js';
import type {
  ControlReply,
  FailoverEffect,
  FailoverEvent,
  FailoverEventPayloads,
  FailoverEventType,
  FailoverInputSpec,
  FailoverOverrides,
  FailoverState,
} from './types.js';

type EffectOf<T extends FailoverEffect['type']> = Extract<FailoverEffect, { type: T }>;

/**
 * What the shell does with effects. Handlers run synchronously, in order, and must not dispatch
 * back into the machine while they run (queue the report, e.g. with queueMicrotask).
 */
export interface FailoverEffectHandlers {
  startReader(effect: EffectOf<'startReader'>): void;
  stopReader(readerId: number): void;
  promote(effect: EffectOf<'promote'>): void;
  emit<K extends FailoverEventType>(event: K, payload: FailoverEventPayloads[K]): void;
  viewChanged(view: FailoverView): void;
}

export interface FailoverMachineOptions {
  inputs: readonly FailoverInputSpec[];
  overrides?: FailoverOverrides;
  /** Epoch milliseconds that never go back (e.g. performance.timeOrigin + performance.now()). */
  clock: () => number;
  handlers: FailoverEffectHandlers;
}

/** `step` with its state, clock and effect execution held in one place for the shell. */
export class FailoverMachine {
  #state: FailoverState;
  #dispatching = false;
  readonly #clock: () => number;
  readonly #handlers: FailoverEffectHandlers;

  constructor(options: FailoverMachineOptions) {
    this.#state = createFailoverState(options.inputs, options.overrides);
    this.#clock = options.clock;
    this.#handlers = options.handlers;
  }

  get state(): FailoverState {
    return this.#state;
  }

  view(): FailoverView {
    return failoverView(this.#state);
  }

  shouldPublish(readerId: number): boolean {
    return shouldPublish(this.#state, readerId);
  }

  /** Applies one event and executes its effects; returns the reply of a manual switch. */
  dispatch(event: FailoverEvent): ControlReply | undefined {
    if (this.#dispatching) throw new Error(`failover: '${event.type}' dispatched from an effect handler`);
    const result = step(this.#state, event, this.#clock());
    this.#state = result.state;
    this.#dispatching = true;
    try {
      for (const effect of result.effects) this.#execute(effect);
    } finally {
      this.#dispatching = false;
    }
    return result.reply;
  }

  #execute(effect: FailoverEffect): void {
    switch (effect.type) {
      case 'startReader':
        this.#handlers.startReader(effect);
        return;
      case 'stopReader':
        this.#handlers.stopReader(effect.readerId);
        return;
      case 'promote':
        this.#handlers.promote(effect);
        return;
      case 'emit':
        this.#handlers.emit(effect.event, effect.payload);
        return;
      case 'viewChanged':
        this.#handlers.viewChanged(failoverView(this.#state));
    }
  }
}
