import type { InputStatus, StreamPhase } from './schema/stream-status.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ConditionValue {
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** What an ingest pod's `.status` report says about its inputs (the fields this rule reads). */
export interface IngestReport {
  /** Priority of the input being published (or, while none delivers, of the last one). */
  activeInput: number | null;
  exhausted: boolean;
  inputs: readonly Pick<InputStatus, 'priority' | 'state' | 'errors'>[];
}

/** A running pod's phase, and the Live and Degraded conditions, from its report. */
export interface IngestAssessment {
  phase: Extract<StreamPhase, 'Connecting' | 'Live' | 'Degraded' | 'Failed'>;
  live: ConditionValue;
  degraded: ConditionValue;
}

export const NOTHING_DEGRADED: ConditionValue = {
  status: 'False',
  reason: 'AsExpected',
  message: 'nothing is degraded',
};

/**
 * Live when the active input delivers; Degraded when that is a fallback or another input fails;
 * Failed when no input is left; Connecting otherwise. `label` names an input in messages. Pure:
 * the operator writes it into the Stream, the buffer's console shows it.
 */
export function assessIngestReport(
  report: IngestReport,
  label: (priority: number) => string,
): IngestAssessment {
  const active = report.activeInput;
  const activeState = active === null ? undefined : report.inputs.find((i) => i.priority === active)?.state;
  const failing = report.inputs.filter((i) => i.state === 'degraded' && i.priority !== active);
  const lastError = (i: IngestReport['inputs'][number]) => (i.errors?.[0] ? `: ${i.errors[0].message}` : '');
  if (active === null || activeState !== 'active') {
    if (report.exhausted) {
      const message = `no input delivers${failing[0] ? `; ${label(failing[0].priority)}${lastError(failing[0])}` : ''}`;
      return {
        phase: 'Failed',
        live: { status: 'False', reason: 'InputsExhausted', message },
        degraded: { status: 'True', reason: 'AllInputsFailing', message },
      };
    }
    return {
      phase: 'Connecting',
      live: { status: 'False', reason: 'NoActiveInput', message: 'connecting to an input' },
      degraded: NOTHING_DEGRADED,
    };
  }
  const live: ConditionValue = {
    status: 'True',
    reason: 'InputActive',
    message: `${label(active)} is active`,
  };
  if (active > 0) {
    const primary = report.inputs.find((i) => i.priority === 0);
    const why = primary
      ? `${label(0)} is ${primary.state}${lastError(primary)}`
      : `${label(0)} is not available`;
    return {
      phase: 'Degraded',
      live,
      degraded: { status: 'True', reason: 'OnFallbackInput', message: `ingesting ${label(active)}; ${why}` },
    };
  }
  if (failing[0]) {
    const message = failing.map((i) => `${label(i.priority)} is degraded${lastError(i)}`).join('; ');
    return { phase: 'Degraded', live, degraded: { status: 'True', reason: 'InputsFailing', message } };
  }
  return { phase: 'Live', live, degraded: NOTHING_DEGRADED };
}
