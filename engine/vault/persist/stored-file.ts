// The persisted delegations' own file (next to the vault file, never inside it): one JSON object
// holding a signalbox.vault.v1 ciphertext encrypted to the persist owners. Written as the vault
// file is (temp file 0600, fsync, rename, fsync the folder); Red October wrote its file 0644 and
// in place (spec §4.2, §8.12).
import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory, writeFileAtomic } from '../../common/atomic-file.ts';

export const storedFormat = 'signalbox.vault.delegations.v1';

export interface StoredFile {
  /** ms since the epoch */
  writtenAt: number;
  ciphertext: string;
}

/** The stored file, or null when there is none. Throws when it exists but is not ours. */
export async function readStoredFile(path: string): Promise<StoredFile | null> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not JSON`);
  }
  const record = parsed as Partial<Record<'format' | 'writtenAt' | 'ciphertext', unknown>> | null;
  if (
    record?.format !== storedFormat ||
    typeof record.ciphertext !== 'string' ||
    typeof record.writtenAt !== 'string' ||
    Number.isNaN(Date.parse(record.writtenAt))
  ) {
    throw new Error(`${path} is not a ${storedFormat} file`);
  }
  return { writtenAt: Date.parse(record.writtenAt), ciphertext: record.ciphertext };
}

export async function writeStoredFile(path: string, ciphertext: string, writtenAt: number): Promise<void> {
  await writeFileAtomic(path, JSON.stringify({ format: storedFormat, writtenAt: new Date(writtenAt).toISOString(), ciphertext }) + '\n');
}

/** Removes the file (if any) durably: the removal survives a crash right after. */
export async function removeStoredFile(path: string): Promise<void> {
  await rm(path, { force: true });
  await syncDirectory(dirname(path));
}
