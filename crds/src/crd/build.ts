import type { TSchema } from 'typebox';
import { celValidations, type RuleScope } from '../rules.js';
import { API_VERSION, GROUP, STREAM, VERSION, VOD_MOUNT } from '../schema/resources.js';
import { StreamSpecSchema } from '../schema/stream-spec.js';
import { StreamStatusSchema } from '../schema/stream-status.js';
import { VodMountSpecSchema, VodMountStatusSchema } from '../schema/vodmount.js';

export type JsonSchema = { [key: string]: unknown };

export const STREAM_DESCRIPTION =
  'A live video stream to ingest. The operator runs one ingest pod per Stream; the pod reads the best healthy input, fails over between inputs, and publishes the packets on NATS.';
export const VOD_MOUNT_DESCRIPTION =
  'A volume of media files that Stream inputs can play as live sources with file://<vodmount>/<relative/path>.';

/** Keys a structural schema of apiextensions.k8s.io/v1 may carry (the subset we generate). */
const ALLOWED_KEYS = new Set([
  'type',
  'description',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'enum',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'maxProperties',
  'default',
  'anyOf',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
]);

/**
 * A plain JSON copy of a TypeBox schema as Kubernetes accepts it: TypeBox's hidden markers are
 * dropped (JSON round trip) and anything a CRD cannot hold is rejected loudly, so a schema edit
 * cannot produce a CRD the API server refuses.
 */
export function toStructural(schema: TSchema | JsonSchema, path = '<root>'): JsonSchema {
  const plain = JSON.parse(JSON.stringify(schema)) as JsonSchema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(plain)) {
    if (!ALLOWED_KEYS.has(key)) throw new Error(`${path}: schema key "${key}" is not allowed in a CRD`);
    if (key === 'properties') {
      const props: JsonSchema = {};
      for (const [name, sub] of Object.entries(value as JsonSchema)) {
        props[name] = toStructural(sub as JsonSchema, `${path}.${name}`);
      }
      out[key] = props;
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = toStructural(value as JsonSchema, `${path}[]`);
    } else {
      out[key] = value;
    }
  }
  if (out.anyOf !== undefined && out['x-kubernetes-int-or-string'] !== true) {
    throw new Error(`${path}: anyOf is only used for int-or-string quantities`);
  }
  return out;
}

function rootSchema(description: string, spec: TSchema, status: TSchema, scope: RuleScope): JsonSchema {
  const validations = celValidations(scope);
  return {
    type: 'object',
    description,
    required: ['spec'],
    properties: {
      apiVersion: {
        type: 'string',
        description: `Versioned schema of this object: ${API_VERSION}.`,
      },
      kind: { type: 'string', description: 'Kind of this object.' },
      metadata: { type: 'object' },
      spec: toStructural(spec, 'spec'),
      status: toStructural(status, 'status'),
    },
    ...(validations.length > 0 ? { 'x-kubernetes-validations': validations } : {}),
  };
}

interface Names {
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
}

function crd(names: Names, shortNames: string[], schema: JsonSchema, columns: JsonSchema[]): JsonSchema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: { ...names, shortNames, categories: ['tributary'] },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: columns,
          schema: { openAPIV3Schema: schema },
        },
      ],
    },
  };
}

const AGE_COLUMN = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export function streamCrd(): JsonSchema {
  return crd(
    { ...STREAM },
    ['strm'],
    rootSchema(STREAM_DESCRIPTION, StreamSpecSchema, StreamStatusSchema, 'stream'),
    [
      {
        name: 'Phase',
        type: 'string',
        jsonPath: '.status.phase',
        description: 'Summary of the Stream state.',
      },
      {
        name: 'Active',
        type: 'integer',
        jsonPath: '.status.activeInput',
        description: 'Index of the active input.',
      },
      {
        name: 'Bitrate',
        type: 'integer',
        jsonPath: '.status.bitrateKbps',
        description: 'kbit/s of the active input.',
      },
      {
        name: 'Failovers',
        type: 'integer',
        jsonPath: '.status.failoverCount',
        description: 'Input switches so far.',
      },
      AGE_COLUMN,
      // Wide output only (-o wide): where encoders publish. Never a key: status holds none.
      {
        name: 'RTMP',
        type: 'string',
        jsonPath: '.status.pushEndpoints.rtmp',
        priority: 1,
        description:
          'RTMP server URL and stream name (rtmp://<host>/<namespace>/<stream>); encoders publish to rtmp://<host>/<namespace> with the stream key <stream>?key=<publish key>.',
      },
      {
        name: 'SRT',
        type: 'string',
        jsonPath: '.status.pushEndpoints.srt',
        priority: 1,
        description: 'SRT caller URL with the streamid; the passphrase is not shown.',
      },
    ],
  );
}

export function vodMountCrd(): JsonSchema {
  return crd(
    { ...VOD_MOUNT },
    ['vod'],
    rootSchema(VOD_MOUNT_DESCRIPTION, VodMountSpecSchema, VodMountStatusSchema, 'vodMount'),
    [
      {
        name: 'Ready',
        type: 'string',
        jsonPath: '.status.conditions[?(@.type=="Ready")].status',
        description: 'Whether the volume source exists.',
      },
      AGE_COLUMN,
    ],
  );
}
