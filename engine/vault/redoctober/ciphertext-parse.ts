// Reads and authenticates a Red October ciphertext (spec §4.3) before anything uses it:
//   base64( {"Version":-1, "Data": base64(INNER), "Signature": HMAC-SHA1(HmacKey, INNER)} )
// and INNER's own Signature over its fields (spec §3.2.5). RO also takes a bare INNER (Version 1)
// with Secure=false; there Predicate and ShareSet are covered by no MAC at all, so we refuse it
// (spec §8.7, §10.4: never accept an unauthenticated legacy form). Checks run in RO's order
// (version, outer MAC, vault id, inner MAC) so the same input fails with the same RO text.
import { createHash, createHmac } from 'node:crypto';
import { parsePredicate, type PredicateNode, PredicateError } from '../crypto/predicate.ts';
import { compareGoStrings, concat, equalBytes, fromBase64, owned, utf8 } from './bytes.ts';
import { RedOctoberCode, RedOctoberError } from './errors.ts';
import { Fields, parseJson } from './json.ts';
import type { RedOctoberVault } from './vault-file.ts';

/** One entry of KeySet: clearKey under one AES block per name, the first name outermost. */
export interface PairWrap {
  names: string[];
  key: Uint8Array;
}

export interface ParsedCiphertext {
  /** SHA-256 (hex) of the decoded ciphertext bytes: the id an approval is bound to (spec §10.8). */
  hash: string;
  /** Sorted, as RO stores them (its MAC sorts them in place before serialising). */
  labels: string[];
  usages: string[];
  /** '' when the ciphertext uses owners or left/right rather than a predicate. */
  predicate: string;
  /** The parsed predicate, when there is one (checked against ShareSet). */
  tree: PredicateNode | null;
  /** In the order RO walks it on decrypt (sorted by names, as its MAC leaves it). */
  keySet: PairWrap[];
  /** name -> k_name wrapped to that owner's public key (RSA-OAEP or RO's ECIES). */
  keySetRsa: Map<string, Uint8Array>;
  /** name -> that owner's predicate shares, each one AES block under k_name, in occurrence order. */
  shareSet: Map<string, Uint8Array[]>;
  iv: Uint8Array;
  data: Uint8Array;
}

const innerFields = ['Version', 'VaultId', 'Labels', 'Usages', 'Predicate', 'KeySet', 'KeySetRSA', 'ShareSet', 'IV', 'Data', 'Signature'];

function malformed(message: string): never {
  throw new RedOctoberError(RedOctoberCode.malformed, message, `${message}: this is not a Red October ciphertext we can read`);
}

function signatureMismatch(which: string): RedOctoberError {
  return new RedOctoberError(
    RedOctoberCode.signature,
    'Signature mismatch',
    `the ciphertext's ${which} HMAC does not verify: it was altered, or it belongs to another vault`,
  );
}

function unknownVersion(version: number): RedOctoberError {
  return new RedOctoberError(
    RedOctoberCode.unknownVersion,
    'Unknown version',
    `the ciphertext has version ${version}; Red October writes only -1 (with 1 inside)`,
  );
}

/** Parses, checks the sizes, and verifies both MACs and the vault id. Throws RedOctoberError. */
export function parseRedOctoberCiphertext(text: string, vault: Pick<RedOctoberVault, 'vaultId' | 'hmacKey'>): ParsedCiphertext {
  const bytes = fromBase64(text.trim());
  if (bytes === null || bytes.length === 0) return malformed('ciphertext: not base64');
  const hash = createHash('sha256').update(bytes).digest('hex');
  const outer = new Fields(json(bytes, 'ciphertext'), 'ciphertext', malformed);
  const version = outer.has('Version') ? outer.smallInteger('Version') : 0;
  if (version === 1) {
    throw new RedOctoberError(
      RedOctoberCode.unauthenticated,
      'ciphertext: a bare Version 1 ciphertext has no outer MAC',
      'this ciphertext lacks the outer HMAC that covers its predicate and shares (Red October accepts it as Secure=false); we refuse it: re-encrypt it with Red October to get the -1 form',
    );
  }
  if (version !== -1) throw unknownVersion(version);
  // The outer MAC covers Data only, so nothing else may ride along in the envelope.
  outer.only(['Version', 'Data', 'Signature']);
  const payload = outer.bytes('Data', { multipleOf: 1 });
  const signature = outer.bytes('Signature', { length: 20 });
  if (!equalBytes(hmacSha1(vault.hmacKey, payload), signature)) throw signatureMismatch('outer');

  const inner = new Fields(json(payload, 'ciphertext payload'), 'ciphertext payload', malformed);
  inner.only(innerFields);
  const innerVersion = inner.has('Version') ? inner.smallInteger('Version') : 0;
  if (innerVersion !== 1) throw unknownVersion(innerVersion);
  const vaultId = inner.has('VaultId') ? inner.smallInteger('VaultId') : 0;
  if (vaultId !== vault.vaultId) {
    throw new RedOctoberError(RedOctoberCode.wrongVault, 'Wrong vault', `the ciphertext belongs to vault ${vaultId}, not to this vault (${vault.vaultId})`);
  }
  const parsed: ParsedCiphertext = {
    hash,
    labels: inner.strings('Labels').sort(compareGoStrings),
    usages: inner.strings('Usages').sort(compareGoStrings),
    predicate: inner.optionalString('Predicate'),
    tree: null,
    keySet: readKeySet(inner).sort(goKeySetOrder),
    keySetRsa: new Map(inner.entries('KeySetRSA').map(([name, value]) => [name, readWrappedKey(name, value)])),
    shareSet: new Map(inner.entries('ShareSet').map(([name, value]) => [name, readShares(name, value)])),
    iv: inner.bytes('IV', { length: 16 }),
    data: inner.bytes('Data', { multipleOf: 16 }),
  };
  const innerSignature = inner.bytes('Signature', { length: 20 });
  if (!equalBytes(innerMac(vault.hmacKey, innerVersion, vaultId, parsed), innerSignature)) throw signatureMismatch('inner');
  parsed.tree = checkStructure(parsed);
  return parsed;
}

function json(bytes: Uint8Array, what: string): unknown {
  try {
    return parseJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return malformed(`${what}: not JSON (${(error as Error).message})`);
  }
}

function hmacSha1(key: Uint8Array, message: Uint8Array): Uint8Array {
  return owned(createHmac('sha1', key).update(message).digest());
}

function readKeySet(inner: Fields): PairWrap[] {
  const value = inner.raw('KeySet') ?? [];
  if (!Array.isArray(value)) return malformed('ciphertext payload: field "KeySet" must be a list');
  return value.map((item: unknown, index) => {
    const entry = new Fields(item, `ciphertext payload: KeySet[${index}]`, malformed);
    // RO's unwrapKey rejects a Key that is not one block ("Invalid Input").
    return { names: entry.strings('Name'), key: entry.bytes('Key', { length: 16 }) };
  });
}

function readWrappedKey(name: string, value: unknown): Uint8Array {
  const entry = new Fields(value, `ciphertext payload: KeySetRSA."${name}"`, malformed);
  entry.only(['Key']);
  return entry.bytes('Key', { multipleOf: 1 });
}

function readShares(name: string, value: unknown): Uint8Array[] {
  if (!Array.isArray(value)) return malformed(`ciphertext payload: ShareSet."${name}" must be a list`);
  return value.map((share: unknown, index) => {
    const bytes = typeof share === 'string' ? fromBase64(share) : null;
    if (bytes?.length !== 16) return malformed(`ciphertext payload: ShareSet."${name}"[${index}] must be 16 bytes of base64`);
    return bytes;
  });
}

/** Go's mwkSlice.Less: names compared pairwise up to the shorter list; a common prefix is "equal". */
function goKeySetOrder(a: PairWrap, b: PairWrap): number {
  const shorter = Math.min(a.names.length, b.names.length);
  for (let i = 0; i < shorter; i++) {
    const order = compareGoStrings(a.names[i]!, b.names[i]!);
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * RO's computeHmac (spec §3.2.5): HMAC-SHA1 over decimal Version and VaultId, each KeySet entry's
 * names then key (sorted), each KeySetRSA name then key (sorted by name), IV, Data, the sorted
 * labels, the sorted usages. Predicate and ShareSet are not covered (only the outer MAC covers them).
 */
function innerMac(key: Uint8Array, version: number, vaultId: number, parsed: ParsedCiphertext): Uint8Array {
  const parts: Uint8Array[] = [utf8(String(version)), utf8(String(vaultId))];
  for (const entry of parsed.keySet) parts.push(...entry.names.map(utf8), entry.key);
  for (const name of [...parsed.keySetRsa.keys()].sort(compareGoStrings)) parts.push(utf8(name), parsed.keySetRsa.get(name)!);
  parts.push(parsed.iv, parsed.data, ...parsed.labels.map(utf8), ...parsed.usages.map(utf8));
  return hmacSha1(key, concat(...parts));
}

/**
 * What RO never writes and we will not guess at: a KeySet entry naming nobody (RO would take its Key
 * as the clear key with no delegation at all), names without a wrapped key, both a predicate and a
 * KeySet, or a ShareSet that does not match the predicate occurrence for occurrence.
 */
function checkStructure(parsed: ParsedCiphertext): PredicateNode | null {
  for (const [index, entry] of parsed.keySet.entries()) {
    if (entry.names.length === 0) malformed(`ciphertext payload: KeySet[${index}] names nobody`);
    const missing = entry.names.find((name) => !parsed.keySetRsa.has(name));
    if (missing !== undefined) malformed(`ciphertext payload: KeySet[${index}] names "${missing}", who has no KeySetRSA entry`);
  }
  if (parsed.predicate === '') {
    if (parsed.shareSet.size > 0) malformed('ciphertext payload: has a ShareSet but no Predicate');
    return null;
  }
  if (parsed.keySet.length > 0) malformed('ciphertext payload: has both a Predicate and a KeySet');
  let tree: PredicateNode;
  try {
    tree = parsePredicate(parsed.predicate);
  } catch (error) {
    if (error instanceof PredicateError) return malformed(`ciphertext payload: Predicate ${JSON.stringify(parsed.predicate)}: ${error.message}`);
    throw error;
  }
  const occurrences = new Map<string, number>();
  const count = (node: PredicateNode): void => {
    if (node.kind === 'name') occurrences.set(node.name, (occurrences.get(node.name) ?? 0) + 1);
    else node.children.forEach(count);
  };
  count(tree);
  const names = new Set([...occurrences.keys(), ...parsed.shareSet.keys()]);
  for (const name of names) {
    const shares = parsed.shareSet.get(name)?.length ?? 0;
    if (shares !== (occurrences.get(name) ?? 0))
      malformed(`ciphertext payload: the Predicate gives "${name}" ${occurrences.get(name) ?? 0} share(s) but ShareSet holds ${shares}`);
    if (!parsed.keySetRsa.has(name)) malformed(`ciphertext payload: "${name}" has shares but no KeySetRSA entry`);
  }
  return tree;
}
