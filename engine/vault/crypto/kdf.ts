// Password → (verifier, key-encryption key). Red October ran scrypt N=2^14 to 16 bytes twice under
// two salts and compared the hash with bytes.Compare (spec §3.1, §10.2-3). Here one scrypt run at
// N=2^17 gives 32 bytes that HKDF-SHA256 splits into two independent keys: the verifier proves the
// password, the key-encryption key unwraps the private key; knowing one tells nothing of the other.
import { scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64, ownBytes, randomBytes, toBase64, utf8, wipe } from './bytes.ts';
import { VaultCryptoCode, VaultCryptoError } from './errors.ts';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** Stored with each user, so that the cost can rise for new passwords without breaking old ones. */
export interface KdfParams extends ScryptCost {
  algorithm: 'scrypt';
  /** 16 random bytes, standard base64. */
  salt: string;
}

export interface DerivedKeys {
  /** Stored; proves the password. Compare with verify(). */
  verifier: Uint8Array;
  /** Never stored; unwraps the user's private key. Wipe after use. */
  keyEncryptionKey: Uint8Array;
}

/** For new passwords: ~128 MiB and a few hundred ms per derivation (spec §10.2 asks N ≥ 2^17). */
export const kdfDefaults: Readonly<ScryptCost> = { N: 2 ** 17, r: 8, p: 1 };

/**
 * What a stored record may ask for. Below the floor a stolen vault file is cheap to brute-force;
 * above the ceiling one login could tie up a GiB of memory or seconds of CPU (a denial of service
 * through a doctored record).
 */
export const kdfLimits = {
  minN: 2 ** 15,
  maxN: 2 ** 20,
  minR: 8,
  maxR: 32,
  maxP: 16,
  /** 128·N·r bytes of scrypt's memory. */
  maxMemory: 2 ** 30,
  /** N·r·p, the work in 128-byte block mixes (16 times the default). */
  maxWork: 2 ** 24,
  saltLength: 16,
} as const;

const keyLength = 32;
const infoVerifier = utf8('signalbox.vault.v1 password verifier');
const infoKeyEncryption = utf8('signalbox.vault.v1 key-encryption key');

/** Only tests lower minimumN, to keep the suite fast; production uses kdfLimits.minN. */
export interface KdfOptions {
  minimumN?: number;
}

export function newKdfParams(cost: ScryptCost = kdfDefaults, options: KdfOptions = {}): KdfParams {
  const params: KdfParams = { algorithm: 'scrypt', N: cost.N, r: cost.r, p: cost.p, salt: toBase64(randomBytes(kdfLimits.saltLength)) };
  return parseKdfParams(params, options);
}

/** Validates parameters read from a vault file; throws E_VAULT_KDF for weak, absurd or malformed ones. */
export function parseKdfParams(value: unknown, options: KdfOptions = {}): KdfParams {
  const minimumN = options.minimumN ?? kdfLimits.minN;
  const fail = (what: string) => new VaultCryptoError(VaultCryptoCode.kdf, `password parameters: ${what}`);
  if (typeof value !== 'object' || value === null) throw fail('expected an object { algorithm, N, r, p, salt }');
  const { algorithm, N, r, p, salt } = value as Record<string, unknown>;
  if (algorithm !== 'scrypt') throw fail(`algorithm ${JSON.stringify(algorithm)} is not supported (only "scrypt")`);
  if (typeof N !== 'number' || !Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0) throw fail(`N = ${String(N)} is not a power of two`);
  if (N < minimumN || N > kdfLimits.maxN)
    throw fail(`N = ${N} is outside [2^${Math.log2(minimumN)}, 2^${Math.log2(kdfLimits.maxN)}]; re-set the password to store current parameters`);
  if (typeof r !== 'number' || !Number.isInteger(r) || r < kdfLimits.minR || r > kdfLimits.maxR)
    throw fail(`r = ${String(r)} is outside [${kdfLimits.minR}, ${kdfLimits.maxR}]`);
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > kdfLimits.maxP) throw fail(`p = ${String(p)} is outside [1, ${kdfLimits.maxP}]`);
  if (128 * N * r > kdfLimits.maxMemory) throw fail(`N·r = ${N * r} needs more than 1 GiB of memory`);
  if (N * r * p > kdfLimits.maxWork) throw fail(`N·r·p = ${N * r * p} is more work than a login may cost`);
  if (typeof salt !== 'string' || saltLength(salt) !== kdfLimits.saltLength) throw fail(`salt must be ${kdfLimits.saltLength} bytes of base64`);
  return { algorithm, N, r, p, salt };
}

function saltLength(salt: string): number {
  try {
    return fromBase64(salt, 'salt').length;
  } catch {
    return -1;
  }
}

/**
 * scrypt (RFC 7914) through node:crypto's asynchronous call, which runs in libuv's thread pool
 * and so never blocks the event loop. No limits here: this is the bare primitive.
 */
export function scryptBytes(password: Uint8Array, salt: Uint8Array, cost: ScryptCost, length: number): Promise<Uint8Array> {
  // OpenSSL needs 128·r·(N+2) bytes for V plus 128·r·p for B (EVP_PBE_scrypt); 1 MiB of slack.
  const maxmem = 128 * cost.r * (cost.N + 2 + cost.p) + 2 ** 20;
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, length, { N: cost.N, r: cost.r, p: cost.p, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(ownBytes(key));
    });
  });
}

/** The verifier and key-encryption key of a password under stored parameters. */
export async function deriveKeys(password: string, params: KdfParams, options: KdfOptions = {}): Promise<DerivedKeys> {
  const checked = parseKdfParams(params, options);
  const salt = fromBase64(checked.salt, 'password parameters: salt');
  // NFC: the same password typed on two systems may arrive composed or decomposed.
  const passwordBytes = utf8(password.normalize('NFC'));
  let master: Uint8Array | undefined;
  try {
    master = await scryptBytes(passwordBytes, salt, checked, keyLength);
    return {
      verifier: hkdf(sha256, master, undefined, infoVerifier, keyLength),
      keyEncryptionKey: hkdf(sha256, master, undefined, infoKeyEncryption, keyLength),
    };
  } finally {
    wipe(passwordBytes, master);
  }
}

/**
 * Costs what a real derivation under `params` costs, for a login by an unknown user: answering
 * faster would tell a guesser which names exist (spec §8.13, §10.1). Pass the parameters a real
 * user would have; the default is the current default for new passwords.
 */
export async function dummyDerive(password = '', params: KdfParams = newKdfParams(), options: KdfOptions = {}): Promise<void> {
  const keys = await deriveKeys(password, params, options);
  wipe(keys.verifier, keys.keyEncryptionKey);
}

/** Constant-time comparison of a derived verifier with the stored one (spec §10.3). */
export function verify(verifier: Uint8Array, expected: Uint8Array): boolean {
  // The length is public (always 32); only the contents must not leak through timing.
  if (verifier.length !== expected.length) return false;
  return timingSafeEqual(verifier, expected);
}
