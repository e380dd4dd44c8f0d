// How the answers of an engine's worker processes become one answer, read off the answer's schema:
// numbers add up, records of numbers add up key by key, objects merge field by field, and every
// other value — a gauge, a flag, a list — says how it merges where it is declared. A field added
// to a schema is therefore summed, or refused by checkMergeable (a test walks every merged schema),
// never silently taken from worker 0.
import { z } from 'zod';

export type MergeRule =
  /** Added up: the default for numbers and records of numbers. */
  | { merge: 'sum' }
  | { merge: 'min' }
  | { merge: 'max' }
  /** The mean over the workers that have a value (null ones left out). */
  | { merge: 'mean' }
  /** The mean weighted by a number field next to it (e.g. latency by queries). */
  | { merge: 'weightedMean'; by: string }
  /** Booleans: true if any worker says so, or only if all do. */
  | { merge: 'any' }
  | { merge: 'all' }
  /** The same on every worker (config, a time bucket): the first worker's. */
  | { merge: 'same' }
  /** Computed again from the merged answer by the procedure's own merge; the first worker's until then. */
  | { merge: 'derived' }
  /** A list of objects matched across workers by a field, each merged by its schema. */
  | { merge: 'byKey'; key: string | readonly string[] };

export const mergeRules = z.registry<MergeRule>();

/** Marks how `schema` merges across workers (a gauge, a flag, a keyed list); returns it. */
export function mergedAs<T extends z.ZodType>(schema: T, rule: MergeRule): T {
  mergeRules.add(schema, rule);
  return schema;
}

type Def = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType; valueType?: z.ZodType };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;
const wrappers = new Set(['nullable', 'optional', 'default', 'prefault', 'readonly', 'nonoptional']);

/** The schema under nullable/optional/default wrappers, the first rule found on the way, and whether null may occur. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; rule: MergeRule | undefined; nullable: boolean } {
  let rule = mergeRules.get(schema);
  let nullable = false;
  let inner = schema;
  for (let def = defOf(inner); wrappers.has(def.type); def = defOf(inner)) {
    if (def.type === 'nullable' || def.type === 'optional') nullable = true;
    inner = def.innerType!;
    rule ??= mergeRules.get(inner);
  }
  return { inner, rule, nullable };
}

/** Throws, naming the path, where a value's merge is neither a default nor declared. */
export function checkMergeable(schema: z.ZodType, path = '(answer)'): void {
  const { inner, rule } = unwrap(schema);
  const def = defOf(inner);
  if (rule?.merge === 'byKey') return checkMergeable(def.element!, `${path}[]`);
  if (rule) return;
  if (def.type === 'number' || def.type === 'string' || def.type === 'enum' || def.type === 'literal') return;
  if (def.type === 'object') {
    for (const [key, field] of Object.entries(def.shape!)) checkMergeable(field, `${path}.${key}`);
    return;
  }
  if (def.type === 'record' && defOf(unwrap(def.valueType!).inner).type === 'number') return;
  throw new Error(`${path}: a ${def.type} has no merge across workers; declare one with mergedAs(schema, { merge: ... })`);
}

/** One answer from the answers of every worker, each valid for `schema`. */
export function mergeBySchema<T extends z.ZodType>(schema: T, answers: z.output<T>[]): z.output<T> {
  return mergeValues(schema, answers as unknown[], answers as unknown[]) as z.output<T>;
}

const numbers = (values: unknown[]) => values as number[];

/** `parents`: the objects `values` were read from, for rules that look at a neighbouring field. */
function mergeValues(schema: z.ZodType, values: unknown[], parents: unknown[]): unknown {
  const { inner, rule, nullable } = unwrap(schema);
  if (nullable) {
    const present = values.map((value, i) => [value, parents[i]] as const).filter(([value]) => value !== null && value !== undefined);
    if (present.length === 0) return values[0] ?? null;
    values = present.map(([value]) => value);
    parents = present.map(([, parent]) => parent);
  }
  const def = defOf(inner);
  switch (rule?.merge ?? (def.type === 'number' ? 'sum' : def.type)) {
    case 'sum':
      return numbers(values).reduce((total, value) => total + value, 0);
    case 'min':
      return Math.min(...numbers(values));
    case 'max':
      return Math.max(...numbers(values));
    case 'mean':
      return numbers(values).reduce((total, value) => total + value, 0) / values.length;
    case 'weightedMean': {
      const by = (rule as { by: string }).by;
      const weights = parents.map((parent) => (parent as Record<string, number>)[by]!);
      const weight = weights.reduce((total, value) => total + value, 0);
      return weight > 0 ? numbers(values).reduce((total, value, i) => total + value * weights[i]!, 0) / weight : null;
    }
    case 'any':
      return values.some(Boolean);
    case 'all':
      return values.every(Boolean);
    case 'byKey': {
      const key = (rule as { key: string | readonly string[] }).key;
      // Several fields (a pool and an address) make one key together.
      const keyOf =
        typeof key === 'string'
          ? (item: Record<string, unknown>) => item[key]
          : (item: Record<string, unknown>) => JSON.stringify(key.map((field) => item[field]));
      const groups = new Map<unknown, unknown[]>();
      for (const item of (values as Record<string, unknown>[][]).flat()) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
      return [...groups.values()].map((items) => mergeValues(def.element!, items, items));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const objects = values as Record<string, unknown>[];
      for (const [field, fieldSchema] of Object.entries(def.shape!))
        out[field] = mergeValues(
          fieldSchema,
          objects.map((object) => object[field]),
          objects,
        );
      return out;
    }
    case 'record': {
      const out: Record<string, number> = {};
      for (const record of values as Record<string, number>[]) for (const [key, value] of Object.entries(record)) out[key] = (out[key] ?? 0) + value;
      return out;
    }
    default:
      // 'same', 'derived', strings, enums, literals: equal on every worker, or set again by the caller.
      return values[0];
  }
}
