// The recorded Red October vault and ciphertexts, made against a live Red October server
// (test/fixtures/redoctober-vectors/README.md).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseJson } from '../../../../engine/vault/redoctober/json.ts';
import { unlockRedOctoberUser, type RedOctoberKey } from '../../../../engine/vault/redoctober/unlock.ts';
import { readRedOctoberVault, type RedOctoberVault } from '../../../../engine/vault/redoctober/vault-file.ts';

export const vectorsDir = new URL('../../../fixtures/redoctober-vectors/', import.meta.url);

export interface VectorCase {
  id: string;
  request: Record<string, unknown>;
  plaintext_b64: string;
  ciphertext: string;
  decrypt_with: string[];
  live_delegates: string[];
}

export interface Vectors {
  passwords: Record<string, string>;
  types: Record<string, 'RSA' | 'ECC'>;
  cases: VectorCase[];
}

export const vaultText = readFileSync(new URL('vault.json', vectorsDir), 'utf8');
export const vectors = JSON.parse(readFileSync(new URL('vectors.json', vectorsDir), 'utf8')) as Vectors;

export function loadVault(): RedOctoberVault {
  return readRedOctoberVault(vaultText);
}

export function vectorCase(id: string): VectorCase {
  const found = vectors.cases.find((c) => c.id === id);
  if (!found) throw new Error(`no vector case ${id}`);
  return found;
}

/** Unlocks the named users with their recorded passwords (each costs two scrypt runs). */
export async function unlockUsers(vault: RedOctoberVault, names: string[]): Promise<Map<string, RedOctoberKey>> {
  const unlocked = await Promise.all(
    names.map(async (name) => {
      const user = vault.users.get(name);
      const password = vectors.passwords[name];
      if (!user || password === undefined) throw new Error(`no user or password for ${name}`);
      const key = await unlockRedOctoberUser(user, password);
      if (!key) throw new Error(`the recorded password of ${name} did not unlock`);
      return [name, key] as const;
    }),
  );
  return new Map(unlocked);
}

/** The vault file edited as JSON, big integers kept exact, for the "refuses a broken file" tests. */
export function editedVaultText(edit: (file: any) => void): string {
  const file = parseJson(vaultText);
  edit(file);
  return JSON.stringify(file, (_key, value) => (typeof value === 'bigint' ? `#big#${value}` : value)).replace(/"#big#(-?\d+)"/g, '$1');
}

/** A ciphertext's two layers, decoded, so tests can alter them. */
export function openLayers(ciphertext: string): { outer: Record<string, unknown>; inner: Record<string, unknown> } {
  const outer = JSON.parse(Buffer.from(ciphertext, 'base64').toString('utf8')) as Record<string, unknown>;
  const inner = JSON.parse(Buffer.from(String(outer.Data), 'base64').toString('utf8')) as Record<string, unknown>;
  return { outer, inner };
}

export function toCiphertext(outer: unknown): string {
  return Buffer.from(JSON.stringify(outer)).toString('base64');
}

/** Wraps an inner structure in a valid outer envelope, as someone holding the vault's HmacKey could. */
export function sealOuter(inner: unknown, hmacKey: Uint8Array): string {
  const payload = Buffer.from(JSON.stringify(inner));
  const signature = createHmac('sha1', hmacKey).update(payload).digest('base64');
  return toCiphertext({ Version: -1, Data: payload.toString('base64'), Signature: signature });
}

/**
 * Recomputes the inner Signature the way spec §3.2.5 describes it (written out again here rather
 * than imported, so the reader's own MAC code is checked against a second implementation).
 */
export function signInner(inner: Record<string, any>, hmacKey: Uint8Array): void {
  const bytes = (text: string) => Buffer.from(text, 'base64');
  const byName = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const mac = createHmac('sha1', hmacKey).update(String(inner.Version)).update(String(inner.VaultId));
  const keySet = [...(inner.KeySet ?? [])].sort((a: { Name: string[] }, b: { Name: string[] }) => {
    for (let i = 0; i < Math.min(a.Name.length, b.Name.length); i++) if (a.Name[i] !== b.Name[i]) return byName(a.Name[i]!, b.Name[i]!);
    return 0;
  });
  for (const entry of keySet) {
    for (const name of entry.Name) mac.update(name);
    mac.update(bytes(entry.Key));
  }
  for (const name of Object.keys(inner.KeySetRSA ?? {}).sort(byName)) mac.update(name).update(bytes(inner.KeySetRSA[name].Key));
  mac.update(bytes(inner.IV)).update(bytes(inner.Data));
  for (const label of [...(inner.Labels ?? [])].sort(byName)) mac.update(label);
  for (const usage of [...(inner.Usages ?? [])].sort(byName)) mac.update(usage);
  inner.Signature = mac.digest('base64');
}
