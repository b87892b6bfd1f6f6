import { parseDuration } from '@tributary/crds';
import type { FailoverOverrides } from './types.js';

/** `spec.failover` as written in the Stream: Go-style durations. */
export interface FailoverSpec {
  packetTimeout?: string;
  probeAfter?: string;
  probeTimeout?: string;
  failbackHoldDown?: string;
}

/** Parses `spec.failover`; a field that is absent, unparsable or not positive keeps its default. */
export function overridesFromSpec(spec: FailoverSpec | undefined): FailoverOverrides {
  const overrides: FailoverOverrides = {};
  const set = (key: keyof FailoverOverrides, text: string | undefined) => {
    const ms = text === undefined ? undefined : parseDuration(text);
    if (ms !== undefined && ms > 0) overrides[key] = ms;
  };
  set('packetTimeoutMs', spec?.packetTimeout);
  set('probeAfterMs', spec?.probeAfter);
  set('probeTimeoutMs', spec?.probeTimeout);
  set('failbackHoldDownMs', spec?.failbackHoldDown);
  return overrides;
}
