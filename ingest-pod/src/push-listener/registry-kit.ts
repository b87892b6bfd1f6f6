// What the push-listener uses of the registry implementation, in one place: the service takes it
// as an option so tests can run the listener against another registry.
import type { KeyObject } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadSealingKey, openRegistry, openSealed, verifyPublishKey } from '../registry/index.js';
import type { RegistryLogger } from '../registry/kv-support.js';
import type { PublishKeyHash, Registry } from '../registry/registry-api.js';
import type { KeyCheck } from './gate.js';

export interface RegistryKit {
  openRegistry(nc: NatsConnection, options: { prefix: string; log?: RegistryLogger }): Promise<Registry>;
  verifyPublishKey(hash: PublishKeyHash, presented: string): KeyCheck | Promise<KeyCheck>;
  loadSealingKey(pem: string): KeyObject;
  openSealed(privateKey: KeyObject, sealed: string): string | Promise<string>;
}

export const registryKit: RegistryKit = { openRegistry, verifyPublishKey, loadSealingKey, openSealed };
