// Encrypt, inspect and decrypt signalbox.vault.v1 ciphertexts (format in README.md). Where Red
// October used one AES-128 key, CBC and a vault-wide HMAC-SHA1 key that /export hands out and that
// did not cover the predicate or its shares (spec §3.2, §3.6, §8.7, §8.16), every byte here is
// authenticated twice: by the data's AEAD (associated data = the whole header) and by the
// encrypting user's signature over header and data. There is no vault-wide symmetric key.
import { timingSafeEqual } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { accessOwners, chooseOwners, isUserName, normalizeAccess, type Access } from './access.ts';
import { keyLength, nonceLength, open, seal } from './aead.ts';
import { fromBase64, randomBytes, toBase64, utf8, wipe } from './bytes.ts';
import {
  canonicalBytes,
  coreHash,
  coreOf,
  dataBinding,
  decodeDocument,
  encodeDocument,
  envelopeLimits,
  formatName,
  headerOf,
  normalizeTags,
  ownerKeyBinding,
  shareBinding,
  signedMessage,
  type EnvelopeDocument,
  type HeaderCore,
  type OwnerEntry,
} from './document.ts';
import { VaultCryptoCode, VaultCryptoError } from './errors.ts';
import {
  checkPublicKey,
  keyId,
  publicKeyFromPrivate,
  sign,
  unwrapKeyWith,
  verifySignature,
  wrapKeyFor,
  type PrivateKeyRef,
  type PublicKeyRef,
} from './keys.ts';
import { recoverSecret, shareSecret, type SlotShare } from './sharing.ts';

export { chooseOwners, type Access } from './access.ts';
export { envelopeLimits, formatName } from './document.ts';

export interface EncryptRequest {
  vaultId: string;
  access: Access;
  labels?: readonly string[];
  usages?: readonly string[];
  plaintext: Uint8Array;
  /** Public keys of (at least) every owner the access structure names. */
  owners: ReadonlyMap<string, PublicKeyRef>;
  /** The encrypting user, who signs the ciphertext and is named in it as createdBy. */
  signer: { name: string } & PrivateKeyRef;
  now: Date;
}

export interface VerifyOptions {
  vaultId: string;
  /** The current public key of a user, or undefined when there is no such user. */
  publicKeyOf: (name: string) => PublicKeyRef | undefined;
}

export interface DecryptOptions extends VerifyOptions {
  /** The (delegated) private key of an owner, or undefined when it is not available. */
  privateKeyOf: (name: string) => PrivateKeyRef | undefined;
  /** Owners whose keys may be used; the choice among them is chooseOwners'. */
  use: readonly string[];
}

export interface EnvelopeSummary {
  access: Access;
  /** Every owner the access structure names, sorted. */
  owners: string[];
  labels: string[];
  usages: string[];
  createdBy: string;
  createdAt: string;
  /** SHA-256 (hex) of the decoded document: names this exact ciphertext (orders, audit log). */
  hash: string;
}

export function encryptPayload(request: EncryptRequest): string {
  const access = normalizeAccess(request.access);
  const vaultId = request.vaultId;
  if (typeof vaultId !== 'string' || vaultId.length === 0 || vaultId.length > envelopeLimits.maxVaultIdLength)
    throw inputError('vaultId must be a string of 1 to 128 characters');
  const labels = normalizeTags(request.labels ?? [], 'labels');
  const usages = normalizeTags(request.usages ?? [], 'usages');
  const { signer, plaintext, now } = request;
  if (!isUserName(signer.name)) throw inputError(`the signer ${JSON.stringify(signer.name)} is not a user name`);
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw inputError('now must be a valid Date');
  if (plaintext.length > envelopeLimits.maxPlaintext) {
    throw new VaultCryptoError(
      VaultCryptoCode.tooLarge,
      `the data is ${plaintext.length} bytes; the vault encrypts at most ${envelopeLimits.maxPlaintext} (32 MiB) at once`,
    );
  }
  const recipients = accessOwners(access).map((name) => {
    const key = request.owners.get(name);
    if (key === undefined)
      throw new VaultCryptoError(
        VaultCryptoCode.unknownOwner,
        `owner ${name} has no public key in this vault: create the user first, or remove them from the access structure`,
      );
    checkPublicKey(key);
    return { name, key };
  });
  const signerPublic = publicKeyFromPrivate(signer);

  const dataKey = randomBytes(keyLength);
  const derived = deriveFromDataKey(dataKey);
  const ownerKeys = new Map<string, Uint8Array>();
  let shares: SlotShare[] = [];
  try {
    const nonce = randomBytes(nonceLength);
    const core: HeaderCore = {
      format: formatName,
      vaultId,
      access,
      owners: recipients.map(({ name, key }) => ({ name, type: key.type, keyId: keyId(key.type, key.publicKey) })),
      labels,
      usages,
      createdBy: signer.name,
      signerKeyId: keyId(signerPublic.type, signerPublic.publicKey),
      createdAt: now.toISOString(),
      nonce: toBase64(nonce),
      keyCommitment: toBase64(derived.commitment),
    };
    const bound = coreHash(core);
    // One random owner key per owner, wrapped to the owner's public key: a public-key operation per
    // owner, not per pair or share (left-right makes up to 64·63 pairs).
    const owners = recipients.map(({ name, key }, index): OwnerEntry => {
      const ownerKey = randomBytes(keyLength);
      ownerKeys.set(name, ownerKey);
      return { ...core.owners[index]!, wrappedKey: toBase64(wrapKeyFor(key, ownerKey, ownerKeyBinding(bound, name))) };
    });
    shares = shareSecret(access, dataKey);
    const header = {
      ...core,
      owners,
      shares: shares.map(({ owner, slot, share }) => ({ owner, slot, share: toBase64(seal(ownerKeys.get(owner)!, share, shareBinding(bound, owner, slot))) })),
    };
    const headerBytes = canonicalBytes(header);
    const data = xchacha20poly1305(derived.aeadKey, nonce, dataBinding(headerBytes)).encrypt(plaintext);
    const signature = sign(signer, signedMessage(headerBytes, data));
    const text = encodeDocument({ ...header, data: toBase64(data), signature: toBase64(signature) });
    if (text.length > envelopeLimits.maxEncodedLength) {
      throw new VaultCryptoError(
        VaultCryptoCode.tooLarge,
        `the ciphertext would be ${text.length} characters; the vault accepts at most ${envelopeLimits.maxEncodedLength}: encrypt less data at once`,
      );
    }
    return text;
  } finally {
    wipe(dataKey, derived.aeadKey, ...ownerKeys.values(), ...shares.map((entry) => entry.share));
  }
}

/** Verifies format, vault and signature, and says what the ciphertext is, without decrypting it. */
export function inspectPayload(text: string, options: VerifyOptions): EnvelopeSummary {
  const { document, hash } = verifyDocument(text, options);
  return summaryOf(document, hash);
}

/**
 * Verifies everything inspectPayload does, then recovers the data key from the shares of the owners
 * chooseOwners picks among `use`, and decrypts. The data key and owner keys are wiped before it
 * returns; the caller owns (and should wipe) the plaintext. Usages are not enforced here: the
 * vault checks them, before spending anyone's uses, from inspectPayload's summary.
 */
export function decryptPayload(text: string, options: DecryptOptions): Uint8Array {
  const { document } = verifyDocument(text, options);
  const chosen = chooseOwners(document.access, new Set(options.use));
  if (chosen === null) {
    throw new VaultCryptoError(
      VaultCryptoCode.notEnoughOwners,
      `need more delegated keys: ${describeAccess(document.access)}; available: ${options.use.length > 0 ? [...options.use].sort().join(', ') : 'none'}`,
    );
  }
  const header = headerOf(document);
  const bound = coreHash(coreOf(header));
  const ownerKeys = new Map<string, Uint8Array>();
  const ownerKey = (name: string): Uint8Array => {
    const cached = ownerKeys.get(name);
    if (cached !== undefined) return cached;
    const key = unwrapOwnerKey(
      document.owners.find((owner) => owner.name === name)!,
      bound,
      options,
    );
    ownerKeys.set(name, key);
    return key;
  };
  const sharesBySlot = new Map(document.shares.map((entry) => [`${entry.owner}\u0000${entry.slot}`, entry.share]));
  const shareOf = (owner: string, slot: string): Uint8Array => {
    const sealed = fromBase64(sharesBySlot.get(`${owner}\u0000${slot}`)!, 'a share');
    return open(ownerKey(owner), sealed, shareBinding(bound, owner, slot), `${owner}'s share ${slot}`);
  };

  let dataKey: Uint8Array | null = null;
  let derived: ReturnType<typeof deriveFromDataKey> | undefined;
  try {
    dataKey = recoverSecret(document.access, new Set(chosen), shareOf);
    if (dataKey === null) throw new VaultCryptoError(VaultCryptoCode.notEnoughOwners, `need more delegated keys: ${describeAccess(document.access)}`);
    derived = deriveFromDataKey(dataKey);
    // The commitment makes the data key the only key the data opens with (an AEAD alone is not
    // key-committing), so every satisfying set of owners decrypts to the same plaintext.
    if (!timingSafeEqual(derived.commitment, fromBase64(document.keyCommitment, 'keyCommitment'))) {
      throw new VaultCryptoError(VaultCryptoCode.decrypt, "the owners' shares do not recover this ciphertext's data key");
    }
    try {
      return xchacha20poly1305(derived.aeadKey, fromBase64(document.nonce, 'nonce'), dataBinding(canonicalBytes(header))).decrypt(
        fromBase64(document.data, 'data'),
      );
    } catch (cause) {
      throw new VaultCryptoError(VaultCryptoCode.decrypt, 'the data does not decrypt: the ciphertext was altered', { cause });
    }
  } finally {
    wipe(dataKey ?? undefined, derived?.aeadKey, ...ownerKeys.values());
  }
}

function verifyDocument(text: string, options: VerifyOptions): { document: EnvelopeDocument; hash: string } {
  const { document, bytes } = decodeDocument(text);
  if (document.vaultId !== options.vaultId) {
    throw new VaultCryptoError(
      VaultCryptoCode.wrongVault,
      `this ciphertext belongs to vault ${JSON.stringify(document.vaultId)}, not to this vault (${JSON.stringify(options.vaultId)}): decrypt it there`,
    );
  }
  const signer = options.publicKeyOf(document.createdBy);
  if (signer === undefined)
    throw new VaultCryptoError(
      VaultCryptoCode.unknownSigner,
      `the ciphertext is signed by ${document.createdBy}, who has no account in this vault: it cannot be verified`,
    );
  if (keyId(signer.type, signer.publicKey) !== document.signerKeyId) {
    throw new VaultCryptoError(
      VaultCryptoCode.signature,
      `the ciphertext is signed with a key ${document.createdBy} does not hold (key ${document.signerKeyId}): it was not made by this user`,
    );
  }
  const headerBytes = canonicalBytes(headerOf(document));
  if (!verifySignature(signer, signedMessage(headerBytes, fromBase64(document.data, 'data')), fromBase64(document.signature, 'signature'))) {
    throw new VaultCryptoError(VaultCryptoCode.signature, `the signature of ${document.createdBy} does not match: the ciphertext was altered after encryption`);
  }
  return { document, hash: Buffer.from(sha256(bytes)).toString('hex') };
}

function unwrapOwnerKey(owner: OwnerEntry, bound: Uint8Array, options: DecryptOptions): Uint8Array {
  const privateKey = options.privateKeyOf(owner.name);
  if (privateKey === undefined)
    throw new VaultCryptoError(VaultCryptoCode.missingKey, `${owner.name}'s key is not available: ${owner.name} must delegate first`);
  if (privateKey.type !== owner.type)
    throw new VaultCryptoError(
      VaultCryptoCode.decrypt,
      `${owner.name} now has an ${privateKey.type} key, but this ciphertext was encrypted to their ${owner.type} key`,
    );
  const current = options.publicKeyOf(owner.name);
  if (current !== undefined && keyId(current.type, current.publicKey) !== owner.keyId) {
    throw new VaultCryptoError(
      VaultCryptoCode.decrypt,
      `${owner.name}'s key has changed since this ciphertext was made (it names key ${owner.keyId}): it cannot be decrypted with the new key`,
    );
  }
  let key: Uint8Array;
  try {
    key = unwrapKeyWith(privateKey, fromBase64(owner.wrappedKey, 'a wrapped key'), ownerKeyBinding(bound, owner.name));
  } catch (cause) {
    if (cause instanceof VaultCryptoError) throw new VaultCryptoError(cause.code, `${owner.name}: ${cause.message}`, { cause });
    throw cause;
  }
  if (key.length !== keyLength) {
    wipe(key);
    throw new VaultCryptoError(VaultCryptoCode.decrypt, `${owner.name}'s wrapped key is ${key.length} bytes, not ${keyLength}`);
  }
  return key;
}

/** HKDF-SHA256 splits the data key: an encryption key, and a commitment that is stored. */
function deriveFromDataKey(dataKey: Uint8Array): { aeadKey: Uint8Array; commitment: Uint8Array } {
  return {
    aeadKey: hkdf(sha256, dataKey, undefined, utf8('signalbox.vault.v1 data encryption'), keyLength),
    commitment: hkdf(sha256, dataKey, undefined, utf8('signalbox.vault.v1 data key commitment'), 32),
  };
}

function summaryOf(document: EnvelopeDocument, hash: string): EnvelopeSummary {
  return {
    access: document.access,
    owners: document.owners.map((owner) => owner.name),
    labels: document.labels,
    usages: document.usages,
    createdBy: document.createdBy,
    createdAt: document.createdAt,
    hash,
  };
}

function describeAccess(access: Access): string {
  switch (access.kind) {
    case 'owners':
      return `${access.minimum} of ${access.owners.join(', ')}`;
    case 'left-right':
      return `one of ${access.left.join(', ')} and a different person from ${access.right.join(', ')}`;
    case 'predicate':
      return `owners satisfying ${access.predicate}`;
  }
}

function inputError(why: string): VaultCryptoError {
  return new VaultCryptoError(VaultCryptoCode.input, why);
}
