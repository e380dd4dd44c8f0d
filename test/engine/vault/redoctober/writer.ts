// A second Red October vault for the tests that import several into one: a vault file and
// ciphertexts written the way Red October writes them (spec §3.1 users, §3.2 encrypt, §3.5
// padding, §4.1 vault file, §4.3 envelope), with its own VaultId, HmacKey and key pairs. Only what
// those tests need: RSA-2048 accounts (RO's default) and "Minimum 2 of Owners" ciphertexts. The
// recorded vault (test/fixtures/redoctober-vectors) stays the check against the real server; this
// writer is checked by the same reader that decrypts every recorded ciphertext.
import { constants, createCipheriv, generateKeyPairSync, publicEncrypt, randomBytes, randomInt, scryptSync, type KeyObject } from 'node:crypto';
import { sealOuter, signInner } from './fixtures.ts';

export interface WrittenAccount {
  name: string;
  password: string;
  admin: boolean;
}

export interface WrittenVault {
  /** The vault file as Red October's -vaultpath holds it (big integers as bare JSON numbers). */
  text: string;
  vaultId: number;
  hmacKey: Uint8Array;
  /** A ciphertext (base64, as RO's /encrypt answers) that any two of `owners` open (Minimum 2). */
  encrypt(plaintext: Uint8Array, owners: string[]): string;
}

const roScrypt = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** RO's padding (spec §3.5): 1..16 bytes, zeros then the count. */
function pad(data: Uint8Array): Buffer {
  const count = 16 - (data.length % 16);
  const out = Buffer.alloc(data.length + count);
  out.set(data);
  out[out.length - 1] = count;
  return out;
}

function cbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([cipher.update(pad(data)), cipher.final()]);
}

function block(key: Uint8Array, value: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(value), cipher.final()]);
}

/** Big-endian, minimal length (Go's big.Int.Bytes, how RO stores D, P and Q). */
function bigEndian(base64url: string): Buffer {
  const bytes = Buffer.from(base64url, 'base64url');
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

const decimal = (base64url: string) => BigInt(`0x${Buffer.from(base64url, 'base64url').toString('hex')}`).toString();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function userRecord(account: WrittenAccount, publicKey: KeyObject, privateKey: KeyObject): string {
  const passwordSalt = randomBytes(16);
  const keySalt = randomBytes(16);
  const hashed = scryptSync(account.password, passwordSalt, 16, roScrypt);
  const passKey = scryptSync(account.password, keySalt, 16, roScrypt);
  const jwk = privateKey.export({ format: 'jwk' });
  const sealed = (part: string) => {
    const iv = randomBytes(16);
    return [b64(cbc(passKey, iv, bigEndian(part))), b64(iv)];
  };
  const [exp, expIv] = sealed(jwk.d!);
  const [p, pIv] = sealed(jwk.p!);
  const [q, qIv] = sealed(jwk.q!);
  const n = decimal(publicKey.export({ format: 'jwk' }).n!);
  return (
    `{"Type":"RSA","PasswordSalt":"${b64(passwordSalt)}","HashedPassword":"${b64(hashed)}","KeySalt":"${b64(keySalt)}",` +
    `"RSAKey":{"RSAExp":"${exp}","RSAExpIV":"${expIv}","RSAPrimeP":"${p}","RSAPrimePIV":"${pIv}","RSAPrimeQ":"${q}","RSAPrimeQIV":"${qIv}","RSAPublic":{"N":${n},"E":65537}},` +
    `"ECKey":{"ECPriv":null,"ECPrivIV":null,"ECPublic":{"Curve":null,"X":null,"Y":null}},"AltNames":{},"Admin":${account.admin}}`
  );
}

export function writeRedOctoberVault(accounts: WrittenAccount[]): WrittenVault {
  // RO draws VaultId below 2^31 (spec §4.1); the recorded vault's is 470661303.
  const vaultId = randomInt(1, 2 ** 31 - 1);
  const hmacKey = randomBytes(16);
  const publicKeys = new Map<string, KeyObject>();
  const records: string[] = [];
  for (const account of accounts) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
    publicKeys.set(account.name, pair.publicKey);
    records.push(`${JSON.stringify(account.name)}:${userRecord(account, pair.publicKey, pair.privateKey)}`);
  }
  const text = `{"Version":1,"VaultId":${vaultId},"HmacKey":"${b64(hmacKey)}","Passwords":{${records.join(',')}}}`;

  const encrypt = (plaintext: Uint8Array, owners: string[]): string => {
    const clearKey = randomBytes(16);
    const iv = randomBytes(16);
    const ownerKeys = new Map(owners.map((name) => [name, randomBytes(16)]));
    // RSA-OAEP with SHA-1 and an empty label (Go's rsa.EncryptOAEP(sha1.New(), ..., nil)); built
    // with fromEntries so that any name (even "__proto__") is a key.
    const keySetRsa = Object.fromEntries(
      [...ownerKeys].map(([name, key]) => [
        name,
        { Key: b64(publicEncrypt({ key: publicKeys.get(name)!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key)) },
      ]),
    );
    const keySet: { Name: string[]; Key: string }[] = [];
    for (let i = 0; i < owners.length; i++) {
      for (let j = i + 1; j < owners.length; j++) {
        const [first, second] = [owners[i]!, owners[j]!];
        keySet.push({ Name: [first, second], Key: b64(block(ownerKeys.get(first)!, block(ownerKeys.get(second)!, clearKey))) });
      }
    }
    const inner: Record<string, unknown> = {
      Version: 1,
      VaultId: vaultId,
      KeySet: keySet,
      KeySetRSA: keySetRsa,
      IV: b64(iv),
      Data: b64(cbc(clearKey, iv, plaintext)),
    };
    // signInner sorts KeySet by names for its MAC; RO's sort is in place, so the stored order is sorted too.
    keySet.sort((a, b) => Buffer.compare(Buffer.from(a.Name.join('\0')), Buffer.from(b.Name.join('\0'))));
    signInner(inner, hmacKey);
    return sealOuter(inner, hmacKey);
  };
  return { text, vaultId, hmacKey, encrypt };
}
