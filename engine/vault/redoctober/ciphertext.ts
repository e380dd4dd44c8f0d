// What the vault does with a Red October ciphertext during and after migration: inspect it (owners,
// labels, usages, access, hash — for authorization and for the console) and decrypt it with the
// owners' unlocked private keys. Authorization is NOT done here: decrypt does not look at Usages
// or Labels. The vault's core checks them (and the requester, and the approvals) BEFORE it spends
// any delegation use (spec §10.7; RO spends the uses first, §8.5).
import { planNames, planPredicate, predicateNames, type PredicatePlan } from '../crypto/predicate.ts';
import { wipe } from './bytes.ts';
import { deriveAccess, type RedOctoberAccess } from './access.ts';
import { parseRedOctoberCiphertext, type PairWrap, type ParsedCiphertext } from './ciphertext-parse.ts';
import { RedOctoberCode, RedOctoberError } from './errors.ts';
import { recoverSecret } from './msp.ts';
import { decryptBlock, decryptCbc, unpad } from './symmetric.ts';
import type { RedOctoberKey } from './unlock.ts';
import { unwrapOwnerKey } from './unwrap.ts';
import type { RedOctoberVault } from './vault-file.ts';

export interface RedOctoberCiphertextInfo {
  /** Who can take part in a decryption, as RO's /owners lists them: KeySet names, then predicate names. */
  owners: string[];
  /** Everyone a key was wrapped for (KeySetRSA); more than `owners` after RO's Minimum 1 quirk (§8.1). */
  recipients: string[];
  labels: string[];
  usages: string[];
  predicate: string | null;
  access: RedOctoberAccess;
  /** SHA-256 (hex) of the decoded ciphertext bytes, to bind approvals to this exact ciphertext. */
  hash: string;
}

export interface RedOctoberPlaintext {
  plaintext: Uint8Array;
  /** The owners whose keys were used, in the order they were used. */
  used: string[];
}

type Vault = Pick<RedOctoberVault, 'vaultId' | 'hmacKey'>;

/** Verifies the ciphertext (both MACs, vault id, structure) and describes it. Throws RedOctoberError. */
export function inspectRedOctoberCiphertext(text: string, vault: Vault): RedOctoberCiphertextInfo {
  const parsed = parseRedOctoberCiphertext(text, vault);
  const keySetNames = parsed.keySet.flatMap((entry) => entry.names);
  return {
    owners: [...new Set([...keySetNames, ...(parsed.tree ? predicateNames(parsed.tree) : [])])],
    recipients: [...parsed.keySetRsa.keys()].sort(),
    labels: parsed.labels,
    usages: parsed.usages,
    predicate: parsed.predicate === '' ? null : parsed.predicate,
    access: deriveAccess(parsed.keySet, parsed.predicate),
    hash: parsed.hash,
  };
}

/**
 * The owners whose keys a decryption would use, given the owners whose delegations may be used
 * (`available`): what the core shows in an approval and spends uses of, BEFORE any key is touched.
 * Throws "need more delegated keys" / "not enough shares to recover" as decrypt would.
 */
export function planRedOctoberDecryption(text: string, vault: Vault, available: ReadonlySet<string>): string[] {
  return chooseOwners(parseRedOctoberCiphertext(text, vault), available).used;
}

/**
 * Decrypts with the private keys in `keys` (owner name -> key), which the caller has already
 * limited to delegations that may be used for this request; the owners chosen are the ones
 * planRedOctoberDecryption names for the same set.
 */
export function decryptRedOctoberCiphertext(text: string, vault: Vault, keys: ReadonlyMap<string, RedOctoberKey>): RedOctoberPlaintext {
  const parsed = parseRedOctoberCiphertext(text, vault);
  const choice = chooseOwners(parsed, new Set(keys.keys()));
  const clearKey = choice.kind === 'pair' ? unwrapPair(parsed, keys, choice.entry) : recoverFromShares(parsed, keys, choice.plan);
  const padded = decryptCbc(clearKey, parsed.iv, parsed.data);
  wipe(clearKey);
  const plaintext = padded && unpad(padded);
  wipe(padded);
  if (!plaintext) throw decryptFailed('the data does not decrypt to padded plaintext with the recovered key');
  return { plaintext, used: choice.used };
}

type Choice = { kind: 'pair'; entry: PairWrap; used: string[] } | { kind: 'shares'; plan: PredicatePlan; used: string[] };

/**
 * Owner modes: the first KeySet entry whose owners are all available (RO's unwrapKey). Predicates:
 * the cheapest set that satisfies it (RO's DerivePath), among owners that also have shares and a
 * wrapped key (RO's CanGetShare).
 */
function chooseOwners(parsed: ParsedCiphertext, available: ReadonlySet<string>): Choice {
  if (parsed.tree === null) {
    const entry = parsed.keySet.find(({ names }) => names.every((name) => available.has(name)));
    if (entry === undefined) {
      throw new RedOctoberError(
        RedOctoberCode.needKeys,
        'need more delegated keys',
        'not enough owners of this ciphertext have delegated: ask another owner to delegate',
      );
    }
    return { kind: 'pair', entry, used: [...new Set(entry.names)] };
  }
  const usable = new Set([...available].filter((name) => parsed.shareSet.has(name) && parsed.keySetRsa.has(name)));
  const plan = planPredicate(parsed.tree, usable);
  if (plan === null) {
    throw new RedOctoberError(
      RedOctoberCode.notEnoughShares,
      'not enough shares to recover',
      'the owners who delegated do not satisfy the predicate: ask the missing owners to delegate',
    );
  }
  return { kind: 'shares', plan, used: planNames(plan) };
}

function decryptFailed(what: string): RedOctoberError {
  return new RedOctoberError(
    RedOctoberCode.decrypt,
    `cannot decrypt: ${what}`,
    `cannot decrypt: ${what}; the ciphertext or a delegated key does not belong to this vault`,
  );
}

/** k_name: the owner's per-ciphertext key, opened with their private key. The caller wipes it. */
function ownerKey(parsed: ParsedCiphertext, keys: ReadonlyMap<string, RedOctoberKey>, name: string): Uint8Array {
  const wrapped = parsed.keySetRsa.get(name);
  const key = keys.get(name);
  const opened = wrapped && key ? unwrapOwnerKey(wrapped, key) : null;
  if (opened === null) throw decryptFailed(`the key wrapped for "${name}" does not open with their private key`);
  return opened;
}

/** Owners (Minimum 1 or 2) and left/right: clearKey sits under one AES block per name, first name outermost. */
function unwrapPair(parsed: ParsedCiphertext, keys: ReadonlyMap<string, RedOctoberKey>, entry: PairWrap): Uint8Array {
  let value: Uint8Array = entry.key.slice();
  try {
    for (const name of entry.names) {
      const key = ownerKey(parsed, keys, name);
      const next = decryptBlock(key, value);
      wipe(key, value);
      value = next;
    }
    return value;
  } catch (error) {
    wipe(value);
    throw error;
  }
}

/** Predicates: open the chosen owners' shares and interpolate up the threshold tree (msp.ts). */
function recoverFromShares(parsed: ParsedCiphertext, keys: ReadonlyMap<string, RedOctoberKey>, plan: PredicatePlan): Uint8Array {
  const shares = new Map<string, Uint8Array[]>();
  try {
    for (const name of planNames(plan)) {
      const key = ownerKey(parsed, keys, name);
      shares.set(
        name,
        (parsed.shareSet.get(name) ?? []).map((share) => decryptBlock(key, share)),
      );
      wipe(key);
    }
    return recoverSecret(plan, (name, occurrence) => {
      const share = shares.get(name)?.[occurrence];
      // checkStructure matched ShareSet to the predicate, so this cannot happen with a parsed ciphertext.
      if (share === undefined) throw decryptFailed(`"${name}" has no share number ${occurrence + 1}`);
      return share;
    });
  } finally {
    for (const list of shares.values()) wipe(...list);
  }
}
