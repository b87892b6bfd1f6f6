// Schema types a values.yaml annotation may name (`# @schema type:duration`, `items:envVar`), for
// formats that recur across the chart and that a default value cannot show.
import type { JsonSchema } from './json-schema.js';

const QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$';

/** A Kubernetes resource quantity: "100m", "96Mi", or a plain number. */
const quantity: JsonSchema = {
  anyOf: [
    { type: 'string', pattern: QUANTITY_PATTERN },
    { type: 'number', minimum: 0 },
  ],
};

export const NAMED_TYPES: Record<string, JsonSchema> = {
  /** A Go duration: 15s, 1m30s, 500ms. */
  duration: { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$' },
  /** A NATS size: 1MB, 128MB, 1G. */
  natsSize: { type: 'string', pattern: '^[0-9]+(K|KB|M|MB|G|GB|T|TB)?$' },
  /** A PersistentVolumeClaim size: a quantity written as a string. */
  storageSize: { type: 'string', pattern: QUANTITY_PATTERN },
  quantity,
  /** A container's resources: requests and limits, each a map of quantities. */
  resources: {
    type: 'object',
    additionalProperties: false,
    properties: {
      requests: {
        type: 'object',
        description: 'Minimum resources (cpu, memory, …).',
        additionalProperties: quantity,
      },
      limits: { type: 'object', description: 'Maximum resources.', additionalProperties: quantity },
    },
  },
  /** A PodDisruptionBudget count: a number of replicas or a percentage ("50%"). */
  intOrPercent: {
    anyOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: '^[0-9]+%$' },
    ],
  },
  port: { type: 'integer', minimum: 1, maximum: 65535 },
  /** A core/v1 EnvVar, checked only for its name (Kubernetes checks the rest). */
  envVar: { type: 'object', required: ['name'] },
  /** An imagePullSecrets entry. */
  localObjectReference: {
    type: 'object',
    additionalProperties: false,
    properties: { name: { type: 'string', description: 'Secret name.', minLength: 1 } },
    required: ['name'],
  },
};
