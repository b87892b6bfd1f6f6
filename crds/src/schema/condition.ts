import Type from 'typebox';
import { int, obj, type Static, str, stringEnum } from './helpers.js';

/** metav1.Condition, with the constraints Kubernetes' own schema gives it. */
export const ConditionSchema = obj('One aspect of the current state (metav1.Condition).', {
  type: str('Condition type in CamelCase, e.g. Ready, InputsValid, PodScheduled, Live or Degraded.', {
    maxLength: 316,
    pattern:
      '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
  }),
  status: stringEnum('Whether the condition holds: True, False or Unknown.', ['True', 'False', 'Unknown']),
  observedGeneration: Type.Optional(
    int('The .metadata.generation the condition was computed from.', { format: 'int64', minimum: 0 }),
  ),
  lastTransitionTime: str('When the status last changed.', { format: 'date-time' }),
  reason: str('A CamelCase word for the cause of the last transition, e.g. InvalidURL or PodPending.', {
    minLength: 1,
    maxLength: 1024,
    pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
  }),
  message: str('Details for people, e.g. which input is wrong and what to write instead.', {
    maxLength: 32768,
  }),
});

export type Condition = Static<typeof ConditionSchema>;
