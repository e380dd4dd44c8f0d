// Go's time.ParseDuration, exactly: Red October's `Time` and `Duration` fields are Go duration
// strings ("1h10m", "30s", "1.5h", "-2m", "0"), and a client may rely on any spelling Go accepts.
// Same grammar, same uint64 overflow rules, same float64 rounding of fractions, same error texts
// (`time: invalid duration "bogus"`), which Red October puts in Status unchanged. Works on the
// UTF-8 bytes, as Go does, so "µs" (U+00B5) and "μs" (U+03BC) are units and a stray multi-byte
// character is quoted as Go quotes it.

const nanosecond = 1n;
const microsecond = 1000n * nanosecond;
const millisecond = 1000n * microsecond;
const second = 1000n * millisecond;
const minute = 60n * second;
const hour = 60n * minute;

const units = new Map<string, bigint>([
  ['ns', nanosecond],
  ['us', microsecond],
  ['\u00b5s', microsecond], // U+00B5 micro sign
  ['\u03bcs', microsecond], // U+03BC Greek small letter mu
  ['ms', millisecond],
  ['s', second],
  ['m', minute],
  ['h', hour],
]);

const limit = 1n << 63n;
const maxInt64 = limit - 1n;

export class GoDurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoDurationError';
  }
}

/** Nanoseconds, as Go's time.Duration (an int64); throws GoDurationError with Go's message. */
export function parseGoDuration(text: string): bigint {
  const orig = Buffer.from(text, 'utf8');
  const invalid = () => new GoDurationError(`time: invalid duration ${quote(orig)}`);
  let s: Buffer = orig;
  let d = 0n;
  let neg = false;
  if (s.length > 0 && (s[0] === 0x2d || s[0] === 0x2b)) {
    neg = s[0] === 0x2d;
    s = s.subarray(1);
  }
  // Go: "Special case: if all that is left is "0", this is zero."
  if (s.length === 1 && s[0] === 0x30) return 0n;
  if (s.length === 0) throw invalid();
  while (s.length > 0) {
    if (!(s[0] === 0x2e || isDigit(s[0]!))) throw invalid();
    const before = s.length;
    const int = leadingInt(s);
    if (int === null) throw invalid();
    let v = int.value;
    s = int.rest;
    const pre = before !== s.length;
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s.length > 0 && s[0] === 0x2e) {
      s = s.subarray(1);
      const fractionStart = s.length;
      ({ value: f, scale, rest: s } = leadingFraction(s));
      post = fractionStart !== s.length;
    }
    if (!pre && !post) throw invalid();
    let i = 0;
    while (i < s.length && s[i] !== 0x2e && !isDigit(s[i]!)) i++;
    if (i === 0) throw new GoDurationError(`time: missing unit in duration ${quote(orig)}`);
    const unitBytes = s.subarray(0, i);
    s = s.subarray(i);
    const unit = units.get(unitBytes.toString('utf8'));
    if (unit === undefined) throw new GoDurationError(`time: unknown unit ${quote(unitBytes)} in duration ${quote(orig)}`);
    if (v > limit / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // Go: float64 is needed to be nanosecond accurate for fractions of hours.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > limit) throw invalid();
    }
    d += v;
    if (d > limit) throw invalid();
  }
  if (neg) return -d;
  if (d > maxInt64) throw invalid();
  return d;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

function leadingInt(s: Buffer): { value: bigint; rest: Buffer } | null {
  let x = 0n;
  let i = 0;
  for (; i < s.length && isDigit(s[i]!); i++) {
    if (x > limit / 10n) return null;
    x = x * 10n + BigInt(s[i]! - 0x30);
    if (x > limit) return null;
  }
  return { value: x, rest: s.subarray(i) };
}

/** Fraction digits; past uint64 precision they are skipped, not an error (as Go). */
function leadingFraction(s: Buffer): { value: bigint; scale: number; rest: Buffer } {
  let x = 0n;
  let scale = 1;
  let overflow = false;
  let i = 0;
  for (; i < s.length && isDigit(s[i]!); i++) {
    if (overflow) continue;
    if (x > maxInt64 / 10n) {
      overflow = true;
      continue;
    }
    const y = x * 10n + BigInt(s[i]! - 0x30);
    if (y > limit) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  return { value: x, scale, rest: s.subarray(i) };
}

/** Go's time.quote: printable ASCII as is (with " and \ escaped), every other byte as \xNN. */
function quote(bytes: Buffer): string {
  let out = '"';
  for (const byte of bytes) {
    if (byte >= 0x80 || byte < 0x20) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else {
      const c = String.fromCharCode(byte);
      out += c === '"' || c === '\\' ? `\\${c}` : c;
    }
  }
  return out + '"';
}
