// The plaintext of the persisted delegations, before it is encrypted to the persist owners: a JSON
// description of each delegation (no secrets), then the private keys' raw bytes one after another.
// The keys never become JavaScript strings (which cannot be wiped), unlike base64 inside JSON.
//   u32 big-endian length of the JSON ‖ JSON ‖ key bytes in the order of `delegations`
import { z } from 'zod';
import type { DelegatedKey } from '../delegations.ts';

export interface StoredDelegation {
  owner: string;
  key: DelegatedKey;
  uses: number;
  /** Wall-clock end (ms since the epoch): after a restart only the time left counts. */
  expiresAt: number;
  users: string[];
  anyone: boolean;
  labels: string[];
}

const description = z
  .object({
    version: z.literal(1),
    delegations: z.array(
      z
        .object({
          owner: z.string().min(1).max(128),
          type: z.enum(['RSA', 'ECC']),
          keyBytes: z.number().int().min(1).max(16_384),
          uses: z.number().int().min(1),
          expiresAt: z.number(),
          users: z.array(z.string()),
          anyone: z.boolean(),
          labels: z.array(z.string()),
        })
        .strict(),
    ),
  })
  .strict();

export function encodeSnapshot(delegations: readonly StoredDelegation[]): Uint8Array {
  const json = Buffer.from(
    JSON.stringify({
      version: 1,
      delegations: delegations.map((d) => ({
        owner: d.owner,
        type: d.key.type,
        keyBytes: d.key.privateKey.length,
        uses: d.uses,
        expiresAt: d.expiresAt,
        users: d.users,
        anyone: d.anyone,
        labels: d.labels,
      })),
    }),
    'utf8',
  );
  const out = new Uint8Array(4 + json.length + delegations.reduce((sum, d) => sum + d.key.privateKey.length, 0));
  new DataView(out.buffer).setUint32(0, json.length);
  out.set(json, 4);
  let offset = 4 + json.length;
  for (const d of delegations) {
    out.set(d.key.privateKey, offset);
    offset += d.key.privateKey.length;
  }
  return out;
}

/** Each key is a copy of its own (the caller wipes `bytes`, and each key when it is done with it). */
export function decodeSnapshot(bytes: Uint8Array): StoredDelegation[] {
  if (bytes.length < 4) throw new Error('the persisted delegations are truncated');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (4 + length > bytes.length) throw new Error('the persisted delegations are truncated');
  const parsed = description.safeParse(JSON.parse(Buffer.from(bytes.subarray(4, 4 + length)).toString('utf8')));
  if (!parsed.success) throw new Error(`the persisted delegations are not in the expected form: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  let offset = 4 + length;
  const total = parsed.data.delegations.reduce((sum, d) => sum + d.keyBytes, 0);
  if (offset + total !== bytes.length) throw new Error('the persisted delegations hold more or fewer key bytes than they describe');
  return parsed.data.delegations.map((d) => {
    const privateKey = bytes.slice(offset, offset + d.keyBytes);
    offset += d.keyBytes;
    return { owner: d.owner, key: { type: d.type, privateKey }, uses: d.uses, expiresAt: d.expiresAt, users: d.users, anyone: d.anyone, labels: d.labels };
  });
}
