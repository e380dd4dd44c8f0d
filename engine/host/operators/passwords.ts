// Operator passwords: scrypt (node:crypto) with its parameters stored beside each hash, so that the
// cost can rise for new passwords without breaking old ones; compared in constant time.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/** ~64 MiB and about 100-200 ms a check on this class of machine (OWASP: N=2^17 r=8 p=1 or more). */
export const defaultCost = { N: 2 ** 16, r: 8, p: 1 } as const;
export type ScryptCost = { N: number; r: number; p: number };

/** What a stored record may ask for: a doctored file must not make one check cost a GiB. */
const limits = { minN: 2 ** 10, maxN: 2 ** 20, maxR: 32, maxP: 16, maxMemory: 2 ** 30 };

export const passwordHash = z.object({
  algorithm: z.literal('scrypt'),
  N: z
    .number()
    .int()
    .min(limits.minN)
    .max(limits.maxN)
    .refine((n) => (n & (n - 1)) === 0, 'N must be a power of 2'),
  r: z.number().int().min(1).max(limits.maxR),
  p: z.number().int().min(1).max(limits.maxP),
  salt: z.string().min(16),
  hash: z.string().min(16),
});
export type PasswordHash = z.infer<typeof passwordHash>;

/** The shortest password accepted: long passphrases beat composition rules (NIST SP 800-63B §5.1.1). */
export const minPasswordLength = 10;
export const maxPasswordLength = 1024;

export function passwordProblem(password: string): string | null {
  if (password.length < minPasswordLength) return `the password has ${password.length} characters; use at least ${minPasswordLength}`;
  if (password.length > maxPasswordLength) return `the password is longer than ${maxPasswordLength} characters`;
  return null;
}

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, cost: ScryptCost = defaultCost): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, cost);
  return { algorithm: 'scrypt', ...cost, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await derive(password, Buffer.from(stored.salt, 'base64'), stored);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
