import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedOctoberError } from '../../../../engine/vault/redoctober/errors.ts';
import { readRedOctoberVault } from '../../../../engine/vault/redoctober/vault-file.ts';
import { editedVaultText, loadVault, vaultText, vectors } from './fixtures.ts';

/** The digits of a JSON integer field of one user, straight from the file text. */
function digitsInFile(user: string, field: 'N' | 'X' | 'Y'): string {
  const start = vaultText.indexOf(`"${user}":{`);
  const match = new RegExp(`"${field}":(\\d+)`).exec(vaultText.slice(start));
  assert.ok(match?.[1], `${user}.${field} in the file`);
  return match[1];
}

function refuses(edit: (file: any) => void, pattern: RegExp): void {
  assert.throws(
    () => readRedOctoberVault(editedVaultText(edit)),
    (error: unknown) => error instanceof RedOctoberError && error.code === 'E_RO_VAULT_FORMAT' && pattern.test(error.message),
  );
}

describe('Red October vault file', () => {
  it('reads the recorded vault: id, HMAC key, users with their types and admin flag', () => {
    const vault = loadVault();
    assert.equal(vault.vaultId, 470661303);
    assert.equal(vault.hmacKey.length, 16);
    assert.deepEqual([...vault.users.keys()].sort(), ['admin', 'alice', 'bob', 'carol', 'dave']);
    for (const [name, type] of Object.entries(vectors.types)) assert.equal(vault.users.get(name)?.type, type, name);
    assert.equal(vault.users.get('admin')?.admin, true);
    assert.equal(vault.users.get('alice')?.admin, false);
    assert.equal(vault.users.get('alice')?.altNames.size, 0);
  });

  it('keeps integers above 2^53 exact: RSA moduli and P-256 coordinates equal the digits in the file', () => {
    const vault = loadVault();
    const alice = vault.users.get('alice');
    const bob = vault.users.get('bob');
    assert.equal(alice?.type, 'RSA');
    assert.equal(bob?.type, 'ECC');
    if (alice?.type !== 'RSA' || bob?.type !== 'ECC') return;
    assert.equal(alice.n.toString(), digitsInFile('alice', 'N'));
    assert.equal(alice.n.toString(2).length, 2048);
    assert.equal(alice.e, 65537n);
    assert.equal(bob.x.toString(), digitsInFile('bob', 'X'));
    assert.equal(bob.y.toString(), digitsInFile('bob', 'Y'));
  });

  it('refuses a file that is not JSON or not version 1', () => {
    assert.throws(() => readRedOctoberVault('{"Version":1,'), /vault file: not JSON/);
    refuses((file) => (file.Version = 2n), /"Version" other than 1/);
    refuses((file) => (file.HmacKey = 'AAAA'), /HmacKey" must hold 16 bytes, not 3/);
  });

  it('refuses what RO refuses at load time, naming the user and the field', () => {
    refuses(
      (file) => (file.Passwords.alice.PasswordSalt = Buffer.alloc(15).toString('base64')),
      /user "alice" field "PasswordSalt" must hold 16 bytes, not 15/,
    );
    refuses((file) => (file.Passwords.carol.HashedPassword = null), /user "carol" lacks the field "HashedPassword"/);
    refuses(
      (file) => (file.Passwords.alice.RSAKey.RSAExp = Buffer.alloc(40).toString('base64')),
      /user "alice"\.RSAKey field "RSAExp" must hold a non-empty multiple of 16 bytes, not 40/,
    );
    refuses((file) => (file.Passwords.alice.RSAKey.RSAPrimeQIV = 'not base64!'), /user "alice"\.RSAKey field "RSAPrimeQIV" must be a base64 string/);
    refuses(
      (file) => (file.Passwords.bob.ECKey.ECPrivIV = Buffer.alloc(12).toString('base64')),
      /user "bob"\.ECKey field "ECPrivIV" must hold 16 bytes, not 12/,
    );
    refuses((file) => (file.Passwords.dave.ECKey.ECPriv = ''), /user "dave"\.ECKey field "ECPriv" must hold a non-empty multiple of 16 bytes, not 0/);
  });

  it('refuses unknown record types, other curves, off-curve points and non-RSA moduli', () => {
    refuses((file) => (file.Passwords.alice.Type = 'DSA'), /user "alice" has "Type" "DSA"/);
    refuses((file) => (file.Passwords.bob.ECKey.ECPublic.Curve.Name = 'P-384'), /user "bob"\.ECKey\.ECPublic\.Curve is not P-256/);
    refuses((file) => (file.Passwords.bob.ECKey.ECPublic.Curve.B += 1n), /user "bob"\.ECKey\.ECPublic\.Curve is not P-256/);
    refuses((file) => (file.Passwords.dave.ECKey.ECPublic.Y += 1n), /user "dave"\.ECKey\.ECPublic has an X, Y that is not a point on P-256/);
    refuses((file) => (file.Passwords.carol.RSAKey.RSAPublic.N = 12345n), /user "carol"\.RSAKey\.RSAPublic has an "N" that is not an RSA modulus/);
    refuses((file) => (file.Passwords.carol.RSAKey.RSAPublic.E = 65536n), /user "carol"\.RSAKey\.RSAPublic has an "E"/);
  });
});
