// What importing Red October vault files would do, worked out before anything is written: for
// each account of each file, the name it gets here and whether it is new, imported before (the
// same key pair under that name) or a clash (the name is taken by another key pair, here or by
// another file of the same import). A clash must be renamed by the operator: a skipped owner would
// make that vault's ciphertexts fail whenever the owner delegates, and a merged one would be two
// people behind one name. Several Red October vaults go into one vault; each keeps its own HMAC
// key and vault id (its ciphertexts are bound to them) and the renames made at its import.
import { ApiError } from '../api/errors.ts';
import { vaultUserName, type RedOctoberImportFile, type RedOctoberImportPlan } from '../api/vault.ts';
import { toBase64 } from './crypto/bytes.ts';
import { keyId } from './crypto/keys.ts';
import { redOctoberPublicKey } from './redoctober/unlock.ts';
import { readRedOctoberVault, type RedOctoberVault } from './redoctober/vault-file.ts';
import { accountName } from './redoctober-sources.ts';
import type { RedOctoberSource, UserRecord, VaultData } from './storage/vault-file.ts';

export interface PlannedImport {
  plan: RedOctoberImportPlan;
  /** The vault's list of Red October vaults after the import (new ones appended, renames added). */
  sources: RedOctoberSource[];
  additions: UserRecord[];
}

type PlannedAccount = RedOctoberImportPlan['files'][number]['accounts'][number];

const nameRule = 'a letter or digit, then letters, digits, _ and -; at most 64';

/** The public key as this vault stores it, and its key id, for a Red October user. */
function ourPublicKey(user: Parameters<typeof redOctoberPublicKey>[0]): { publicKey: Uint8Array; keyId: string } {
  const key = redOctoberPublicKey(user);
  const publicKey = key.type === 'ECC' ? key.publicKey : new Uint8Array(key.publicKey.export({ format: 'der', type: 'spki' }));
  return { publicKey, keyId: keyId(user.type, publicKey) };
}

/**
 * Plans the import of `files` (each with the operator's renames, Red October name -> new name)
 * into `data`. Never throws for a clash or a bad rename: the plan lists them, so that the console
 * can show them beside each account; `problems` are the renames that cannot apply.
 * Throws E_VAULT_IMPORT for a file that is not a Red October vault file.
 */
export function planRedOctoberImport(data: Readonly<VaultData>, files: readonly RedOctoberImportFile[]): PlannedImport {
  const sources = structuredClone(data.redOctober) as RedOctoberSource[];
  const problems: string[] = [];
  const additions: UserRecord[] = [];
  // Names this import gives out, with the key pair and the vault that took each first.
  const claimed = new Map<string, { keyId: string; vaultId: number }>();
  const now = new Date().toISOString();
  const planned = files.map((file, index) => {
    const legacy = readFile(file.text, files.length > 1 ? `file ${index + 1}` : 'the file');
    const renames = file.renames ?? {};
    const known = sources.find((source) => source.vaultId === legacy.vaultId && source.hmacKey === toBase64(legacy.hmacKey));
    const source = known ?? { vaultId: legacy.vaultId, hmacKey: toBase64(legacy.hmacKey), renamed: {} };
    if (!known) sources.push(source);
    problems.push(...renameProblems(legacy, renames));
    const records = rawPasswordRecords(file.text);
    const accounts = [...legacy.users].map(([name, user]): PlannedAccount => {
      const { publicKey, keyId } = ourPublicKey(user);
      const before = accountName(source, name);
      const importedBefore = known !== undefined && userWithKey(data, before, keyId);
      if (importedBefore && Object.hasOwn(renames, name) && renames[name] !== before) {
        problems.push(
          `rename ${name} to ${renames[name]}: ${name} of Red October vault ${legacy.vaultId} was imported before as ${before}, and an imported account keeps its name`,
        );
      }
      const as = Object.hasOwn(renames, name) && !importedBefore ? renames[name]! : before;
      const outcome = decide(as, keyId);
      // Defined, not assigned: a Red October name may be any string, "__proto__" included.
      if (outcome.outcome !== 'clash' && as !== name)
        Object.defineProperty(source.renamed, name, { value: as, enumerable: true, writable: true, configurable: true });
      if (outcome.outcome === 'new') {
        claimed.set(as, { keyId, vaultId: legacy.vaultId });
        additions.push({
          name: as,
          type: user.type,
          admin: user.admin,
          createdAt: now,
          passwordChangedAt: now,
          publicKey: toBase64(publicKey),
          keyId,
          redOctoberRecord: records.get(name)!,
        });
      }
      return { name, as, ...outcome };
    });
    return { vaultId: legacy.vaultId, importedBefore: known !== undefined, accounts };
  });

  function decide(as: string, keyId: string): Pick<PlannedAccount, 'outcome' | 'reason'> {
    // Red October takes any name; here a name must be one the API and predicates accept.
    if (!vaultUserName.safeParse(as).success) return { outcome: 'clash', reason: `"${as}" is not an account name here (${nameRule}): give it a new name` };
    const existing = Object.hasOwn(data.users, as) ? data.users[as]! : undefined;
    const earlier = claimed.get(as);
    if (existing?.keyId === keyId) return { outcome: 'imported-before', reason: 'imported already (the same key pair)' };
    if (existing) return { outcome: 'clash', reason: `${as} has an account here with another key pair` };
    if (earlier?.keyId === keyId)
      return { outcome: 'imported-before', reason: `the same key pair comes from Red October vault ${earlier.vaultId} in this import` };
    if (earlier) return { outcome: 'clash', reason: `${as} also comes from Red October vault ${earlier.vaultId} in this import, with another key pair` };
    return { outcome: 'new', reason: 'new account' };
  }
  return { plan: { files: planned, problems }, sources, additions };
}

/** Refuses, with one message naming each account and how to rename it, a plan with clashes or problems. */
export function refuseUnlessClean(plan: RedOctoberImportPlan): void {
  if (plan.problems.length > 0) throw new ApiError('E_VAULT_IMPORT_RENAME', `${plan.problems.join('; ')}; nothing was imported`);
  const clashes = plan.files.flatMap((file) =>
    file.accounts.filter((account) => account.outcome === 'clash').map((account) => ({ ...account, vaultId: file.vaultId })),
  );
  if (clashes.length === 0) return;
  const each = clashes.map(
    (clash) => `Red October vault ${clash.vaultId}: ${clash.name}${clash.as === clash.name ? '' : ` (renamed ${clash.as})`}: ${clash.reason}`,
  );
  const example = clashes[0]!;
  throw new ApiError(
    'E_VAULT_IMPORT_CLASH',
    `${each.join('; ')}. Nothing was imported: an owner's ciphertexts cannot be decrypted under a name that is someone else's here. ` +
      `Give ${clashes.length === 1 ? 'it' : 'each'} a new name (signalbox vault --import-redoctober FILE --rename ${example.name}=NEW, or the new-name field on the Vault page), or delete the existing account first`,
  );
}

/** Each account's record as JSON text, cut from the file so that big integers stay exact. */
function rawPasswordRecords(text: string): Map<string, string> {
  const records = new Map<string, string>();
  const parsed = JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && context?.source !== undefined && !Number.isSafeInteger(value) ? `\u0000${context.source}` : value,
  ) as { Passwords: Record<string, unknown> };
  for (const [name, record] of Object.entries(parsed.Passwords)) {
    records.set(name, JSON.stringify(record).replace(/"\\u0000(-?\d+)"/g, '$1'));
  }
  return records;
}

function readFile(text: string, which: string): RedOctoberVault {
  try {
    return readRedOctoberVault(text);
  } catch (err) {
    throw new ApiError(
      'E_VAULT_IMPORT',
      `${which} is not a Red October vault file we can import: ${err instanceof Error ? err.message : String(err)}; nothing was imported`,
    );
  }
}

function renameProblems(legacy: RedOctoberVault, renames: Record<string, string>): string[] {
  const problems: string[] = [];
  const targets = new Map<string, string>();
  const where = `Red October vault ${legacy.vaultId}`;
  for (const [from, to] of Object.entries(renames)) {
    const rename = `rename ${from} to ${to}`;
    if (!legacy.users.has(from)) problems.push(`${rename}: ${where} has no account ${from} (it has ${someNames([...legacy.users.keys()])})`);
    else if (!vaultUserName.safeParse(to).success) problems.push(`${rename}: "${to}" is not an account name (${nameRule})`);
    else if (targets.has(to)) problems.push(`${rename}: ${targets.get(to)} gets that name too`);
    else if (to !== from && legacy.users.has(to) && !Object.hasOwn(renames, to)) problems.push(`${rename}: ${where} has its own account ${to}`);
    targets.set(to, from);
  }
  return problems;
}

/** A list short enough for a message: a Red October vault may have thousands of accounts. */
function someNames(names: string[]): string {
  return names.length <= 20 ? names.join(', ') : `${names.length} accounts: ${names.slice(0, 20).join(', ')}, …`;
}

function userWithKey(data: Readonly<VaultData>, name: string, keyId: string): boolean {
  return Object.hasOwn(data.users, name) && data.users[name]!.keyId === keyId;
}
