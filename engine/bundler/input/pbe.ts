// Password-based decryption for PKCS#12 contents and shrouded keys: PBES2 (RFC 8018, OpenSSL 3's
// default: PBKDF2 + AES-CBC) and the PKCS#12 PBE schemes older tools write (RFC 7292 Appendix C:
// 3DES, RC2). node:crypto does the KDFs, hashes, AES and 3DES; RC2 is not in OpenSSL 3's default
// provider, so it comes from node-forge.
import { createDecipheriv, hash, pbkdf2Sync } from 'node:crypto';
import { createRequire } from 'node:module';
import type Forge from 'node-forge';
import { TAG, children, content, expectTag, octets, readOid, readSmallInt, type Tlv } from '../der.ts';
import { DIGESTS, PKCS } from '../oids.ts';
import type { WorkBudget } from './budget.ts';

/** Why decryption stopped: the scheme is one we do not implement, or the password does not fit. */
export class PbeError extends Error {
  readonly kind: 'unsupported' | 'bad-decrypt';

  constructor(kind: 'unsupported' | 'bad-decrypt', message: string) {
    super(message);
    this.name = 'PbeError';
    this.kind = kind;
  }
}

// Iteration caps, so that a crafted file cannot pin the engine. Real files: OpenSSL and Windows
// 2,000-2,048, Java 10,000, PBKDF2 elsewhere up to 600,000. PBKDF2 is native (10^6 rounds ≈ 0.17 s
// here); the PKCS#12 KDF runs one hash call per round (10^5 rounds ≈ 0.13 s).
export const maxIterations = { pbkdf2: 2_000_000, pkcs12: 100_000 } as const;
// scrypt (RFC 7914): N·r at most 2^18 (128·N·r bytes = 32 MiB, OpenSSL's own memory ceiling), and
// N·r·p at most 2^20, 8 times `openssl pkcs8 -scrypt`'s default (N 16384, r 8, p 1: 76 ms here).
export const maxScrypt = { memory: 2 ** 18, work: 2 ** 20 } as const;

// What a round costs, in rounds of PBKDF2-HMAC-SHA-256 (the WorkBudget's unit), measured here:
// HMAC-SHA-384/512 2.5, a PKCS#12 KDF round 7.5, scrypt per N·r·p 3.6; rounded up.
const price = { pbkdf2: 1, pbkdf2Wide: 3, pkcs12: 10, scrypt: 4 } as const;

type Digest = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const digestSizes: Record<Digest, { bytes: number; block: number }> = {
  sha1: { bytes: 20, block: 64 },
  sha224: { bytes: 28, block: 64 },
  sha256: { bytes: 32, block: 64 },
  sha384: { bytes: 48, block: 128 },
  sha512: { bytes: 64, block: 128 },
};

export const digestByOid: Record<string, Digest> = {
  [DIGESTS.sha1]: 'sha1',
  [DIGESTS.sha224]: 'sha224',
  [DIGESTS.sha256]: 'sha256',
  [DIGESTS.sha384]: 'sha384',
  [DIGESTS.sha512]: 'sha512',
};

const prfByOid: Record<string, Digest> = {
  [PKCS.hmacWithSHA1]: 'sha1',
  [PKCS.hmacWithSHA224]: 'sha224',
  [PKCS.hmacWithSHA256]: 'sha256',
  [PKCS.hmacWithSHA384]: 'sha384',
  [PKCS.hmacWithSHA512]: 'sha512',
};

const pbes2Ciphers: Record<string, { name: string; keyBytes: number }> = {
  [PKCS.aes128Cbc]: { name: 'aes-128-cbc', keyBytes: 16 },
  [PKCS.aes192Cbc]: { name: 'aes-192-cbc', keyBytes: 24 },
  [PKCS.aes256Cbc]: { name: 'aes-256-cbc', keyBytes: 32 },
  [PKCS.desEde3Cbc]: { name: 'des-ede3-cbc', keyBytes: 24 },
};

const pkcs12Schemes: Record<string, { cipher: 'des-ede3-cbc' | 'des-ede-cbc' | 'rc2'; keyBytes: number; rc2Bits?: number }> = {
  [PKCS.pbeWithSHAAnd3KeyTripleDESCBC]: { cipher: 'des-ede3-cbc', keyBytes: 24 },
  [PKCS.pbeWithSHAAnd2KeyTripleDESCBC]: { cipher: 'des-ede-cbc', keyBytes: 16 },
  [PKCS.pbeWithSHAAnd128BitRC2CBC]: { cipher: 'rc2', keyBytes: 16, rc2Bits: 128 },
  [PKCS.pbeWithSHAAnd40BitRC2CBC]: { cipher: 'rc2', keyBytes: 5, rc2Bits: 40 },
};

/**
 * A password as PKCS#12 uses it. `null` is OpenSSL's "no password" (zero bytes), which differs from
 * the empty password (two zero bytes as a BMPString); files are written with either.
 */
export type Password = string | null;

/** RFC 7292 Appendix B.1: the password as a BMPString with two zero bytes at the end. */
export function bmpPassword(password: Password): Buffer {
  if (password === null) return Buffer.alloc(0);
  const out = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

function checkIterations(iterations: number, kdf: keyof typeof maxIterations): void {
  if (iterations < 1) throw new PbeError('unsupported', 'an iteration count below 1');
  if (iterations > maxIterations[kdf]) {
    throw new PbeError(
      'unsupported',
      `${iterations} ${kdf === 'pkcs12' ? 'PKCS#12 KDF' : 'PBKDF2'} iterations (more than ${maxIterations[kdf].toLocaleString('en-US')} are refused)`,
    );
  }
}

/** The PKCS#12 KDF's price for `length` bytes (one hash chain per digest-sized block). */
export function pkcs12KdfPrice(iterations: number, length: number, digest: Digest): number {
  checkIterations(iterations, 'pkcs12');
  return iterations * Math.ceil(length / digestSizes[digest].bytes) * price.pkcs12;
}

/** RFC 7292 Appendix B.2: the PKCS#12 key derivation (id 1 key, 2 IV, 3 MAC key). */
export function pkcs12Kdf(password: Buffer, salt: Buffer, id: 1 | 2 | 3, iterations: number, length: number, digest: Digest): Buffer {
  checkIterations(iterations, 'pkcs12');
  const { bytes: u, block: v } = digestSizes[digest];
  const fill = (data: Buffer) => {
    if (data.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(data.length / v));
    for (let i = 0; i < out.length; i++) out[i] = data[i % data.length]!;
    return out;
  };
  const I = Buffer.concat([fill(salt), fill(password)]);
  const D = Buffer.alloc(v, id);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let A = hash(digest, Buffer.concat([D, I]), 'buffer');
    for (let r = 1; r < iterations; r++) A = hash(digest, A, 'buffer');
    blocks.push(A);
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % u]!;
    // I_j = (I_j + B + 1) mod 2^(8v), for each v-byte block of I
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** The digest named by an AlgorithmIdentifier, as used in PKCS#12 MacData. */
export function digestOf(buf: Uint8Array, algorithm: Tlv): Digest {
  const id = readOid(buf, expectTag(children(buf, algorithm)[0], TAG.oid, 'the digest algorithm'));
  const digest = digestByOid[id];
  if (!digest) throw new PbeError('unsupported', id === PKCS.pbmac1 ? 'PBMAC1 integrity (RFC 9579)' : `the MAC digest ${id}`);
  return digest;
}

type Kdf =
  | { kind: 'pbkdf2'; salt: Buffer; iterations: number; keyLength: number | undefined; prf: Digest }
  | { kind: 'scrypt'; salt: Buffer; N: number; r: number; p: number };

/** An encryption AlgorithmIdentifier read and priced, before any key is derived. */
type Scheme =
  | { kind: 'pbes2'; kdf: Kdf; cipherOid: string; iv: Tlv | undefined; price: number }
  | { kind: 'pkcs12'; salt: Buffer; iterations: number; cipher: (typeof pkcs12Schemes)[string]; price: number };

/**
 * What deriving the key for `algorithm` (an EncryptedPrivateKeyInfo's or a PKCS#12 EncryptedData's)
 * costs in WorkBudget units; throws PbeError('unsupported') for a scheme we cannot price or one over
 * the caps. Also for keys that OpenSSL decrypts: it runs whatever rounds the file asks for.
 */
export function decryptionPrice(buf: Uint8Array, algorithm: Tlv): number {
  return readScheme(buf, algorithm).price;
}

function readScheme(buf: Uint8Array, algorithm: Tlv): Scheme {
  const [idTlv, paramsTlv] = children(buf, expectTag(algorithm, TAG.sequence, 'the encryption algorithm'));
  const id = readOid(buf, expectTag(idTlv, TAG.oid, 'the encryption algorithm'));
  if (id === PKCS.pbes2) return readPbes2(buf, expectTag(paramsTlv, TAG.sequence, 'the PBES2 parameters'));
  const cipher = pkcs12Schemes[id];
  if (!cipher) throw new PbeError('unsupported', `the encryption scheme ${id}`);
  const [saltTlv, iterTlv] = children(buf, expectTag(paramsTlv, TAG.sequence, 'the PBE parameters'));
  const salt = octets(buf, expectTag(saltTlv, TAG.octetString, 'the PBE salt'));
  const iterations = readSmallInt(buf, expectTag(iterTlv, TAG.integer, 'the PBE iteration count'));
  const price = pkcs12KdfPrice(iterations, cipher.keyBytes, 'sha1') + pkcs12KdfPrice(iterations, 8, 'sha1');
  return { kind: 'pkcs12', salt, iterations, cipher, price };
}

function readPbes2(buf: Uint8Array, params: Tlv): Scheme {
  const [kdfTlv, scheme] = children(buf, params);
  const [kdfId, kdfParams] = children(buf, expectTag(kdfTlv, TAG.sequence, 'the PBES2 key derivation'));
  const kdfName = readOid(buf, expectTag(kdfId, TAG.oid, 'the PBES2 key derivation'));
  const [cipherId, iv] = children(buf, expectTag(scheme, TAG.sequence, 'the PBES2 encryption scheme'));
  const cipherOid = readOid(buf, expectTag(cipherId, TAG.oid, 'the PBES2 cipher'));
  const keyBytes = pbes2Ciphers[cipherOid]?.keyBytes ?? 32;
  const fields = children(buf, expectTag(kdfParams, TAG.sequence, `the ${kdfName === PKCS.scrypt ? 'scrypt' : 'PBKDF2'} parameters`));
  if (kdfName === PKCS.scrypt) {
    // RFC 7914 §7.1 scrypt-params: salt, costParameter (N), blockSize (r), parallelizationParameter (p), keyLength OPTIONAL
    const salt = content(buf, expectTag(fields[0], TAG.octetString, 'the scrypt salt'));
    const [N, r, p] = [1, 2, 3].map((i) => readSmallInt(buf, expectTag(fields[i], TAG.integer, 'an scrypt parameter'))) as [number, number, number];
    if (N < 2 || r < 1 || p < 1 || N * r > maxScrypt.memory || N * r * p > maxScrypt.work) {
      throw new PbeError(
        'unsupported',
        `scrypt with N ${N}, r ${r}, p ${p} (N·r over ${maxScrypt.memory.toLocaleString('en-US')} or N·r·p over ${maxScrypt.work.toLocaleString('en-US')} are refused)`,
      );
    }
    return { kind: 'pbes2', kdf: { kind: 'scrypt', salt, N, r, p }, cipherOid, iv, price: N * r * p * price.scrypt };
  }
  if (kdfName !== PKCS.pbkdf2) throw new PbeError('unsupported', `the PBES2 key derivation ${kdfName} (only PBKDF2 and scrypt)`);
  // PBKDF2-params: salt, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1
  const salt = content(buf, expectTag(fields[0], TAG.octetString, 'the PBKDF2 salt'));
  const iterations = readSmallInt(buf, expectTag(fields[1], TAG.integer, 'the PBKDF2 iteration count'));
  checkIterations(iterations, 'pbkdf2');
  let rest = fields.slice(2);
  let keyLength: number | undefined;
  if (rest[0]?.tag === TAG.integer) {
    keyLength = readSmallInt(buf, rest[0]);
    rest = rest.slice(1);
  }
  let prf: Digest = 'sha1';
  if (rest[0]) {
    const prfId = readOid(buf, expectTag(children(buf, expectTag(rest[0], TAG.sequence, 'the PBKDF2 PRF'))[0], TAG.oid, 'the PBKDF2 PRF'));
    const named = prfByOid[prfId];
    if (!named) throw new PbeError('unsupported', `the PBKDF2 PRF ${prfId}`);
    prf = named;
  }
  if ((keyLength ?? keyBytes) > 64) throw new PbeError('unsupported', `a PBKDF2 key length of ${keyLength} bytes`);
  // RFC 8018 §5.2: one chain of `iterations` HMACs per hLen-byte block of the derived key.
  const blocks = Math.ceil((keyLength ?? keyBytes) / digestSizes[prf].bytes);
  const perRound = digestSizes[prf].block === 128 ? price.pbkdf2Wide : price.pbkdf2;
  return { kind: 'pbes2', kdf: { kind: 'pbkdf2', salt, iterations, keyLength, prf }, cipherOid, iv, price: iterations * blocks * perRound };
}

/**
 * Decrypts `ciphertext` under the scheme in the AlgorithmIdentifier `algorithm` (inside `buf`),
 * after taking its price from `budget` (E_INPUT_WORK_LIMIT when it is spent; `what` names the object).
 */
export function decrypt(buf: Uint8Array, algorithm: Tlv, ciphertext: Buffer, password: Password, budget: WorkBudget, what: string): Buffer {
  const scheme = readScheme(buf, algorithm);
  if (scheme.kind === 'pbes2') {
    const cipher = pbes2Ciphers[scheme.cipherOid];
    if (!cipher) throw new PbeError('unsupported', `the PBES2 cipher ${scheme.cipherOid}`);
    if (scheme.kdf.kind !== 'pbkdf2') throw new PbeError('unsupported', 'the PBES2 key derivation scrypt in a PKCS#12 file (only PBKDF2)');
    const { salt, iterations, keyLength, prf } = scheme.kdf;
    if (keyLength !== undefined && keyLength !== cipher.keyBytes) throw new PbeError('unsupported', 'a PBKDF2 key length that does not fit the cipher');
    const iv = content(buf, expectTag(scheme.iv, TAG.octetString, 'the PBES2 IV'));
    budget.charge(scheme.price, what);
    // RFC 8018 and OpenSSL: PBES2 takes the password's bytes as they are (UTF-8), not as a BMPString.
    const key = pbkdf2Sync(Buffer.from(password ?? '', 'utf8'), salt, iterations, cipher.keyBytes, prf);
    return decryptCbc(cipher.name, key, iv, ciphertext);
  }
  budget.charge(scheme.price, what);
  const secret = bmpPassword(password);
  const key = pkcs12Kdf(secret, scheme.salt, 1, scheme.iterations, scheme.cipher.keyBytes, 'sha1');
  const iv = pkcs12Kdf(secret, scheme.salt, 2, scheme.iterations, 8, 'sha1');
  if (scheme.cipher.cipher === 'rc2') return decryptRc2(key, iv, ciphertext, scheme.cipher.rc2Bits ?? 128);
  return decryptCbc(scheme.cipher.cipher, key, iv, ciphertext);
}

function decryptCbc(cipher: string, key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  try {
    const decipher = createDecipheriv(cipher, key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // A wrong key shows up as bad padding; an IV of the wrong size cannot be decrypted either.
    throw new PbeError('bad-decrypt', 'the data does not decrypt with this password');
  }
}

// node-forge takes ~40 ms to load; only legacy PKCS#12 files need it, so it loads on first use.
let forge: typeof Forge | undefined;

function decryptRc2(key: Buffer, iv: Buffer, ciphertext: Buffer, bits: number): Buffer {
  forge ??= createRequire(import.meta.url)('node-forge') as typeof Forge;
  const decipher = forge.rc2.createDecryptionCipher(key.toString('binary'), bits);
  decipher.start(iv.toString('binary'));
  decipher.update(forge.util.createBuffer(ciphertext.toString('binary')));
  if (!decipher.finish()) throw new PbeError('bad-decrypt', 'the data does not decrypt with this password');
  return Buffer.from(decipher.output.getBytes(), 'binary');
}
