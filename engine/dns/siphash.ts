// SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012), the MAC of DNS
// server cookies (RFC 9018 §4.4). @noble/hashes has no SipHash, so it is written here, on 32-bit
// halves (no BigInt: a cookie is checked on every query that carries one). Checked against the
// paper's reference vectors, OpenSSL's SIPHASH MAC and RFC 9018 Appendix A (test/engine/dns/siphash.test.ts).

/** The state: v0..v3 as (high, low) 32-bit halves. */
const v = new Uint32Array(8);

/** v[a] += v[b] (64-bit, on halves at 2a, 2a+1). */
function add(a: number, b: number): void {
  const low = (v[2 * a + 1]! + v[2 * b + 1]!) >>> 0;
  v[2 * a] = (v[2 * a]! + v[2 * b]! + (low < v[2 * a + 1]! ? 1 : 0)) >>> 0;
  v[2 * a + 1] = low;
}

/** v[a] = rotl(v[a], bits) for 0 < bits < 64. */
function rotl(a: number, bits: number): void {
  let high = v[2 * a]!;
  let low = v[2 * a + 1]!;
  if (bits >= 32) {
    [high, low] = [low, high];
    bits -= 32;
  }
  if (bits === 0) {
    v[2 * a] = high;
    v[2 * a + 1] = low;
    return;
  }
  v[2 * a] = ((high << bits) | (low >>> (32 - bits))) >>> 0;
  v[2 * a + 1] = ((low << bits) | (high >>> (32 - bits))) >>> 0;
}

/** v[a] ^= v[b]. */
function xor(a: number, b: number): void {
  v[2 * a] = (v[2 * a]! ^ v[2 * b]!) >>> 0;
  v[2 * a + 1] = (v[2 * a + 1]! ^ v[2 * b + 1]!) >>> 0;
}

function sipRound(): void {
  add(0, 1);
  rotl(1, 13);
  xor(1, 0);
  rotl(0, 32);
  add(2, 3);
  rotl(3, 16);
  xor(3, 2);
  add(0, 3);
  rotl(3, 21);
  xor(3, 0);
  add(2, 1);
  rotl(1, 17);
  xor(1, 2);
  rotl(2, 32);
}

const readLe32 = (bytes: Uint8Array, at: number) => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;

/** v[index] ^= the 64-bit little-endian word (high, low). */
function mix(index: number, high: number, low: number): void {
  v[2 * index] = (v[2 * index]! ^ high) >>> 0;
  v[2 * index + 1] = (v[2 * index + 1]! ^ low) >>> 0;
}

/** SipHash-2-4 of `message` under a 16-byte `key`: 8 bytes, little-endian as the reference code writes them. */
export function siphash24(key: Uint8Array, message: Uint8Array, out: Uint8Array = new Uint8Array(8)): Uint8Array {
  if (key.length !== 16) throw new Error(`siphash24: the key has ${key.length} bytes, not 16`);
  const k0High = readLe32(key, 4);
  const k0Low = readLe32(key, 0);
  const k1High = readLe32(key, 12);
  const k1Low = readLe32(key, 8);
  // "somepseudorandomlygeneratedbytes"
  v[0] = (k0High ^ 0x736f6d65) >>> 0;
  v[1] = (k0Low ^ 0x70736575) >>> 0;
  v[2] = (k1High ^ 0x646f7261) >>> 0;
  v[3] = (k1Low ^ 0x6e646f6d) >>> 0;
  v[4] = (k0High ^ 0x6c796765) >>> 0;
  v[5] = (k0Low ^ 0x6e657261) >>> 0;
  v[6] = (k1High ^ 0x74656462) >>> 0;
  v[7] = (k1Low ^ 0x79746573) >>> 0;
  const length = message.length;
  const whole = length - (length % 8);
  for (let at = 0; at < whole; at += 8) {
    const high = readLe32(message, at + 4);
    const low = readLe32(message, at);
    mix(3, high, low);
    sipRound();
    sipRound();
    mix(0, high, low);
  }
  // The last word: the remaining bytes, and the length's low byte in the top byte.
  let high = (length & 0xff) << 24;
  let low = 0;
  for (let i = length - 1; i >= whole; i--) {
    const shift = (i - whole) * 8;
    if (shift >= 32) high |= message[i]! << (shift - 32);
    else low |= message[i]! << shift;
  }
  high >>>= 0;
  low >>>= 0;
  mix(3, high, low);
  sipRound();
  sipRound();
  mix(0, high, low);
  v[5] = (v[5]! ^ 0xff) >>> 0;
  sipRound();
  sipRound();
  sipRound();
  sipRound();
  const resultHigh = (v[0]! ^ v[2]! ^ v[4]! ^ v[6]!) >>> 0;
  const resultLow = (v[1]! ^ v[3]! ^ v[5]! ^ v[7]!) >>> 0;
  for (let i = 0; i < 4; i++) {
    out[i] = (resultLow >>> (8 * i)) & 0xff;
    out[i + 4] = (resultHigh >>> (8 * i)) & 0xff;
  }
  return out;
}
