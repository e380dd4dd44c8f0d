// Certificates and private keys from a PKCS#12 file (RFC 7292): .p12/.pfx from OpenSSL 3 (PBES2,
// AES-256, SHA-256 MAC), `openssl pkcs12 -legacy`, Windows and Java (3DES, RC2-40, SHA-1 MAC).
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { BER, DerError, TAG, children, expectTag, octets, readOid, readSmallInt, readWhole, whole, type Tlv } from '../der.ts';
import { PKCS } from '../oids.ts';
import { loadDerKey } from './keys.ts';
import type { WorkBudget } from './budget.ts';
import { PbeError, bmpPassword, decrypt, digestOf, pkcs12Kdf, pkcs12KdfPrice, type Password } from './pbe.ts';
import { InputFailure } from './problems.ts';

export type Pkcs12Item = { kind: 'certificate'; der: Buffer } | { kind: 'key'; key: KeyObject } | { kind: 'problem'; failure: InputFailure };

// SafeContentsBag may nest; real files nest once at most.
const maxNesting = 4;

/**
 * `top` is a PFX already known from its shape (detectDer). Whole-file failures (wrong password,
 * structure, the work budget spent) throw InputFailure or DerError; a bag that cannot be used
 * becomes a `problem` item. Every key derivation is paid from `budget` before it runs.
 */
export function readPkcs12(buf: Uint8Array, top: Tlv, password: string | undefined, budget: WorkBudget): Pkcs12Item[] {
  const [, authSafe, macData] = children(buf, top);
  const [typeTlv, explicit] = children(buf, expectTag(authSafe, TAG.sequence, 'the PKCS#12 authSafe'));
  const type = readOid(buf, expectTag(typeTlv, TAG.oid, 'the PKCS#12 authSafe type'));
  if (type !== PKCS.data) {
    throw new InputFailure('E_INPUT_UNSUPPORTED', 'a PKCS#12 file in public-key integrity mode; export it with a password instead');
  }
  const authSafeBytes = octets(
    buf,
    expectTag(children(buf, expectTag(explicit, TAG.context0, 'the PKCS#12 authSafe content'))[0], TAG.octetString, 'the PKCS#12 authSafe content'),
  );

  const chosen = choosePassword(buf, macData, authSafeBytes, password, budget);
  const items: Pkcs12Item[] = [];
  const safes = readWhole(authSafeBytes, BER);
  for (const contentInfo of children(authSafeBytes, expectTag(safes, TAG.sequence, 'the PKCS#12 AuthenticatedSafe'))) {
    const contents = safeContents(authSafeBytes, contentInfo, chosen, password !== undefined, budget);
    readBags(contents, readWhole(contents, BER), chosen, budget, items, 0);
  }
  return items;
}

// OpenSSL tries "no password" and the empty password alike; so do we when none was given.
function candidates(password: string | undefined): Password[] {
  if (password === undefined || password === '') return [null, ''];
  return [password];
}

function choosePassword(buf: Uint8Array, macData: Tlv | undefined, authSafe: Buffer, password: string | undefined, budget: WorkBudget): Password {
  const options = candidates(password);
  if (!macData) return options[0]!;
  const [digestInfo, saltTlv, iterTlv] = children(buf, expectTag(macData, TAG.sequence, 'the PKCS#12 MacData'));
  const [algorithm, digestTlv] = children(buf, expectTag(digestInfo, TAG.sequence, 'the PKCS#12 MAC digest'));
  let digest;
  try {
    digest = digestOf(buf, expectTag(algorithm, TAG.sequence, 'the PKCS#12 MAC algorithm'));
  } catch (err) {
    if (err instanceof PbeError) throw new InputFailure('E_INPUT_UNSUPPORTED', `the PKCS#12 file uses ${err.message}; export it again with OpenSSL's defaults`);
    throw err;
  }
  const expected = octets(buf, expectTag(digestTlv, TAG.octetString, 'the PKCS#12 MAC value'));
  const salt = octets(buf, expectTag(saltTlv, TAG.octetString, 'the PKCS#12 MAC salt'));
  const iterations = iterTlv ? readSmallInt(buf, iterTlv) : 1;
  for (const option of options) {
    let key: Buffer;
    try {
      budget.charge(pkcs12KdfPrice(iterations, expected.length, digest), "the PKCS#12 file's integrity check");
      key = pkcs12Kdf(bmpPassword(option), salt, 3, iterations, expected.length, digest);
    } catch (err) {
      if (err instanceof PbeError) throw new InputFailure('E_INPUT_UNSUPPORTED', `the PKCS#12 MAC uses ${err.message}`);
      throw err;
    }
    const actual = createHmac(digest, key).update(authSafe).digest();
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) return option;
  }
  throw wrongPassword(password !== undefined);
}

function wrongPassword(given: boolean): InputFailure {
  return given
    ? new InputFailure('E_INPUT_WRONG_PASSWORD', 'the PKCS#12 file does not open with the password given; check the password')
    : new InputFailure('E_INPUT_PASSWORD_REQUIRED', 'the PKCS#12 file is protected by a password; give it with the file');
}

/** The SafeContents bytes of one ContentInfo of the AuthenticatedSafe, decrypted when needed. */
function safeContents(buf: Buffer, contentInfo: Tlv, password: Password, given: boolean, budget: WorkBudget): Buffer {
  const [typeTlv, explicit] = children(buf, expectTag(contentInfo, TAG.sequence, 'a PKCS#12 ContentInfo'));
  const type = readOid(buf, expectTag(typeTlv, TAG.oid, 'a PKCS#12 content type'));
  const inner = children(buf, expectTag(explicit, TAG.context0, 'a PKCS#12 content'))[0];
  if (type === PKCS.data) return octets(buf, expectTag(inner, TAG.octetString, 'PKCS#12 SafeContents'));
  if (type !== PKCS.encryptedData) {
    throw new InputFailure('E_INPUT_UNSUPPORTED', 'a PKCS#12 file with public-key encrypted contents; export it with a password instead');
  }
  // EncryptedData: version, EncryptedContentInfo { contentType, algorithm, [0] IMPLICIT encryptedContent }
  const [, encryptedContentInfo] = children(buf, expectTag(inner, TAG.sequence, 'PKCS#12 EncryptedData'));
  const [, algorithm, encrypted] = children(buf, expectTag(encryptedContentInfo, TAG.sequence, 'PKCS#12 EncryptedContentInfo'));
  if (!algorithm || !encrypted) throw new DerError('PKCS#12 EncryptedContentInfo is incomplete');
  try {
    const plain = decrypt(buf, algorithm, octets(buf, encrypted), password, budget, "the PKCS#12 file's contents");
    readWhole(plain, BER);
    return plain;
  } catch (err) {
    if (err instanceof PbeError && err.kind === 'unsupported') {
      throw new InputFailure('E_INPUT_UNSUPPORTED', `the PKCS#12 file is encrypted with ${err.message}; export it again with OpenSSL's defaults`);
    }
    // Bad padding, or plaintext that is not DER: without a MAC this is how a wrong password shows.
    if (err instanceof PbeError || err instanceof DerError) throw wrongPassword(given);
    throw err;
  }
}

function readBags(buf: Buffer, safeContentsTlv: Tlv, password: Password, budget: WorkBudget, items: Pkcs12Item[], depth: number): void {
  if (depth > maxNesting) throw new DerError('PKCS#12 SafeContents nested too deep');
  for (const bag of children(buf, expectTag(safeContentsTlv, TAG.sequence, 'PKCS#12 SafeContents'))) {
    const [idTlv, explicit] = children(buf, expectTag(bag, TAG.sequence, 'a PKCS#12 SafeBag'));
    const bagId = readOid(buf, expectTag(idTlv, TAG.oid, 'a PKCS#12 bag type'));
    const value = expectTag(children(buf, expectTag(explicit, TAG.context0, 'a PKCS#12 bag value'))[0], TAG.sequence, 'a PKCS#12 bag value');
    try {
      if (bagId === PKCS.certBag) {
        const certificate = certBag(buf, value);
        if (certificate) items.push({ kind: 'certificate', der: certificate });
      } else if (bagId === PKCS.keyBag) {
        items.push({ kind: 'key', key: loadDerKey(whole(buf, value), 'pkcs8') });
      } else if (bagId === PKCS.pkcs8ShroudedKeyBag) {
        items.push({ kind: 'key', key: shroudedKey(buf, value, password, budget) });
      } else if (bagId === PKCS.safeContentsBag) {
        readBags(buf, value, password, budget, items, depth + 1);
      }
      // CRL and secret bags carry nothing for a bundle.
    } catch (err) {
      if (!(err instanceof InputFailure)) throw err;
      items.push({ kind: 'problem', failure: err });
    }
  }
}

/** CertBag: { certId, [0] EXPLICIT OCTET STRING }; only X.509 certificates (not SDSI). */
function certBag(buf: Buffer, value: Tlv): Buffer | null {
  const [idTlv, explicit] = children(buf, value);
  if (readOid(buf, expectTag(idTlv, TAG.oid, 'a PKCS#12 certificate type')) !== PKCS.x509Certificate) {
    throw new InputFailure('E_INPUT_UNSUPPORTED', 'a PKCS#12 certificate that is not X.509 (SDSI); it was skipped');
  }
  return octets(buf, expectTag(children(buf, expectTag(explicit, TAG.context0, 'a PKCS#12 certificate'))[0], TAG.octetString, 'a PKCS#12 certificate'));
}

/** EncryptedPrivateKeyInfo { algorithm, encryptedData }, decrypted with the file's password. */
function shroudedKey(buf: Buffer, value: Tlv, password: Password, budget: WorkBudget): KeyObject {
  const [algorithm, data] = children(buf, value);
  if (!algorithm || !data) throw new InputFailure('E_KEY_DECODE', 'a PKCS#12 key bag is incomplete');
  let plain: Buffer;
  try {
    plain = decrypt(buf, algorithm, octets(buf, data), password, budget, 'a key in the PKCS#12 file');
  } catch (err) {
    if (err instanceof PbeError && err.kind === 'unsupported') {
      throw new InputFailure('E_KEY_UNSUPPORTED', `the PKCS#12 key is encrypted with ${err.message}; export it again with OpenSSL's defaults`);
    }
    if (err instanceof PbeError) {
      throw new InputFailure('E_KEY_WRONG_PASSWORD', "the key in the PKCS#12 file does not decrypt with the file's password; it was skipped");
    }
    throw err;
  }
  return loadDerKey(plain, 'pkcs8');
}
