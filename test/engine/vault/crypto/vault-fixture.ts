// Users with ECC and RSA keys, and the lookups the vault core gives the envelope functions.
import { generateUserKey, type UserKeyPair } from '../../../../engine/vault/crypto/keys.ts';
import { encryptPayload, type Access, type EncryptRequest } from '../../../../engine/vault/crypto/envelope.ts';

export const vaultId = 'vault-test-1';

/** alice, carol, erin, mallory: ECC; bob, dave: RSA (3072 bits), so every access kind mixes both. */
export async function makeUsers(): Promise<Map<string, UserKeyPair>> {
  const types = { alice: 'ECC', bob: 'RSA', carol: 'ECC', dave: 'RSA', erin: 'ECC', mallory: 'ECC' } as const;
  const entries = await Promise.all(Object.entries(types).map(async ([name, type]) => [name, await generateUserKey(type)] as const));
  return new Map(entries);
}

export function lookups(users: ReadonlyMap<string, UserKeyPair>) {
  return {
    vaultId,
    publicKeyOf: (name: string) => {
      const user = users.get(name);
      return user && { type: user.type, publicKey: user.publicKey };
    },
    privateKeyOf: (name: string) => {
      const user = users.get(name);
      return user && { type: user.type, privateKey: user.privateKey };
    },
  };
}

export function encryptFor(users: ReadonlyMap<string, UserKeyPair>, access: Access, extra: Partial<EncryptRequest> = {}): string {
  const signer = users.get('alice')!;
  return encryptPayload({
    vaultId,
    access,
    labels: ['payroll'],
    usages: ['decrypt'],
    plaintext: new TextEncoder().encode('the launch codes'),
    owners: users,
    signer: { name: 'alice', type: signer.type, privateKey: signer.privateKey },
    now: new Date('2026-03-01T12:00:00Z'),
    ...extra,
  });
}

/** Decodes the document, lets `change` edit it, and encodes it again exactly as the vault would. */
export function edit(text: string, change: (document: Record<string, any>) => void): string {
  const document = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, any>;
  change(document);
  return Buffer.from(canonical(document)).toString('base64url');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Flips one bit of a base64 field, keeping it canonical base64 of the same length. */
export function flip(field: string, byte = 0): string {
  const bytes = Buffer.from(field, 'base64');
  bytes[byte]! ^= 1;
  return bytes.toString('base64');
}
