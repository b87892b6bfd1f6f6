import Type, { type Static, type TProperties, type TSchema } from 'typebox';
import { type CelReason, celValidations, type RuleScope } from '../rules.js';

/**
 * Schema builders that make a description mandatory, so `kubectl explain` and the generated
 * reference read well.
 */
type Options = Record<string, unknown>;

export function str(description: string, options: Options = {}) {
  return Type.String({ description, ...options });
}

export function int(description: string, options: Options = {}) {
  return Type.Integer({ description, ...options });
}

export function bool(description: string, options: Options = {}) {
  return Type.Boolean({ description, ...options });
}

export function list<T extends TSchema>(description: string, item: T, options: Options = {}) {
  return Type.Array(item, { description, ...options });
}

export function obj<P extends TProperties>(description: string, properties: P, options: Options = {}) {
  return Type.Object(properties, { description, ...options });
}

/** A string-to-string map (`additionalProperties`, the form structural schemas allow). */
export function stringMap(description: string, options: Options = {}, valueOptions: Options = {}) {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    description,
    additionalProperties: { type: 'string', ...valueOptions },
    ...options,
  });
}

export function stringEnum<const V extends readonly string[]>(
  description: string,
  values: V,
  options: Options = {},
) {
  return Type.Unsafe<V[number]>({ type: 'string', description, enum: [...values], ...options });
}

/** A resource.Quantity ("500m", "1Gi", 2), as Kubernetes' own schemas write it. */
export function quantity(description: string) {
  return Type.Unsafe<number | string>({
    description,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern:
      '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
    'x-kubernetes-int-or-string': true,
  });
}

export function quantityMap(description: string) {
  return Type.Unsafe<Record<string, number | string>>({
    type: 'object',
    description,
    additionalProperties: quantity('A quantity such as 500m, 2 or 1Gi.'),
  });
}

/** The CEL rules of `scope`, as schema options. */
export function cel(scope: RuleScope): Options {
  const rules = celValidations(scope);
  return rules.length > 0 ? { 'x-kubernetes-validations': rules } : {};
}

export type { CelReason, Static };
