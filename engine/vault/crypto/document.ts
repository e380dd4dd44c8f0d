// The signalbox.vault.v1 document: its fields, their strict validation, and the canonical bytes
// that are authenticated. Layout and reasons are in README.md. Validation is strict (exact field
// set, one spelling per value) so that what was signed and what is used are the same thing.
import { sha256 } from '@noble/hashes/sha2.js';
import { accessOwners, isUserName, normalizeAccess, type Access } from './access.ts';
import { bindTo, nonceLength, tagLength } from './aead.ts';
import { fromBase64, fromBase64Url, fromUtf8, toBase64Url, utf8 } from './bytes.ts';
import { canonicalJson, type CanonicalValue } from './canonical-json.ts';
import { VaultCryptoCode, VaultCryptoError } from './errors.ts';
import type { KeyType } from './keys.ts';
import { expectedSlots } from './sharing.ts';

export const formatName = 'signalbox.vault.v1';

export const envelopeLimits = {
  /** Characters of the base64url text; larger inputs are refused before any decoding. */
  maxEncodedLength: 64 * 2 ** 20,
  /** Two base64 layers cost 16/9: 32 MiB of plaintext stays under 64 MiB encoded. */
  maxPlaintext: 32 * 2 ** 20,
  maxVaultIdLength: 128,
  maxTags: 64,
  maxTagLength: 256,
} as const;

export type OwnerEntry = { name: string; type: KeyType; keyId: string; wrappedKey: string };
export type ShareEntry = { owner: string; slot: string; share: string };

/** What the owner keys and shares are bound to: the header without wraps and shares. */
export type HeaderCore = {
  format: typeof formatName;
  vaultId: string;
  access: Access;
  owners: { name: string; type: KeyType; keyId: string }[];
  labels: string[];
  usages: string[];
  createdBy: string;
  signerKeyId: string;
  createdAt: string;
  nonce: string;
  keyCommitment: string;
};

export type EnvelopeHeader = Omit<HeaderCore, 'owners'> & { owners: OwnerEntry[]; shares: ShareEntry[] };
export type EnvelopeDocument = EnvelopeHeader & { data: string; signature: string };

/** A share sealed under its owner key: nonce ‖ 32-byte share ‖ tag. */
export const sealedShareLength = nonceLength + 32 + tagLength;
const documentKeys = [
  'access',
  'createdAt',
  'createdBy',
  'data',
  'format',
  'keyCommitment',
  'labels',
  'nonce',
  'owners',
  'shares',
  'signature',
  'signerKeyId',
  'usages',
  'vaultId',
];
const keyIdPattern = /^[0-9a-f]{32}$/;
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function headerOf(document: EnvelopeDocument): EnvelopeHeader {
  const { data: _data, signature: _signature, ...header } = document;
  return header;
}

export function coreOf(header: EnvelopeHeader): HeaderCore {
  const { shares: _shares, owners, ...rest } = header;
  return { ...rest, owners: owners.map(({ name, type, keyId }) => ({ name, type, keyId })) };
}

export function canonicalBytes(value: HeaderCore | EnvelopeHeader): Uint8Array {
  return utf8(canonicalJson(value as CanonicalValue));
}

export function coreHash(core: HeaderCore): Uint8Array {
  return sha256(canonicalBytes(core));
}

// Associated data, one purpose each (aead.ts bindTo). Owner keys and shares are bound to the
// header core, so none can be lifted into another ciphertext; shares also to owner and slot.
export const ownerKeyBinding = (core: Uint8Array, owner: string) => bindTo('owner key', core, utf8(owner));
export const shareBinding = (core: Uint8Array, owner: string, slot: string) => bindTo('share', core, utf8(owner), utf8(slot));
export const dataBinding = (header: Uint8Array) => bindTo('data', header);
export const signedMessage = (header: Uint8Array, data: Uint8Array) => bindTo('signature', sha256(header), sha256(data));

export function encodeDocument(document: EnvelopeDocument): string {
  return toBase64Url(utf8(canonicalJson(document as CanonicalValue)));
}

/** Decodes and validates a document; `bytes` are the decoded JSON (what the summary's hash covers). */
export function decodeDocument(text: string): { document: EnvelopeDocument; bytes: Uint8Array } {
  if (typeof text !== 'string') throw formatError('a ciphertext is a base64url string');
  if (text.length > envelopeLimits.maxEncodedLength) {
    throw new VaultCryptoError(
      VaultCryptoCode.tooLarge,
      `the ciphertext is ${text.length} characters; the vault accepts at most ${envelopeLimits.maxEncodedLength} (64 MiB)`,
    );
  }
  // Clients may add padding or a trailing newline; neither changes the decoded bytes.
  const trimmed = text.trim().replace(/={1,2}$/, '');
  let bytes: Uint8Array;
  let value: unknown;
  try {
    bytes = fromBase64Url(trimmed, 'the ciphertext');
    value = JSON.parse(fromUtf8(bytes));
  } catch (cause) {
    throw formatError(redOctoberHint(trimmed) ?? 'the ciphertext is not base64url of a JSON document', cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw formatError('the ciphertext does not hold a JSON object');
  const record = value as Record<string, unknown>;
  if ('Version' in record) throw formatError(redOctoberMessage);
  if (record.format !== formatName) throw formatError(`format ${JSON.stringify(record.format)} is not "${formatName}"`);
  const document = validateDocument(record);
  // One ciphertext, one byte string: its hash then names it whatever the JSON spelling would allow.
  if (fromUtf8(bytes) !== canonicalJson(document as CanonicalValue)) throw formatError('the JSON is not in canonical form (sorted keys, no spaces)');
  return { document, bytes };
}

const redOctoberMessage = 'this is a Red October ciphertext (it has "Version"): import it through the vault\'s Red October migration';

function redOctoberHint(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && 'Version' in parsed ? redOctoberMessage : undefined;
  } catch {
    return undefined;
  }
}

function validateDocument(record: Record<string, unknown>): EnvelopeDocument {
  const keys = Object.keys(record).sort();
  const extra = keys.filter((key) => !documentKeys.includes(key));
  const missing = documentKeys.filter((key) => !(key in record));
  if (extra.length > 0 || missing.length > 0) {
    throw formatError(
      [extra.length > 0 ? `unknown field ${extra.join(', ')}` : '', missing.length > 0 ? `missing ${missing.join(', ')}` : ''].filter(Boolean).join('; '),
    );
  }
  const vaultId = record.vaultId;
  if (typeof vaultId !== 'string' || vaultId.length === 0 || vaultId.length > envelopeLimits.maxVaultIdLength)
    throw formatError('vaultId must be a string of 1 to 128 characters');

  let access: Access;
  try {
    access = normalizeAccess(record.access);
  } catch (cause) {
    throw formatError(`access: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
  }
  if (canonicalJson(access) !== canonicalJson(record.access as CanonicalValue)) throw formatError('access is not in canonical form (owner lists sorted)');

  const ownerNames = accessOwners(access);
  const owners = list(record.owners, 'owners', ownerNames.length).map((entry, index): OwnerEntry => {
    const fields = object(entry, `owners[${index}]`, ['keyId', 'name', 'type', 'wrappedKey']);
    if (fields.name !== ownerNames[index])
      throw formatError(`owners[${index}] is ${JSON.stringify(fields.name)}; the access structure's owners, sorted, are ${ownerNames.join(', ')}`);
    if (fields.type !== 'ECC' && fields.type !== 'RSA') throw formatError(`owners[${index}].type must be "ECC" or "RSA"`);
    if (typeof fields.keyId !== 'string' || !keyIdPattern.test(fields.keyId)) throw formatError(`owners[${index}].keyId must be 32 lowercase hex digits`);
    const wrapped = bytesField(fields.wrappedKey, `owners[${index}].wrappedKey`);
    if (wrapped.length === 0 || wrapped.length > 1024) throw formatError(`owners[${index}].wrappedKey must be 1 to 1024 bytes`);
    return { name: ownerNames[index]!, type: fields.type, keyId: fields.keyId, wrappedKey: fields.wrappedKey as string };
  });

  const slots = expectedSlots(access);
  const shares = list(record.shares, 'shares', slots.length).map((entry, index): ShareEntry => {
    const fields = object(entry, `shares[${index}]`, ['owner', 'share', 'slot']);
    const slot = slots[index]!;
    if (fields.owner !== slot.owner || fields.slot !== slot.slot) throw formatError(`shares[${index}] must be ${slot.owner}'s slot ${slot.slot}`);
    if (bytesField(fields.share, `shares[${index}].share`).length !== sealedShareLength)
      throw formatError(`shares[${index}].share must be ${sealedShareLength} bytes`);
    return { owner: slot.owner, slot: slot.slot, share: fields.share as string };
  });

  const labels = tagsField(record.labels, 'labels');
  const usages = tagsField(record.usages, 'usages');
  const createdBy = record.createdBy;
  if (!isUserName(createdBy)) throw formatError('createdBy must be a user name');
  if (typeof record.signerKeyId !== 'string' || !keyIdPattern.test(record.signerKeyId)) throw formatError('signerKeyId must be 32 lowercase hex digits');
  const createdAt = record.createdAt;
  if (
    typeof createdAt !== 'string' ||
    !timestampPattern.test(createdAt) ||
    Number.isNaN(Date.parse(createdAt)) ||
    new Date(createdAt).toISOString() !== createdAt
  ) {
    throw formatError('createdAt must be a UTC timestamp like 2026-01-31T12:00:00.000Z');
  }
  if (bytesField(record.nonce, 'nonce').length !== nonceLength) throw formatError(`nonce must be ${nonceLength} bytes`);
  if (bytesField(record.keyCommitment, 'keyCommitment').length !== 32) throw formatError('keyCommitment must be 32 bytes');
  if (bytesField(record.data, 'data').length < tagLength) throw formatError('data is shorter than its authentication tag');
  const signature = bytesField(record.signature, 'signature');
  if (signature.length === 0 || signature.length > 1024) throw formatError('signature must be 1 to 1024 bytes');

  return {
    format: formatName,
    vaultId,
    access,
    owners,
    shares,
    labels,
    usages,
    createdBy,
    signerKeyId: record.signerKeyId,
    createdAt,
    nonce: record.nonce as string,
    keyCommitment: record.keyCommitment as string,
    data: record.data as string,
    signature: record.signature as string,
  };
}

/**
 * Labels and usages as stored: sorted, each once (Red October sorted them in place too, §3.2 step 5),
 * printable, bounded. At encryption the caller's list is normalized; in a document it must already be.
 */
export function normalizeTags(value: unknown, what: string): string[] {
  const fail = (why: string) => new VaultCryptoError(VaultCryptoCode.input, `${what}: ${why}`);
  if (!Array.isArray(value)) throw fail('expected a list of strings');
  for (const tag of value) {
    // No control characters: labels are shown in consoles and logs.
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > envelopeLimits.maxTagLength || /\p{Cc}/u.test(tag)) {
      throw fail(`${JSON.stringify(tag)} is not 1 to ${envelopeLimits.maxTagLength} printable characters`);
    }
  }
  const tags = [...new Set(value as string[])].sort();
  if (tags.length > envelopeLimits.maxTags) throw fail(`${tags.length} entries; at most ${envelopeLimits.maxTags}`);
  return tags;
}

function tagsField(value: unknown, what: string): string[] {
  let tags: string[];
  try {
    tags = normalizeTags(value, what);
  } catch (cause) {
    throw formatError(cause instanceof Error ? cause.message : String(cause), cause);
  }
  if (canonicalJson(tags) !== canonicalJson(value as CanonicalValue)) throw formatError(`${what} must be sorted and distinct`);
  return tags;
}

function list(value: unknown, what: string, length: number): unknown[] {
  if (!Array.isArray(value) || value.length !== length) throw formatError(`${what} must be a list of ${length} entries for this access structure`);
  return value;
}

function object(value: unknown, what: string, keys: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw formatError(`${what} must be an object`);
  const actual = Object.keys(value).sort();
  if (actual.length !== keys.length || actual.some((key, index) => key !== keys[index]))
    throw formatError(`${what} must have exactly the fields ${keys.join(', ')}`);
  return value as Record<string, unknown>;
}

function bytesField(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string') throw formatError(`${what} must be a base64 string`);
  return fromBase64(value, what);
}

function formatError(why: string, cause?: unknown): VaultCryptoError {
  return new VaultCryptoError(VaultCryptoCode.format, `not a ${formatName} ciphertext: ${why}`, cause === undefined ? undefined : { cause });
}
