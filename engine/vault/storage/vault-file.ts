// The vault file: accounts with their wrapped private keys, one JSON document, versioned. One
// process writes it (a lock file), one update at a time (a queue), each written atomically. An
// update that fails to reach the disk leaves memory as it was, so the file and memory agree.
// Version history: 1 held at most one imported Red October vault (`redOctober: {..} | null`);
// 2 holds a list of them, each with the names renamed at import. A version 1 file is read as
// version 2 and written as version 2 at its next change (not at open: opening changes nothing).
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-file.ts';
import { acquireWriterLock, type WriterLock } from './writer-lock.ts';

export const vaultFormat = 'signalbox.vault';
export const vaultFileVersion = 2;

export interface KdfRecord {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** base64 */
  salt: string;
}

export interface UserRecord {
  name: string;
  type: 'RSA' | 'ECC';
  admin: boolean;
  createdAt: string;
  passwordChangedAt: string;
  /** Absent while the account still carries its Red October record (until its first login). */
  kdf?: KdfRecord;
  /** base64: the password verifier derived with `kdf`. */
  verifier?: string;
  /** base64: SPKI DER (RSA) or the uncompressed P-256 point (ECC). */
  publicKey: string;
  keyId: string;
  /** base64: the private key sealed under the password-derived key. */
  wrappedPrivateKey?: string;
  /** The account's record from an imported Red October vault, as JSON text (big integers intact). */
  redOctoberRecord?: string;
  /** Registered without an admin and not approved yet: it can do nothing, and goes at expiresAt. */
  pending?: { requestedAt: string; expiresAt: string; source: string };
}

/** A Red October vault whose accounts were imported: what its ciphertexts are bound to, and renames. */
export interface RedOctoberSource {
  /** The inner VaultId of its ciphertexts. */
  vaultId: number;
  /** base64: the HMAC key of both MACs of its ciphertexts (a secret). */
  hmacKey: string;
  /**
   * Red October name -> the account's name here, for accounts renamed at import because the name
   * was taken; its ciphertexts' owners are read through this map. Other names are kept as they are.
   */
  renamed: Record<string, string>;
}

export interface VaultData {
  format: typeof vaultFormat;
  version: typeof vaultFileVersion;
  /** Random, hex; ciphertexts are bound to it. */
  vaultId: string;
  createdAt: string;
  users: Record<string, UserRecord>;
  /** The imported Red October vaults, in import order (kept to read their ciphertexts). */
  redOctober: RedOctoberSource[];
}

export class VaultFileError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export class VaultFile {
  readonly path: string;
  private current: VaultData;
  private readonly lock: WriterLock;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string, data: VaultData, lock: WriterLock) {
    this.path = path;
    this.current = data;
    this.lock = lock;
  }

  /** Opens (or creates, empty) the vault at `path`, taking the writer lock. */
  static async open(path: string): Promise<VaultFile> {
    const lock = await acquireWriterLock(path);
    try {
      const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      const data = text === null ? emptyVault() : parseVault(path, text);
      await removeTempFiles(path);
      const file = new VaultFile(path, data, lock);
      if (text === null) await writeFileAtomic(path, serialize(data));
      return file;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** The vault as it is on disk; treat it as read-only (change it with `update`). */
  get data(): Readonly<VaultData> {
    return this.current;
  }

  /** Applies `change` to a copy, writes it atomically, then makes it current. */
  update(change: (draft: VaultData) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const draft = structuredClone(this.current);
      change(draft);
      await writeFileAtomic(this.path, serialize(draft)).catch((err: NodeJS.ErrnoException) => {
        throw new VaultFileError(
          'E_VAULT_WRITE',
          `cannot write the vault file ${this.path} (${err.code ?? err.message}); it is as it was and nothing changed — free disk space or fix the folder's permissions, then try again`,
        );
      });
      this.current = draft;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.lock.release();
  }
}

/** Temp files of writes a crash interrupted; the lock makes sure nobody is writing one now. */
async function removeTempFiles(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  for (const name of await readdir(dirname(path))) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) await rm(join(dirname(path), name), { force: true });
  }
}

function emptyVault(): VaultData {
  return {
    format: vaultFormat,
    version: vaultFileVersion,
    vaultId: randomBytes(16).toString('hex'),
    createdAt: new Date().toISOString(),
    users: {},
    redOctober: [],
  };
}

function serialize(data: VaultData): string {
  return JSON.stringify(data, null, 2) + '\n';
}

/** What version 1 wrote: one Red October vault or none, without renames. */
interface VaultDataV1 extends Omit<VaultData, 'version' | 'redOctober'> {
  version: 1;
  redOctober: { vaultId: number; hmacKey: string } | null;
}

function fromVersion1(data: VaultDataV1): VaultData {
  const { redOctober, ...rest } = data;
  return {
    ...rest,
    version: vaultFileVersion,
    redOctober: redOctober === null ? [] : [{ vaultId: redOctober.vaultId, hmacKey: redOctober.hmacKey, renamed: {} }],
  };
}

function parseVault(path: string, text: string): VaultData {
  let data: Partial<VaultData> | Partial<VaultDataV1>;
  try {
    data = JSON.parse(text) as Partial<VaultData> | Partial<VaultDataV1>;
  } catch (err) {
    throw new VaultFileError('E_VAULT_FILE', `${path} is not a vault file: ${(err as Error).message}`);
  }
  if (data.format !== vaultFormat)
    throw new VaultFileError('E_VAULT_FILE', `${path} is not a Signalbox vault file (a Red October vault is imported, not opened)`);
  if (data.version !== 1 && data.version !== vaultFileVersion) {
    throw new VaultFileError(
      'E_VAULT_VERSION',
      `${path} is vault format version ${String(data.version)}; this Signalbox reads versions 1 to ${vaultFileVersion}: use a newer Signalbox`,
    );
  }
  if (typeof data.vaultId !== 'string' || typeof data.users !== 'object' || data.users === null) {
    throw new VaultFileError('E_VAULT_FILE', `${path} lacks vaultId or users`);
  }
  if (data.version === 1) return fromVersion1(data as VaultDataV1);
  if (!Array.isArray(data.redOctober)) throw new VaultFileError('E_VAULT_FILE', `${path} lacks its list of imported Red October vaults (redOctober)`);
  return data as VaultData;
}
