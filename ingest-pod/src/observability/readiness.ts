import type { Health } from '@tributary/runtime';

export interface ReadinessFacts {
  natsConnected: boolean;
  /** Replacing another pod: ready to take over once connected, with no input open yet. */
  standby?: boolean;
  /** Priority of the input being published, null while none is. */
  activeInput: number | null;
  /** When the active input last delivered an access unit (epoch ms), null if it has not yet. */
  lastPacketAt: number | null;
  /** How long the active input may stay silent (its failover packet timeout). */
  packetTimeoutMs: number;
  now: number;
}

/**
 * Ready = connected to NATS and the active input delivered within its packet timeout; a standby
 * pod is ready as soon as it is connected (the operator then retires the pod it replaces).
 */
export function checkReadiness(facts: ReadinessFacts): Health {
  if (!facts.natsConnected)
    return { ok: false, reason: 'nats-disconnected', detail: 'not connected to NATS' };
  if (facts.standby) return { ok: true };
  if (facts.activeInput === null)
    return { ok: false, reason: 'no-active-input', detail: 'no input is active' };
  if (facts.lastPacketAt === null) {
    return { ok: false, reason: 'no-media', detail: `input ${facts.activeInput} has not delivered yet` };
  }
  const silentMs = facts.now - facts.lastPacketAt;
  if (silentMs > facts.packetTimeoutMs) {
    return {
      ok: false,
      reason: 'input-stalled',
      detail: `input ${facts.activeInput}: no packet for ${Math.floor(silentMs / 1000)} s (timeout ${facts.packetTimeoutMs} ms)`,
    };
  }
  return { ok: true };
}
