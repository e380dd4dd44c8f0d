// Red October's request fields turned into the vault's: credentials, key types, durations, access
// structures, ciphertexts. Values are then checked with the same schemas the engine's procedures
// use (engine/api/vault.ts), so the HTTPS API accepts exactly what the console may send; a refusal
// names the Red October field.
import type { z } from 'zod';
import { vaultApi, type AccessStructure, type VaultCredentials } from '../../api/vault.ts';
import { StatusError } from './answers.ts';
import { parseGoDuration } from './go-duration.ts';
import type { GoRequest } from './go-json.ts';

type Procedures = typeof vaultApi.procedures;

/**
 * The request validated by a vault procedure's schema; `fieldOf` maps the schema's keys (dotted
 * paths) to the Red October fields they came from, for the error text.
 */
export function checked<P extends keyof Procedures>(
  procedure: P,
  params: z.input<Procedures[P]['request']>,
  fieldOf: Record<string, string>,
): z.output<Procedures[P]['request']> {
  const result = vaultApi.procedures[procedure].request.safeParse(params);
  if (result.success) return result.data as z.output<Procedures[P]['request']>;
  const issue = result.error.issues[0]!;
  let field = '';
  let rest = [...issue.path];
  for (let n = issue.path.length; n > 0; n--) {
    const key = issue.path.slice(0, n).join('.');
    if (fieldOf[key] !== undefined) {
      field = fieldOf[key];
      rest = issue.path.slice(n);
      break;
    }
  }
  const where = field + rest.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  throw new StatusError('E_RO_FIELD', `${where || 'request'}: ${issue.message}`);
}

const credentialSchema = vaultApi.procedures['vault.purge'].request.shape.admin;

/** `Name` and `Password`, well-formed (whether they are right is the vault's to say). */
export function credentials(request: GoRequest): VaultCredentials {
  const result = credentialSchema.safeParse({ name: request.string('Name'), password: request.string('Password') });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new StatusError('E_RO_FIELD', `${issue.path[0] === 'name' ? 'Name' : 'Password'}: ${issue.message}`);
}

export const credentialFields = { 'credentials.name': 'Name', 'credentials.password': 'Password' };

/** `UserType`: RSA (Red October's default) or ECC; any case, since `ro -userType rsa` is RO's own default (spec §8.11). */
export function userType(request: GoRequest): 'RSA' | 'ECC' {
  const type = request.string('UserType').toUpperCase();
  if (type === '') return 'RSA';
  if (type === 'RSA' || type === 'ECC') return type;
  throw new StatusError('E_RO_FIELD', 'Unknown record type', { detail: 'UserType is "RSA" or "ECC"' });
}

const maxSeconds = 7 * 24 * 3600;

/**
 * A Go duration (`Time` of /delegate, `Duration` of /order) as whole seconds: more than zero
 * (Red October took negative times, spec §8.4), at most 7 days, fractions of a second dropped so
 * that a grant never lasts longer than asked.
 */
export function durationSeconds(request: GoRequest, field: string, missing: string): number {
  const text = request.string(field);
  if (text === '') throw new StatusError('E_RO_FIELD', missing);
  const nanoseconds = parseGoDuration(text);
  if (nanoseconds <= 0n) throw new StatusError('E_RO_FIELD', `${field} must be more than 0 (a Go duration such as 30m or 1h10m)`);
  const seconds = nanoseconds / 1_000_000_000n;
  if (seconds < 1n) throw new StatusError('E_RO_FIELD', `${field} must be at least 1s`);
  if (seconds > BigInt(maxSeconds)) throw new StatusError('E_RO_FIELD', `${field} is at most 168h (7 days)`);
  return Number(seconds);
}

/** `Uses` at least 1 (Red October took 0 and negatives, spec §8.4) and at most 10,000. */
export function uses(request: GoRequest, missing: string): number {
  const count = request.int('Uses');
  if (count === 0) throw new StatusError('E_RO_FIELD', missing);
  if (count < 0) throw new StatusError('E_RO_FIELD', 'Uses must be at least 1');
  if (count > 10_000) throw new StatusError('E_RO_FIELD', 'Uses is at most 10000');
  return count;
}

/**
 * The access structure of /encrypt: Owners with Minimum (any M of N), LeftOwners with RightOwners,
 * or Predicate. Red October took the first that was set and ignored the rest; we refuse a request
 * that sets two (but not a lone Minimum, which `ro` always sends).
 */
export function accessStructure(request: GoRequest): AccessStructure {
  const owners = request.strings('Owners');
  const left = request.strings('LeftOwners');
  const right = request.strings('RightOwners');
  const predicate = request.string('Predicate');
  const kinds = [owners.length > 0, left.length > 0 || right.length > 0, predicate !== ''].filter(Boolean).length;
  if (kinds > 1)
    throw new StatusError('E_RO_ACCESS', 'Invalid access structure.', {
      detail: 'send one of: Owners with Minimum, LeftOwners with RightOwners, or Predicate',
    });
  if (owners.length > 0) {
    const minimum = request.int('Minimum');
    if (minimum < 1 || minimum > owners.length) {
      throw new StatusError('E_RO_ACCESS', 'Invalid access structure.', {
        detail: `Minimum is how many of the ${owners.length} Owners must delegate: 1 to ${owners.length}`,
      });
    }
    return { kind: 'owners', owners, minimum };
  }
  if (left.length > 0 && right.length > 0) return { kind: 'left-right', left, right };
  if (predicate !== '') return { kind: 'predicate', predicate };
  throw new StatusError('E_RO_ACCESS', 'Invalid access structure.', { detail: 'send Owners with Minimum, LeftOwners with RightOwners, or Predicate' });
}

export const accessFields = {
  'access.owners': 'Owners',
  'access.minimum': 'Minimum',
  'access.left': 'LeftOwners',
  'access.right': 'RightOwners',
  'access.predicate': 'Predicate',
};

const redOctoberPrefix = Buffer.from('{"Version"');

/**
 * The vault's text form of a ciphertext carried as Go []byte (`Data`, `EncryptedData`): Red October's
 * are the JSON `{"Version":-1,…}`, which the vault takes as standard base64 (as `ro` stores them);
 * ours are a JSON document the vault takes as base64url.
 */
export function ciphertextText(bytes: Buffer, field: string): string {
  if (bytes.length === 0) throw new StatusError('E_RO_FIELD', `${field} is empty: send the ciphertext (base64, as /encrypt answered it)`);
  return bytes.subarray(0, redOctoberPrefix.length).equals(redOctoberPrefix) ? bytes.toString('base64') : bytes.toString('base64url');
}

/** Our ciphertext (base64url of a JSON document) as the bytes Red October's `Response` carries. */
export function ciphertextBytes(ciphertext: string): Buffer {
  return Buffer.from(ciphertext, 'base64url');
}
