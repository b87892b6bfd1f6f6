import { Counter, Gauge, type Registry } from 'prom-client';

/** What `connectNats` keeps up to date, under each process's metric prefix. */
export interface NatsLinkMetrics {
  readonly natsConnected: Gauge;
  readonly natsReconnects: Counter;
}

export function createNatsLinkMetrics(prefix: string, registry: Registry): NatsLinkMetrics {
  const registers = [registry];
  return {
    natsConnected: new Gauge({
      name: `${prefix}nats_connected`,
      help: '1 while connected to NATS',
      registers,
    }),
    natsReconnects: new Counter({
      name: `${prefix}nats_reconnects_total`,
      help: 'Reconnections to NATS after a disconnect',
      registers,
    }),
  };
}
