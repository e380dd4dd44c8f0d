// Ciphertexts of the imported Red October vaults: which vault a ciphertext comes from (the one
// whose HMAC key verifies it) and its owners as accounts here. A vault's accounts may have been
// renamed at import (their name was taken); its ciphertexts still name them by their Red October
// names, so owners are read through the vault's rename map, and keys handed back under those names.
import { fromBase64 } from './crypto/bytes.ts';
import { renamePredicateNames } from './crypto/predicate.ts';
import type { RedOctoberAccess } from './redoctober/access.ts';
import { inspectRedOctoberCiphertext, type RedOctoberCiphertextInfo } from './redoctober/ciphertext.ts';
import { RedOctoberCode, RedOctoberError } from './redoctober/errors.ts';
import type { RedOctoberVault } from './redoctober/vault-file.ts';
import type { RedOctoberSource } from './storage/vault-file.ts';

export interface RedOctoberMatch {
  source: RedOctoberSource;
  /** What its decryptor takes: the vault id and the HMAC key. */
  vault: Pick<RedOctoberVault, 'vaultId' | 'hmacKey'>;
  /** Owners and access as accounts here (renames applied). */
  info: RedOctoberCiphertextInfo;
}

/**
 * The imported Red October vault a ciphertext belongs to, and what it says. Every vault is tried:
 * only the right HMAC key verifies it. An error that does not depend on the key (malformed,
 * unknown version, unauthenticated) is thrown at once; when no key verifies it, the first
 * vault's error (Red October's "Signature mismatch") is thrown, as Red October with that vault would.
 */
export function matchRedOctober(sources: readonly RedOctoberSource[], ciphertext: string): RedOctoberMatch {
  let first: unknown;
  for (const source of sources) {
    const vault = { vaultId: source.vaultId, hmacKey: fromBase64(source.hmacKey, 'the Red October HMAC key') };
    try {
      return { source, vault, info: asAccounts(source, inspectRedOctoberCiphertext(ciphertext, vault)) };
    } catch (err) {
      const keyDependent = err instanceof RedOctoberError && (err.code === RedOctoberCode.signature || err.code === RedOctoberCode.wrongVault);
      if (!keyDependent) throw err;
      first ??= err;
    }
  }
  throw first;
}

/** The account here that holds a Red October vault's user. */
export function accountName(source: RedOctoberSource, redOctoberName: string): string {
  return Object.hasOwn(source.renamed, redOctoberName) ? source.renamed[redOctoberName]! : redOctoberName;
}

/** The name the vault's ciphertexts give an account here; undefined when none does (a renamed-away name). */
export function redOctoberName(source: RedOctoberSource, account: string): string | undefined {
  const renamedFrom = Object.entries(source.renamed).find(([, to]) => to === account);
  if (renamedFrom) return renamedFrom[0];
  return Object.hasOwn(source.renamed, account) ? undefined : account;
}

function asAccounts(source: RedOctoberSource, info: RedOctoberCiphertextInfo): RedOctoberCiphertextInfo {
  if (Object.keys(source.renamed).length === 0) return info;
  const name = (redOctober: string) => accountName(source, redOctober);
  return {
    ...info,
    owners: info.owners.map(name),
    recipients: info.recipients.map(name).sort(),
    predicate: info.predicate === null ? null : renamePredicateNames(info.predicate, name),
    access: renameAccess(info.access, name),
  };
}

function renameAccess(access: RedOctoberAccess, name: (redOctober: string) => string): RedOctoberAccess {
  switch (access.kind) {
    case 'owners':
      return { ...access, owners: access.owners.map(name) };
    case 'left-right':
      return { kind: 'left-right', left: access.left.map(name), right: access.right.map(name) };
    case 'predicate':
      return { kind: 'predicate', predicate: renamePredicateNames(access.predicate, name) };
    case 'key-set':
      return { kind: 'key-set', entries: access.entries.map((names) => names.map(name)) };
  }
}
