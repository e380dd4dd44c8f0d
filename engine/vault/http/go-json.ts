// A request body read the way Go's encoding/json fills Red October's request structs (spec §1):
// field names match case-insensitively (with Go's folding: ASCII case, plus U+212A KELVIN SIGN as
// k and U+017F LONG S as s), unknown fields are ignored, null leaves a field at its zero value,
// []byte fields are padded standard base64 (line breaks skipped), ints are integer literals in
// int64 range. Errors carry Go's texts (`json: cannot unmarshal string into Go struct field
// DelegateRequest.Uses of type int`, `illegal base64 data at input byte 4`, `unexpected end of JSON
// input`), which Red October answers in Status.
//
// One stricter rule: a field spelt twice with different cases ("name" and "Name") is refused. Go
// takes whichever comes last, so a proxy and this server could read different names from one body.
// Fields the struct does not declare are ignored, whatever their spelling or type, as in Go.

export class GoJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoJsonError';
  }
}

/** A JSON number kept as its literal, so that an int field can refuse 1.5, 1e3 or 2^64 as Go does. */
class GoNumber {
  readonly source: string;

  constructor(source: string) {
    this.source = source;
  }
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;

/** The Go types Red October's request structs use. */
export type GoKind = 'string' | 'int' | 'bool' | 'bytes' | 'strings';
/** A request struct: field name (as Go spells it) → type. */
export type GoStruct = Readonly<Record<string, GoKind>>;

type GoValue = string | number | boolean | Buffer | string[];

/** A request decoded into its struct; fields not sent (or null) read as Go's zero values. */
export class GoRequest {
  private readonly struct: GoStruct;
  private readonly values: Map<string, GoValue>;

  private constructor(struct: GoStruct, values: Map<string, GoValue>) {
    this.struct = struct;
    this.values = values;
  }

  /**
   * Decodes a body (invalid UTF-8 becomes U+FFFD, as in Go) into `struct`, named `type` in error
   * texts. Every field is decoded here, in the body's order, so the first error is the one Go reports.
   */
  static parse(body: Uint8Array, type: string, struct: GoStruct): GoRequest {
    const text = decoder.decode(body);
    let value: unknown;
    try {
      value = JSON.parse(text, (_key, raw: unknown, context?: { source?: string }) =>
        typeof raw === 'number' ? new GoNumber(context?.source ?? String(raw)) : raw,
      );
    } catch (err) {
      throw new GoJsonError(syntaxMessage(err, text.length));
    }
    const values = new Map<string, GoValue>();
    // Go: unmarshalling null into a struct leaves every field at its zero value.
    if (value === null) return new GoRequest(struct, values);
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof GoNumber) {
      throw new GoJsonError(`json: cannot unmarshal ${kindOf(value)} into Go value of type core.${type}`);
    }
    const fields = new Map(Object.keys(struct).map((field) => [fold(field), field]));
    const seen = new Map<string, string>();
    for (const [key, raw] of Object.entries(value)) {
      const field = fields.get(fold(key));
      if (field === undefined) continue;
      const earlier = seen.get(field);
      if (earlier !== undefined) throw new GoJsonError(`json: ${JSON.stringify(earlier)} and ${JSON.stringify(key)} both set ${type}.${field}; send it once`);
      seen.set(field, key);
      if (raw === null) continue;
      values.set(field, decodeField(raw, struct[field]!, `${type}.${field}`));
    }
    return new GoRequest(struct, values);
  }

  /** Whether the field was sent with a value other than null. */
  has(field: string): boolean {
    this.kindOf(field);
    return this.values.has(field);
  }

  string(field: string): string {
    return this.read(field, 'string', '');
  }

  int(field: string): number {
    return this.read(field, 'int', 0);
  }

  bool(field: string): boolean {
    return this.read(field, 'bool', false);
  }

  /** A []byte field, decoded from base64. Absent or null: empty. */
  bytes(field: string): Buffer {
    return this.read(field, 'bytes', Buffer.alloc(0));
  }

  strings(field: string): string[] {
    return this.read(field, 'strings', []);
  }

  private read<T extends GoValue>(field: string, kind: GoKind, zero: T): T {
    if (this.kindOf(field) !== kind) throw new Error(`${field} is declared as ${this.kindOf(field)}, read as ${kind}`);
    return (this.values.get(field) as T | undefined) ?? zero;
  }

  private kindOf(field: string): GoKind {
    const kind = this.struct[field];
    if (kind === undefined) throw new Error(`${field} is not a field of this request struct`);
    return kind;
  }
}

function decodeField(value: unknown, kind: GoKind, where: string): GoValue {
  const typeError = (goType: string, what = kindOf(value)) => new GoJsonError(`json: cannot unmarshal ${what} into Go struct field ${where} of type ${goType}`);
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') throw typeError('string');
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw typeError('bool');
      return value;
    case 'int': {
      if (!(value instanceof GoNumber)) throw typeError('int');
      const parsed = /^-?\d+$/.test(value.source) ? BigInt(value.source) : null;
      if (parsed === null || parsed < int64Min || parsed > int64Max) throw typeError('int', `number ${value.source}`);
      // Beyond 2^53 the value is rounded; every int field is range-checked far below that anyway.
      return Number(parsed);
    }
    case 'bytes':
      if (typeof value !== 'string') throw typeError('[]uint8');
      return decodeGoBase64(value);
    case 'strings':
      if (!Array.isArray(value)) throw typeError('[]string');
      return value.map((item: unknown) => {
        if (item === null) return '';
        if (typeof item !== 'string') throw new GoJsonError(`json: cannot unmarshal ${kindOf(item)} into Go struct field ${where} of type string`);
        return item;
      });
  }
}

/** Go's name folding for struct fields (bytes.EqualFold on our ASCII field names). */
export function fold(name: string): string {
  let out = '';
  for (const c of name) {
    if (c === '\u212a') out += 'k';
    else if (c === '\u017f') out += 's';
    else if (c >= 'A' && c <= 'Z') out += c.toLowerCase();
    else out += c;
  }
  return out;
}

/**
 * Go's base64.StdEncoding.DecodeString as json uses it for []byte: '\r' and '\n' are skipped,
 * padding is required, and the error names the offending input byte, counted in the text as sent
 * (line breaks included), as Go's CorruptInputError does.
 */
export function decodeGoBase64(text: string): Buffer {
  const at = goBase64ErrorAt(text);
  if (at !== null) throw new GoJsonError(`illegal base64 data at input byte ${at}`);
  // Node's decoder skips the line breaks; everything else was checked above.
  return Buffer.from(text, 'base64');
}

const newline = (c: number) => c === 0x0a || c === 0x0d;
const isBase64 = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
const pad = 0x3d;

/**
 * Where Go's decoder stops (encoding/base64 decodeQuantum), or null for valid input. One pass,
 * no regex: a 40 MiB body is about 56 M characters, and a backtracking pattern over that many
 * quanta overflowed V8's stack.
 */
function goBase64ErrorAt(text: string): number | null {
  const length = text.length;
  // Characters of the current 4-character quantum read so far (line breaks do not count).
  let inQuantum = 0;
  for (let i = 0; i < length;) {
    const c = text.charCodeAt(i++);
    if (isBase64(c)) {
      inQuantum = (inQuantum + 1) % 4;
      continue;
    }
    if (newline(c)) continue;
    // Not base64, or padding where a quantum has fewer than 2 characters.
    if (c !== pad || inQuantum < 2) return i - 1;
    if (inQuantum === 2) {
      // "xx" needs "==": the second '=' may follow line breaks.
      while (i < length && newline(text.charCodeAt(i))) i++;
      if (i === length) return length;
      if (text.charCodeAt(i) !== pad) return i - 1;
      i++;
    }
    while (i < length && newline(text.charCodeAt(i))) i++;
    // Padding ends the data: anything after it is trailing garbage.
    return i < length ? i : null;
  }
  return inQuantum === 0 ? null : length - inQuantum;
}

function kindOf(value: unknown): string {
  if (value instanceof GoNumber) return 'number';
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  return typeof value === 'boolean' ? 'bool' : 'string';
}

/**
 * The parser's complaint without the excerpt of the body V8 quotes (it may hold a password):
 * Go's text for a truncated body, else V8's position.
 */
function syntaxMessage(err: unknown, length: number): string {
  const message = err instanceof Error ? err.message : String(err);
  const position = /at position (\d+)/.exec(message);
  if (/unexpected end of JSON input/i.test(message) || (position && Number(position[1]) >= length)) return 'unexpected end of JSON input';
  const reason = message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position.*$/s, '');
  return `invalid JSON: ${reason}${position ? ` at byte ${position[1]}` : ''}`;
}
