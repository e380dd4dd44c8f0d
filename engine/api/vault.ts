// vault: the two-person-rule encryption engine (Red October, hardened). Passwords travel only in
// the calls that need one (they are never stored, logged or sent back); keys never leave the
// vault's process.
import { z } from 'zod';
import { procedure, stream } from './contract.ts';

const persistConfig = z
  .object({
    owners: z
      .array(z.lazy(() => vaultUserName))
      .min(2)
      .max(64),
    /** At least 2: one person alone must never bring other people's keys back. */
    minimum: z.number().int().min(2, "minimum is at least 2: one owner alone must not be able to restore everyone's delegated keys"),
    /** The persisted delegations; default the vault file + `.delegations`. */
    file: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((persist, ctx) => {
    if (new Set(persist.owners).size !== persist.owners.length) ctx.addIssue({ code: 'custom', path: ['owners'], message: 'each owner is named once' });
    if (persist.minimum > persist.owners.length)
      ctx.addIssue({
        code: 'custom',
        path: ['minimum'],
        message: `minimum ${persist.minimum} is more than the ${persist.owners.length} owners: nobody could ever restore`,
      });
  });

export const vaultConfig = z
  .object({
    enabled: z.boolean().default(false),
    /** The vault file; default `vault.json` in the data folder. */
    file: z.string().min(1).optional(),
    /** The audit log; default the vault file's name + `.audit.log`. */
    auditFile: z.string().min(1).optional(),
    /**
     * Who may create an account without an admin's credentials (Red October's `ro create-user`
     * sends none): `admin` nobody; `approval` anyone, as a pending account an admin approves or
     * rejects; `open` anyone, at once (Red October's behaviour: unsafe, anyone who reaches the
     * API becomes a user). Default approval.
     */
    registration: z.enum(['admin', 'approval', 'open']).optional(),
    /** A pending account not approved within this many hours is removed; default 72. */
    pendingAccountHours: z.number().int().min(1).max(720).optional(),
    /**
     * Red October's delegation persistence, off when absent: live delegations are kept on disk,
     * encrypted so that `minimum` of `owners` must send /restore after a restart to bring them back.
     */
    persist: persistConfig.optional(),
  })
  .strict();
export type VaultConfig = z.infer<typeof vaultConfig>;

/** The vault's limits, in the schemas below and in the console's forms (renderer/pages/vault). */
export const vaultLimits = {
  /** New passwords: long enough that the KDF is not the only defence. */
  minPasswordLength: 10,
  /** Largest plaintext the vault encrypts (the base64 payload limit). */
  maxPlaintextBytes: 16 * 1024 * 1024,
  /** Delegations and orders last at most a week. */
  maxSeconds: 7 * 24 * 3600,
  maxUses: 10_000,
} as const;

export const vaultUserName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'a name starts with a letter or digit and holds letters, digits, _ and -');
const password = z.string().min(1).max(1024);
/** New passwords: long enough that the KDF is not the only defence. */
const newPassword = z.string().min(vaultLimits.minPasswordLength, `a password has at least ${vaultLimits.minPasswordLength} characters`).max(1024);
const credentials = z.object({ name: vaultUserName, password }).strict();
export type VaultCredentials = z.infer<typeof credentials>;
const userType = z.enum(['RSA', 'ECC']);
/** A label, as the vault.* requests take them (the console's forms check with it too). */
export const vaultLabel = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.-]+$/, 'labels hold letters, digits, _, . and -');
const label = vaultLabel;
/** An order's id: 12 random bytes in hex. */
export const vaultOrderId = z.string().regex(/^[0-9a-f]{24}$/);
const usage = z.enum(['decrypt', 'ssh-sign-with']);
/** base64, at most 16 MiB decoded. */
const payload = z
  .string()
  .max(Math.ceil(vaultLimits.maxPlaintextBytes / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
/** 16 MiB of data encrypts to about 29 MiB of text; the API message limit is 40 MiB. */
const ciphertext = z
  .string()
  .min(1)
  .max(32 * 1024 * 1024);

export const accessStructure = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('owners'), owners: z.array(vaultUserName).min(1).max(64), minimum: z.number().int().min(1).max(64) }).strict(),
  z.object({ kind: z.literal('left-right'), left: z.array(vaultUserName).min(1).max(64), right: z.array(vaultUserName).min(1).max(64) }).strict(),
  z.object({ kind: z.literal('predicate'), predicate: z.string().min(1).max(1024) }).strict(),
]);
export type AccessStructure = z.infer<typeof accessStructure>;

export const vaultUser = z.object({
  name: z.string(),
  type: userType,
  admin: z.boolean(),
  keyId: z.string(),
  createdAt: z.string(),
  /** Still carries its Red October record: migrated at its first login. */
  legacy: z.boolean(),
  /** Registered without an admin: can do nothing until an admin approves it (ISO time it expires), else null. */
  pendingUntil: z.string().nullable(),
});

export const liveDelegation = z.object({
  owner: z.string(),
  uses: z.number().int(),
  expiresAt: z.number(),
  secondsLeft: z.number().int(),
  users: z.array(z.string()),
  anyone: z.boolean(),
  labels: z.array(z.string()),
  orderId: z.string().nullable(),
});

export const vaultOrder = z.object({
  id: z.string(),
  requester: z.string(),
  ciphertextHash: z.string(),
  owners: z.array(z.string()),
  labels: z.array(z.string()),
  reason: z.string(),
  uses: z.number().int(),
  createdAt: z.number(),
  expiresAt: z.number(),
  status: z.enum(['open', 'fulfilled', 'cancelled', 'expired']),
  /** The ciphertext's rule ("2 of alice, bob, carol"), for the approver to judge. */
  access: accessStructure,
  approvals: z.array(z.object({ owner: z.string(), at: z.number() })),
  /**
   * Owners whose delegations serve this order now: approvals bound to it, and (as Red October
   * matched them) ordinary delegations naming the requester with one of the order's labels. For a
   * closed order, who approved it.
   */
  delegated: z.array(z.string()),
  /** Whether those delegations satisfy the ciphertext's access structure. */
  satisfied: z.boolean(),
  /** Owners not delegated yet while the order is open and not satisfied; empty otherwise. */
  waitingFor: z.array(z.string()),
});
export type VaultOrder = z.infer<typeof vaultOrder>;

export const auditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  event: z.string(),
  actor: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()])),
  prev: z.string(),
  hash: z.string(),
});

const chainCheck = z.object({ ok: z.boolean(), entries: z.number().int(), brokenAt: z.number().int().nullable(), reason: z.string().nullable() });

const ciphertextInfo = z.object({
  format: z.enum(['signalbox', 'redoctober']),
  hash: z.string(),
  owners: z.array(z.string()),
  access: accessStructure,
  labels: z.array(z.string()),
  usages: z.array(z.string()),
  createdBy: z.string().nullable(),
});

/**
 * Red October's persistence states: `disabled` (off), `inactive` (delegations stored before a
 * restart wait for enough owners' /restore; new ones are not stored meanwhile), `active` (every
 * change of the live delegations is stored).
 */
export const persistState = z.enum(['disabled', 'inactive', 'active']);
export type PersistState = z.infer<typeof persistState>;
const persistStatus = z.object({
  state: persistState,
  /** The policy: of the stored file while inactive, of the config otherwise; empty when disabled. */
  owners: z.array(z.string()),
  minimum: z.number().int(),
  /** Owners whose /restore waits for the others (inactive only). */
  restoring: z.array(z.string()),
  /** When the stored file was last written (ms since the epoch), or null when there is none. */
  writtenAt: z.number().nullable(),
  /** The last failure to read or write the stored file, or null. */
  error: z.string().nullable(),
});

/** Red October vault files to import at once (all or none), each with the operator's renames. */
export const redOctoberImportFiles = z
  .array(
    z
      .object({
        /** The Red October vault file (its -vaultpath JSON); a few KiB per account. */
        text: z
          .string()
          .min(2)
          .max(8 * 1024 * 1024),
        /** Red October name -> the new name here, for an account whose name is taken. */
        renames: z.record(z.string().min(1).max(128), vaultUserName).optional(),
      })
      .strict(),
  )
  .min(1)
  .max(4);
export type RedOctoberImportFile = z.infer<typeof redOctoberImportFiles>[number];

/** Per file, per account: the name it gets here and what the import does with it. */
export const redOctoberImportPlan = z.object({
  files: z.array(
    z.object({
      vaultId: z.number().int(),
      /** Accounts of this Red October vault were imported before (new ones are added). */
      importedBefore: z.boolean(),
      accounts: z.array(
        z.object({
          /** Its name in the Red October vault file. */
          name: z.string(),
          /** Its name here (different when renamed). */
          as: z.string(),
          /** new: added; imported-before: the same key pair is here already; clash: the name is taken by another key pair. */
          outcome: z.enum(['new', 'imported-before', 'clash']),
          reason: z.string(),
        }),
      ),
    }),
  ),
  /** Renames that cannot apply (no such account, a bad or duplicate new name); nothing is imported while any. */
  problems: z.array(z.string()),
});
export type RedOctoberImportPlan = z.infer<typeof redOctoberImportPlan>;

const ok = z.object({ ok: z.literal(true) });
/** Delegation limits: Time > 0 and capped, Uses >= 1 (Red October accepted 0 and negatives). */
const seconds = z.number().int().min(1).max(vaultLimits.maxSeconds);
const uses = z.number().int().min(1).max(vaultLimits.maxUses);

export const vaultApi = {
  procedures: {
    'vault.status': procedure(
      'Whether the vault exists, its counts, and whether the audit chain is intact.',
      z.object({}).strict(),
      z.object({
        initialized: z.boolean(),
        vaultId: z.string(),
        users: z.number().int(),
        live: z.number().int(),
        openOrders: z.number().int(),
        audit: chainCheck,
        redOctoberImported: z.boolean(),
        persist: persistStatus,
        /** The vault ids of the Red October vaults imported, in import order. */
        redOctoberVaults: z.array(z.number().int()),
      }),
      'viewer',
    ),
    'vault.create': procedure(
      'Creates the first account (an admin) of an empty vault.',
      z.object({ name: vaultUserName, password: newPassword, type: userType.default('ECC') }).strict(),
      ok,
      'admin',
    ),
    'vault.createUser': procedure(
      'An admin creates an account.',
      z.object({ admin: credentials, name: vaultUserName, password: newPassword, type: userType.default('ECC') }).strict(),
      ok,
      'operator',
    ),
    'vault.users': procedure('Every account, without key material.', z.object({}).strict(), z.object({ users: z.array(vaultUser) }), 'viewer'),
    'vault.modify': procedure(
      'An admin makes another account an admin, revokes admin, deletes it, or approves or rejects a pending account; the last admin stays.',
      z.object({ admin: credentials, target: vaultUserName, command: z.enum(['admin', 'revoke', 'delete', 'approve', 'reject']) }).strict(),
      ok,
      'admin',
    ),
    'vault.changePassword': procedure(
      'Re-wraps the same private key under a new password: existing ciphertexts stay readable.',
      z.object({ name: vaultUserName, password, newPassword }).strict(),
      ok,
      'operator',
    ),
    'vault.encrypt': procedure(
      'Encrypts data (base64) so that the access structure decides who can decrypt it.',
      z
        .object({
          credentials,
          data: payload,
          access: accessStructure,
          labels: z.array(label).max(32).default([]),
          usages: z.array(usage).max(2).default(['decrypt']),
        })
        .strict(),
      z.object({ ciphertext: z.string(), info: ciphertextInfo }),
      'operator',
    ),
    'vault.reEncrypt': procedure(
      'Decrypts (with delegations, spending uses) and encrypts again in our format: how Red October ciphertexts move over. Access and labels default to the old ones; usages are kept.',
      z.object({ credentials, ciphertext, access: accessStructure.optional(), labels: z.array(label).max(32).optional() }).strict(),
      z.object({ ciphertext: z.string(), info: ciphertextInfo, delegates: z.array(z.string()) }),
      'operator',
    ),
    'vault.owners': procedure(
      'Who owns a ciphertext, its labels and usages (authenticity checked).',
      z.object({ ciphertext }).strict(),
      ciphertextInfo,
      'viewer',
    ),
    'vault.decrypt': procedure(
      'Decrypts with live delegations from enough distinct owners; spends a use of each only on success.',
      z.object({ credentials, ciphertext, orderId: vaultOrderId.optional() }).strict(),
      z.object({ data: z.string(), delegates: z.array(z.string()), info: ciphertextInfo }),
      'operator',
    ),
    'vault.delegate': procedure(
      "Unlocks the caller's private key into the vault's memory for a time and a number of uses.",
      z
        .object({
          credentials,
          seconds,
          uses,
          users: z.array(vaultUserName).max(64).default([]),
          anyone: z.boolean().default(false),
          labels: z.array(label).max(32).default([]),
        })
        .strict(),
      z.object({ expiresAt: z.number() }),
      'approver',
    ),
    'vault.purge': procedure(
      'An admin ends every delegation now.',
      z.object({ admin: credentials }).strict(),
      z.object({ purged: z.number().int() }),
      'approver',
    ),
    'vault.restore': procedure(
      'A persist owner sends their key to bring back the delegations stored before a restart; once enough owners did, they are live again.',
      z.object({ credentials, seconds }).strict(),
      z.object({ state: persistState }),
      'approver',
    ),
    'vault.resetPersisted': procedure(
      'An admin deletes the stored delegations (and any restore under way); persistence is active again from the live delegations.',
      z.object({ admin: credentials }).strict(),
      z.object({ state: persistState }),
      'admin',
    ),
    'vault.summary': procedure(
      'Live delegations with uses and time left, and the accounts.',
      z.object({}).strict(),
      z.object({ live: z.array(liveDelegation), users: z.array(vaultUser) }),
      'viewer',
    ),
    'vault.order': procedure(
      'Asks the owners of a ciphertext to approve its decryption.',
      z.object({ credentials, ciphertext, reason: z.string().min(1).max(500), seconds, uses }).strict(),
      z.object({ order: vaultOrder }),
      'operator',
    ),
    'vault.orders': procedure(
      'Orders, newest first (open ones and recent history).',
      z.object({}).strict(),
      z.object({ orders: z.array(vaultOrder) }),
      'viewer',
    ),
    'vault.approve': procedure(
      'An owner approves an order: a delegation bound to that order, its ciphertext and requester.',
      z.object({ credentials, orderId: vaultOrderId, seconds, uses }).strict(),
      z.object({ order: vaultOrder }),
      'approver',
    ),
    'vault.cancelOrder': procedure(
      'The requester cancels an order; its approvals end.',
      z.object({ credentials, orderId: vaultOrderId }).strict(),
      z.object({ order: vaultOrder }),
      'operator',
    ),
    'vault.audit': procedure(
      'Audit entries, newest first, and whether the hash chain is intact.',
      z.object({ limit: z.number().int().min(1).max(1000).default(100), beforeSeq: z.number().int().min(1).optional() }).strict(),
      z.object({ entries: z.array(auditEntry), chain: chainCheck }),
      'viewer',
    ),
    'vault.planRedOctoberImport': procedure(
      'What importing these Red October vault files would do, account by account (new, imported before, or a clash to rename); changes nothing.',
      z.object({ vaultFiles: redOctoberImportFiles }).strict(),
      redOctoberImportPlan,
      'admin',
    ),
    'vault.importRedOctober': procedure(
      'An admin imports the accounts of Red October vault files, all or none (a clash not renamed refuses them all); each moves to our KDF at its first login.',
      z.object({ admin: credentials, vaultFiles: redOctoberImportFiles }).strict(),
      redOctoberImportPlan,
      'admin',
    ),
  },
  streams: {
    'vault.changes': stream(
      'Tells the console what changed (delegations, orders, users, audit) so it refreshes; no secrets.',
      z.object({}).strict(),
      z.object({ kind: z.enum(['delegations', 'orders', 'users', 'audit']), at: z.number() }),
      'viewer',
    ),
  },
} as const;
