import type { Condition } from './condition.js';
import type { StreamSpec } from './stream-spec.js';
import type { StreamStatus } from './stream-status.js';
import type { VodMountSpec, VodMountStatus } from './vodmount.js';

export const GROUP = 'tributary.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const STREAM = {
  kind: 'Stream',
  listKind: 'StreamList',
  plural: 'streams',
  singular: 'stream',
} as const;
export const VOD_MOUNT = {
  kind: 'VodMount',
  listKind: 'VodMountList',
  plural: 'vodmounts',
  singular: 'vodmount',
} as const;

/** The parts of ObjectMeta that Tributary reads; the API server returns more. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

export interface Stream {
  apiVersion: typeof API_VERSION;
  kind: typeof STREAM.kind;
  metadata: ObjectMeta;
  spec: StreamSpec;
  status?: StreamStatus;
}

export interface VodMount {
  apiVersion: typeof API_VERSION;
  kind: typeof VOD_MOUNT.kind;
  metadata: ObjectMeta;
  spec: VodMountSpec;
  status?: VodMountStatus;
}

export type { Condition };
