// Red October's vault file (spec §4.1: `-vaultpath`, also what `/export` returns), read for
// migration. We check what RO checks when it loads the file (salt and hash sizes, CBC blob and IV
// sizes) and more: the format version, the record type, the RSA public key's shape, and that an ECC
// user's curve is exactly P-256 with the public point on it. Key material stays sealed here;
// unlock.ts opens it with the user's password.
import { p256 } from '@noble/curves/nist.js';
import { RedOctoberCode, RedOctoberError } from './errors.ts';
import { Fields, parseJson } from './json.ts';

/** AES-128-CBC ciphertext (RO-padded, spec §3.5) under the user's password key, with its own IV. */
export interface SealedBlob {
  ciphertext: Uint8Array;
  iv: Uint8Array;
}

interface UserRecord {
  name: string;
  admin: boolean;
  /** Other names of the user, e.g. HipchatName. */
  altNames: ReadonlyMap<string, string>;
  /** scrypt(password, passwordSalt) = hashedPassword proves the password (spec §3.1.1). */
  passwordSalt: Uint8Array;
  hashedPassword: Uint8Array;
  /** scrypt(password, keySalt) is the AES-128 key that seals the private key (spec §3.1.2). */
  keySalt: Uint8Array;
}

export interface RedOctoberRsaUser extends UserRecord {
  type: 'RSA';
  /** D, P and Q, each big-endian and sealed on its own (spec §3.1.3). */
  exponent: SealedBlob;
  primeP: SealedBlob;
  primeQ: SealedBlob;
  n: bigint;
  e: bigint;
}

export interface RedOctoberEccUser extends UserRecord {
  type: 'ECC';
  /** SEC1 "EC PRIVATE KEY" DER, sealed (spec §3.1.4). */
  privateKey: SealedBlob;
  /** The public point on P-256. */
  x: bigint;
  y: bigint;
}

export type RedOctoberUser = RedOctoberRsaUser | RedOctoberEccUser;

export interface RedOctoberVault {
  /** Bound into every ciphertext; a ciphertext of another vault is refused ("Wrong vault"). */
  vaultId: number;
  /** The vault-wide HMAC-SHA1 key of both ciphertext MACs (spec §3.2.5-6). A secret. */
  hmacKey: Uint8Array;
  users: Map<string, RedOctoberUser>;
}

const fail = (message: string): never => {
  throw new RedOctoberError(RedOctoberCode.vaultFormat, message, `${message}: this is not a Red October vault file we can import`);
};

export function readRedOctoberVault(text: string): RedOctoberVault {
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (error) {
    return fail(`vault file: not JSON (${(error as Error).message})`);
  }
  const file = new Fields(json, 'vault file', fail);
  // §10.9: refuse versions we do not know rather than guess; RO has only ever written 1.
  if (!file.has('Version') || file.integer('Version') !== 1n) file.error('has a "Version" other than 1');
  const vaultId = file.smallInteger('VaultId');
  const hmacKey = file.bytes('HmacKey', { length: 16 });
  const users = new Map<string, RedOctoberUser>();
  for (const [name, record] of file.entries('Passwords')) {
    if (name.length === 0) file.error('has a user with an empty name');
    users.set(name, readUser(name, new Fields(record, `vault file: user "${name}"`, fail)));
  }
  return { vaultId, hmacKey, users };
}

function readUser(name: string, record: Fields): RedOctoberUser {
  const common: UserRecord = {
    name,
    admin: record.boolean('Admin'),
    altNames: readAltNames(record),
    passwordSalt: record.bytes('PasswordSalt', { length: 16 }),
    hashedPassword: record.bytes('HashedPassword', { length: 16 }),
    keySalt: record.bytes('KeySalt', { length: 16 }),
  };
  const type = record.optionalString('Type');
  if (type === 'RSA') return { ...common, type, ...readRsa(record.object('RSAKey')) };
  if (type === 'ECC') return { ...common, type, ...readEcc(record.object('ECKey')) };
  return record.error(`has "Type" ${JSON.stringify(type)}: only "RSA" and "ECC" exist`);
}

function readAltNames(record: Fields): Map<string, string> {
  const altNames = new Map<string, string>();
  for (const [key, value] of record.entries('AltNames')) {
    if (typeof value !== 'string') record.error(`has AltNames."${key}" that is not a string`);
    altNames.set(key, value);
  }
  return altNames;
}

function sealed(key: Fields, blob: string, iv: string): SealedBlob {
  return { ciphertext: key.bytes(blob, { multipleOf: 16 }), iv: key.bytes(iv, { length: 16 }) };
}

function readRsa(key: Fields): Omit<RedOctoberRsaUser, keyof UserRecord | 'type'> {
  const exponent = sealed(key, 'RSAExp', 'RSAExpIV');
  const primeP = sealed(key, 'RSAPrimeP', 'RSAPrimePIV');
  const primeQ = sealed(key, 'RSAPrimeQ', 'RSAPrimeQIV');
  const pub = key.object('RSAPublic');
  const n = pub.integer('N');
  const e = pub.integer('E');
  // RO makes RSA-2048 with e = 65537; allow any sane size, refuse what cannot be an RSA key.
  const bits = n.toString(2).length;
  if (n <= 0n || n % 2n === 0n || bits < 1024 || bits > 16384) pub.error('has an "N" that is not an RSA modulus of 1024 to 16384 bits');
  if (e < 3n || e % 2n === 0n || e >= 1n << 32n) pub.error('has an "E" that is not an odd public exponent below 2^32');
  return { exponent, primeP, primeQ, n, e };
}

// Go's elliptic.P256().Params(), as RO serialises it in ECPublic.Curve.
const p256Curve = p256.Point.CURVE();
const p256Params: [string, bigint][] = [
  ['P', p256Curve.p],
  ['N', p256Curve.n],
  ['B', p256Curve.b],
  ['Gx', p256Curve.Gx],
  ['Gy', p256Curve.Gy],
  ['BitSize', 256n],
];

function readEcc(key: Fields): Omit<RedOctoberEccUser, keyof UserRecord | 'type'> {
  const privateKey = sealed(key, 'ECPriv', 'ECPrivIV');
  const pub = key.object('ECPublic');
  const curve = pub.object('Curve');
  // RO's ECIES and SEC1 parsing are P-256 only; a record claiming another curve is not one RO made.
  const sameCurve = curve.optionalString('Name') === 'P-256' && p256Params.every(([field, value]) => curve.has(field) && curve.integer(field) === value);
  if (!sameCurve) curve.error('is not P-256: only P-256 keys can be imported');
  const x = pub.integer('X');
  const y = pub.integer('Y');
  try {
    p256.Point.fromAffine({ x, y }).assertValidity();
  } catch {
    pub.error('has an X, Y that is not a point on P-256');
  }
  return { privateKey, x, y };
}
