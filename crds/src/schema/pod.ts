import Type from 'typebox';
import { bool, int, list, obj, quantityMap, str, stringEnum, stringMap } from './helpers.js';

const TolerationSchema = obj('Lets the ingest pod run on nodes with a matching taint (core/v1 Toleration).', {
  key: Type.Optional(
    str('Taint key to match; empty with operator Exists matches every taint.', { maxLength: 316 }),
  ),
  operator: Type.Optional(stringEnum('How key and value are compared. Default Equal.', ['Exists', 'Equal'])),
  value: Type.Optional(str('Taint value to match when operator is Equal.', { maxLength: 63 })),
  effect: Type.Optional(
    stringEnum('Taint effect to match; empty matches all effects.', [
      'NoSchedule',
      'PreferNoSchedule',
      'NoExecute',
    ]),
  ),
  tolerationSeconds: Type.Optional(
    int('For NoExecute: how long the pod stays bound after the taint appears; unset means forever.', {
      format: 'int64',
    }),
  ),
});

export const PodSettingsSchema = obj(
  "Scheduling and sizing of the Stream's ingest pod. Everything else about the pod (image, security context, volumes, secrets) is decided by the operator.",
  {
    resources: Type.Optional(
      obj(
        'CPU and memory of the ingest container (core/v1 ResourceRequirements). Requests let the cluster autoscaler add nodes for new Streams.',
        {
          requests: Type.Optional(
            quantityMap('Resources the scheduler reserves, e.g. {cpu: 250m, memory: 128Mi}.'),
          ),
          limits: Type.Optional(quantityMap('Resources the container may not exceed, e.g. {memory: 512Mi}.')),
        },
      ),
    ),
    nodeSelector: Type.Optional(
      stringMap('Node labels the ingest pod requires, e.g. {tributary.io/multicast: "true"}.', {
        maxProperties: 32,
      }),
    ),
    tolerations: Type.Optional(list('Taints the ingest pod tolerates.', TolerationSchema, { maxItems: 32 })),
    priorityClassName: Type.Optional(
      str('PriorityClass of the ingest pod, so live ingest can pre-empt batch work.', { maxLength: 253 }),
    ),
    hostNetwork: Type.Optional(
      bool(
        "Run the ingest pod in the node's network namespace, e.g. to join multicast groups on the node's interfaces. Default false.",
      ),
    ),
  },
);
