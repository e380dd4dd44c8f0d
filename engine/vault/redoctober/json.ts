// JSON as Go's encoding/json wrote it, read losslessly and field by field. Red October's vault file
// holds RSA moduli and curve coordinates as bare JSON integers far above 2^53 (spec §4.1), which
// JSON.parse would silently round; the reviver's `context.source` (Node >= 21) gives the digits as
// written, so every integer literal becomes a bigint and nothing is rounded.
import { fromBase64 } from './bytes.ts';

const integerLiteral = /^-?(?:0|[1-9][0-9]*)$/;

/** JSON.parse with every integer literal as a bigint. Throws SyntaxError like JSON.parse. */
export function parseJson(text: string): unknown {
  return JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) => {
    if (typeof value !== 'number' || context?.source === undefined) return value;
    return integerLiteral.test(context.source) ? BigInt(context.source) : value;
  });
}

/**
 * Typed access to one JSON object; every failure names the object (`where`) and the field, and
 * goes through `fail`, which throws the caller's error type.
 */
export class Fields {
  readonly where: string;
  private readonly value: Record<string, unknown>;
  private readonly fail: (message: string) => never;

  constructor(value: unknown, where: string, fail: (message: string) => never) {
    this.where = where;
    this.fail = fail;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${where} must be a JSON object`);
    this.value = value as Record<string, unknown>;
  }

  keys(): string[] {
    return Object.keys(this.value);
  }

  /** Go's json leaves a field at its zero value when it is absent or null; so do we. */
  has(key: string): boolean {
    return Object.hasOwn(this.value, key) && this.value[key] !== null;
  }

  /** Refuses fields outside `known`, so that nothing we ignore could change the meaning. */
  only(known: readonly string[]): void {
    const unknown = this.keys().filter((key) => !known.includes(key));
    if (unknown.length > 0) this.error(`has unexpected field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  }

  error(message: string): never {
    return this.fail(`${this.where} ${message}`);
  }

  object(key: string): Fields {
    if (!this.has(key)) this.error(`lacks the object "${key}"`);
    return new Fields(this.value[key], `${this.where}.${key}`, this.fail);
  }

  /** A string-keyed object, e.g. KeySetRSA or ShareSet; absent or null gives an empty map. */
  entries(key: string): [string, unknown][] {
    if (!this.has(key)) return [];
    const value = this.value[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.error(`field "${key}" must be a JSON object`);
    return Object.entries(value as Record<string, unknown>);
  }

  raw(key: string): unknown {
    return this.has(key) ? this.value[key] : undefined;
  }

  string(key: string): string {
    const value = this.value[key];
    if (typeof value !== 'string') this.error(`field "${key}" must be a string`);
    return value;
  }

  /** Absent, null or "" all mean "no value", as for a Go string with omitempty. */
  optionalString(key: string): string {
    return this.has(key) ? this.string(key) : '';
  }

  boolean(key: string): boolean {
    if (!this.has(key)) return false;
    const value = this.value[key];
    if (typeof value !== 'boolean') this.error(`field "${key}" must be true or false`);
    return value;
  }

  integer(key: string): bigint {
    const value = this.value[key];
    if (typeof value !== 'bigint') this.error(`field "${key}" must be a whole number`);
    return value;
  }

  /** An integer that fits a JS number exactly (ids, versions, exponents). */
  smallInteger(key: string): number {
    const value = this.integer(key);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) this.error(`field "${key}" is out of range`);
    return Number(value);
  }

  /** Base64 bytes with an exact length, or a non-empty whole number of `multipleOf`-byte blocks (1: any non-empty). */
  bytes(key: string, size: { length: number } | { multipleOf: number }): Uint8Array {
    if (!this.has(key)) this.error(`lacks the field "${key}"`);
    const text = this.value[key];
    const bytes = typeof text === 'string' ? fromBase64(text) : null;
    if (bytes === null) return this.error(`field "${key}" must be a base64 string`);
    if ('length' in size && bytes.length !== size.length) this.error(`field "${key}" must hold ${size.length} bytes, not ${bytes.length}`);
    if ('multipleOf' in size && (bytes.length === 0 || bytes.length % size.multipleOf !== 0)) {
      this.error(
        size.multipleOf === 1
          ? `field "${key}" must not be empty`
          : `field "${key}" must hold a non-empty multiple of ${size.multipleOf} bytes, not ${bytes.length}`,
      );
    }
    return bytes;
  }

  /** An array of strings; absent or null gives [] (Go's nil slice). */
  strings(key: string): string[] {
    if (!this.has(key)) return [];
    const value = this.value[key];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) this.error(`field "${key}" must be a list of strings`);
    return value as string[];
  }
}
