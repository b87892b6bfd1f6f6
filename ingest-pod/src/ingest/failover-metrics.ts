import { Counter, Gauge, type Registry } from 'prom-client';
import type { FailoverView, InputViewState } from '../failover/failover-view.js';
import type { FailoverEventPayloads, FailoverEventType } from '../failover/types.js';

const PREFIX = 'tributary_ingest_';
const STATES: readonly InputViewState[] = ['standby', 'connecting', 'active', 'degraded', 'probing'];

/** The input manager's metrics, on the pod's registry next to the reader and publisher metrics. */
export interface FailoverMetrics {
  /** Keeps the gauges in step with the failover view. */
  observe(view: FailoverView): void;
  /** Counts what the failover events report. */
  count<K extends FailoverEventType>(event: K, payload: FailoverEventPayloads[K]): void;
}

export function createFailoverMetrics(registry: Registry): FailoverMetrics {
  const registers = [registry];
  const switches = new Counter({
    name: `${PREFIX}input_switches_total`,
    help: 'Changes of the published input, by reason (initial, error, timeout, failback, recovery, manual, ...)',
    labelNames: ['reason'] as const,
    registers,
  });
  const errors = new Counter({
    name: `${PREFIX}input_errors_total`,
    help: 'Errors recorded in the input error histories, by input priority and permanence',
    labelNames: ['input', 'permanent'] as const,
    registers,
  });
  const recoveries = new Counter({
    name: `${PREFIX}input_recoveries_total`,
    help: 'Degraded inputs that delivered media again (probe or lingering reader)',
    labelNames: ['input'] as const,
    registers,
  });
  const activeInput = new Gauge({
    name: `${PREFIX}active_input`,
    help: 'Priority of the published input; -1 before any',
    registers,
  });
  const live = new Gauge({
    name: `${PREFIX}live`,
    help: '1 while the published input delivers media',
    registers,
  });
  const exhausted = new Gauge({
    name: `${PREFIX}exhausted`,
    help: '1 while no input is healthy',
    registers,
  });
  const inputState = new Gauge({
    name: `${PREFIX}input_state`,
    help: '1 for the state each input is in (standby, connecting, active, degraded, probing)',
    labelNames: ['input', 'state'] as const,
    registers,
  });
  activeInput.set(-1);
  live.set(0);
  exhausted.set(0);

  return {
    observe(view) {
      activeInput.set(view.activeInput ?? -1);
      live.set(view.live ? 1 : 0);
      exhausted.set(view.exhausted ? 1 : 0);
      inputState.reset();
      for (const input of view.inputs) {
        for (const state of STATES) {
          inputState.set({ input: String(input.priority), state }, input.state === state ? 1 : 0);
        }
      }
    },
    count(event, payload) {
      if (event === 'input.failover') {
        switches.inc({ reason: (payload as FailoverEventPayloads['input.failover']).reason });
      } else if (event === 'input.error') {
        const error = payload as FailoverEventPayloads['input.error'];
        errors.inc({ input: String(error.priority), permanent: String(error.permanent) });
      } else if (event === 'input.recovered') {
        recoveries.inc({ input: String((payload as FailoverEventPayloads['input.recovered']).priority) });
      }
    },
  };
}
