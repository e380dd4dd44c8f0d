// GF(2^128) as Red October's msp package defines it (spec §3.4, msp/number.go): modulus
// x^128 + x^7 + x^2 + x + 1, an element is 16 bytes where bit k of byte i is the coefficient of
// x^(8i+k). That is the plain little-endian order, not GCM's bit-reflected one, so GHASH code
// cannot be reused. Arithmetic works on four little-endian 32-bit words with masks instead of
// branches, so the time taken does not depend on the (secret) share values.

export const fieldSize = 16;

type Words = Uint32Array;

function toWords(element: Uint8Array): Words {
  if (element.length !== fieldSize) throw new RangeError(`a GF(2^128) element is ${fieldSize} bytes, not ${element.length}`);
  const words = new Uint32Array(4);
  for (let i = 0; i < fieldSize; i++) words[i >> 2]! |= (element[i] ?? 0) << (8 * (i & 3));
  return words;
}

function toBytes(words: Words): Uint8Array {
  const out = new Uint8Array(fieldSize);
  for (let i = 0; i < fieldSize; i++) out[i] = ((words[i >> 2] ?? 0) >>> (8 * (i & 3))) & 0xff;
  return out;
}

/** The element whose first byte is `value` (RO's x-coordinate for the child at position `value`). */
export function fieldElement(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError('a small field element is a byte');
  const out = new Uint8Array(fieldSize);
  out[0] = value;
  return out;
}

export function fieldAdd(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== fieldSize || b.length !== fieldSize) throw new RangeError(`GF(2^128) elements are ${fieldSize} bytes`);
  return a.map((byte, i) => byte ^ (b[i] ?? 0));
}

export function fieldMul(a: Uint8Array, b: Uint8Array): Uint8Array {
  const x = toWords(a);
  const y = toWords(b);
  const r = new Uint32Array(4);
  for (let i = 0; i < 128; i++) {
    // r += x·(bit i of y), then x = x·X mod M: a left shift by one bit, folding x^128 into 0x87.
    const mask = -(((y[i >> 5] ?? 0) >>> (i & 31)) & 1);
    for (let w = 0; w < 4; w++) r[w]! ^= (x[w] ?? 0) & mask;
    const carry = (x[3] ?? 0) >>> 31;
    x[3] = ((x[3] ?? 0) << 1) | ((x[2] ?? 0) >>> 31);
    x[2] = ((x[2] ?? 0) << 1) | ((x[1] ?? 0) >>> 31);
    x[1] = ((x[1] ?? 0) << 1) | ((x[0] ?? 0) >>> 31);
    x[0] = ((x[0] ?? 0) << 1) ^ (0x87 & -carry);
  }
  const out = toBytes(r);
  x.fill(0);
  y.fill(0);
  r.fill(0);
  return out;
}

/** a^(2^128 - 2) = a^-1 for a ≠ 0 (and 0 for 0), by the same square-and-multiply chain as RO. */
export function fieldInvert(a: Uint8Array): Uint8Array {
  let out: Uint8Array = a.slice();
  let power: Uint8Array = a.slice();
  for (let i = 0; i < 126; i++) {
    power = fieldMul(power, power);
    out = fieldMul(out, power);
  }
  return fieldMul(out, out);
}
