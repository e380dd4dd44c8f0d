// Private keys into node:crypto KeyObjects: PKCS#1, PKCS#8 (plain and encrypted), SEC1, and
// OpenSSL's legacy encrypted PEM. Only the key types a TLS server certificate uses are kept.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { BER, TAG, children, expectTag, readWhole } from '../der.ts';
import type { WorkBudget } from './budget.ts';
import { PbeError, decryptionPrice } from './pbe.ts';
import { InputFailure } from './problems.ts';

export type KeyType = 'rsa' | 'ec' | 'ed25519';

export interface KeyFacts {
  type: KeyType;
  /** RSA modulus size; the curve size for EC (256, 384, 521); 256 for Ed25519. */
  bits: number;
  /** NIST name of the curve, for EC keys. */
  curve?: 'P-256' | 'P-384' | 'P-521';
}

const curves: Record<string, { name: 'P-256' | 'P-384' | 'P-521'; bits: number }> = {
  prime256v1: { name: 'P-256', bits: 256 },
  secp384r1: { name: 'P-384', bits: 384 },
  secp521r1: { name: 'P-521', bits: 521 },
};

export type DerKeyFormat = 'pkcs8' | 'pkcs1' | 'sec1';

/** An unencrypted key in DER. */
export function loadDerKey(der: Buffer, format: DerKeyFormat): KeyObject {
  return load(false, () => createPrivateKey({ key: der, format: 'der', type: format }));
}

/**
 * An EncryptedPrivateKeyInfo (RFC 5958 §3), from DER or an ENCRYPTED PRIVATE KEY block. OpenSSL
 * runs whatever KDF rounds the file names, so they are priced and paid from `budget` first
 * (over the caps: 2200; over the budget: 1013), then OpenSSL decrypts.
 */
export function loadEncryptedKey(der: Buffer, password: string | undefined, budget: WorkBudget): KeyObject {
  if (password === undefined) throw needsPassword();
  let price: number;
  try {
    const [algorithm] = children(der, expectTag(readWhole(der, BER), TAG.sequence, 'an EncryptedPrivateKeyInfo'));
    price = decryptionPrice(der, expectTag(algorithm, TAG.sequence, 'the key encryption algorithm'));
  } catch (err) {
    if (err instanceof PbeError) {
      throw new InputFailure(
        'E_KEY_UNSUPPORTED',
        `the private key is encrypted with ${err.message}; re-encrypt it with \`openssl pkcs8 -topk8 -v2 aes-256-cbc\``,
      );
    }
    throw err;
  }
  budget.charge(price, 'the private key');
  return load(true, () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8', passphrase: password }));
}

/**
 * A key PEM block as written: unencrypted, or OpenSSL's legacy Proc-Type 4,ENCRYPTED form, whose
 * key is one MD5 over password and salt (EVP_BytesToKey, count 1): no rounds to price (the caller
 * pays the decryption itself).
 */
export function loadPemKey(pem: string, legacyEncrypted: boolean, password: string | undefined): KeyObject {
  if (legacyEncrypted && password === undefined) throw needsPassword();
  return load(legacyEncrypted, () => createPrivateKey({ key: pem, format: 'pem', ...(legacyEncrypted ? { passphrase: password } : {}) }));
}

function load(encrypted: boolean, parse: () => KeyObject): KeyObject {
  try {
    return parse();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // With a password, any failure is most likely the password (a wrong key can even pass the
    // padding check and then fail to parse); OpenSSL does not tell the two apart either.
    if (encrypted) {
      if (code === 'ERR_OSSL_EVP_UNSUPPORTED') {
        throw new InputFailure(
          'E_KEY_UNSUPPORTED',
          'the key is encrypted with a cipher OpenSSL 3 no longer offers; re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`',
        );
      }
      throw new InputFailure('E_KEY_WRONG_PASSWORD', 'the private key does not decrypt with the password given; check the password');
    }
    throw new InputFailure('E_KEY_PARSE', `the private key cannot be read (${reason(err)}); export it again as PKCS#8 PEM`);
  }
}

export function needsPassword(): InputFailure {
  return new InputFailure('E_KEY_ENCRYPTED', 'the private key is encrypted; give its password with the file');
}

function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/^error:[0-9A-F]+:/, '').trim();
}

/** What the bundler needs to know about a key; refuses types it does not bundle for (cfssl 2200). */
export function describeKey(key: KeyObject): KeyFacts {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return { type: 'rsa', bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
  if (type === 'ed25519') return { type: 'ed25519', bits: 256 };
  if (type === 'ec') {
    const named = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    const curve = curves[named];
    if (!curve) throw new InputFailure('E_KEY_UNSUPPORTED', `an EC key on ${named}: only P-256, P-384 and P-521 are used for TLS certificates`);
    return { type: 'ec', bits: curve.bits, curve: curve.name };
  }
  throw new InputFailure(
    'E_KEY_UNSUPPORTED',
    `a ${type?.toUpperCase() ?? 'unknown'} key: only RSA, ECDSA (P-256, P-384, P-521) and Ed25519 keys are supported`,
  );
}
