export { decodeActiveMark, decodeRouteEntry, encodeActiveMark, encodeRouteEntry } from './codec.js';
export type { RegistryLogger } from './kv-support.js';
export { openRegistry, type RegistryOptions } from './nats-registry.js';
export {
  createPublishKeyVerifier,
  hashPublishKey,
  PUBLISH_KEY_COST,
  type PublishKeyVerifier,
  type ScryptFunction,
  type VerifierOptions,
  type VerifyOutcome,
  verifyPublishKey,
} from './publish-key-hash.js';
export type {
  ActiveMark,
  Lease,
  PublishKeyHash,
  Registry,
  RegistryErrorCode,
  RegistryMirror,
  RouteEntry,
  RouteKey,
} from './registry-api.js';
export { RegistryError } from './registry-api.js';
export {
  loadSealingKey,
  openSealed,
  publicKeyOf,
  SealError,
  type SealErrorReason,
  sealSecret,
} from './seal.js';
