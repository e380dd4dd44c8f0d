// Arithmetic in GF(2^8) with AES's polynomial x^8 + x^4 + x^3 + x + 1 (0x11b, FIPS 197 §4.2).
// Addition is XOR. Multiplication runs the same eight steps whatever the operands, with no table
// lookups, so the time it takes says nothing of the secret bytes it multiplies.

export function gfMul(a: number, b: number): number {
  let product = 0;
  let x = a & 0xff;
  let y = b & 0xff;
  for (let bit = 0; bit < 8; bit++) {
    product ^= -(y & 1) & x; // add x when y's low bit is set, without a branch
    x = ((x << 1) ^ (-(x >> 7) & 0x1b)) & 0xff; // x·2, reduced by 0x11b when it overflows
    y >>= 1;
  }
  return product;
}

/** The multiplicative inverse, a^254 (a^255 = 1 for a ≠ 0); 0 maps to 0. */
export function gfInverse(a: number): number {
  let result = 1;
  let power = a & 0xff;
  for (let exponent = 254; exponent > 0; exponent >>= 1) {
    if (exponent & 1) result = gfMul(result, power); // the exponent is public: branching on it leaks nothing
    power = gfMul(power, power);
  }
  return result;
}

export function gfDivide(a: number, b: number): number {
  if ((b & 0xff) === 0) throw new RangeError('division by zero in GF(2^8)');
  return gfMul(a, gfInverse(b));
}
