import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { chooseOwners, decryptPayload, envelopeLimits, inspectPayload, type Access } from '../../../../engine/vault/crypto/envelope.ts';
import { edit, encryptFor, lookups, makeUsers, vaultId } from './vault-fixture.ts';

const users = await makeUsers();
const lookup = lookups(users);
const plaintext = 'the launch codes';

function decryptWith(text: string, use: string[]): string {
  return new TextDecoder().decode(decryptPayload(text, { ...lookup, use }));
}

function subsets<T>(items: T[]): T[][] {
  return items.reduce<T[][]>((all, item) => [...all, ...all.map((subset) => [...subset, item])], [[]]);
}

/** Every subset of `names`: chooseOwners and decryptPayload agree with `allowed` on each. */
function checkEverySubset(access: Access, names: string[], allowed: (set: Set<string>) => boolean) {
  const text = encryptFor(users, access);
  for (const subset of subsets(names)) {
    const set = new Set(subset);
    const chosen = chooseOwners(access, set);
    if (allowed(set)) {
      assert.ok(chosen !== null, `chooseOwners(${subset.join(',')})`);
      assert.ok(chosen.every((name) => set.has(name)));
      assert.equal(decryptWith(text, subset), plaintext, subset.join(','));
      assert.equal(decryptWith(text, chosen), plaintext, `chosen ${chosen.join(',')}`);
    } else {
      assert.equal(chosen, null, `chooseOwners(${subset.join(',')})`);
      assert.throws(() => decryptWith(text, subset), { code: 'E_VAULT_NOT_ENOUGH_OWNERS' }, subset.join(','));
    }
  }
}

describe('signalbox.vault.v1 owners access (M of N)', () => {
  it('decrypts with any 2 of alice (ECC), bob (RSA), carol (ECC), and not with 1', () => {
    checkEverySubset({ kind: 'owners', owners: ['carol', 'alice', 'bob'], minimum: 2 }, ['alice', 'bob', 'carol'], (set) => set.size >= 2);
  });

  it('decrypts with each owner alone when the minimum is 1 (Red October only let the first owner in)', () => {
    checkEverySubset({ kind: 'owners', owners: ['alice', 'bob', 'dave'], minimum: 1 }, ['alice', 'bob', 'dave'], (set) => set.size >= 1);
  });

  it('needs exactly M for 3 of 4, mixing ECC and RSA owners', () => {
    checkEverySubset({ kind: 'owners', owners: ['alice', 'bob', 'carol', 'dave'], minimum: 3 }, ['alice', 'bob', 'carol', 'dave'], (set) => set.size >= 3);
  });

  it('chooses exactly M owners, ignoring names that are not owners', () => {
    const access: Access = { kind: 'owners', owners: ['alice', 'bob', 'carol'], minimum: 2 };
    assert.deepEqual(chooseOwners(access, new Set(['mallory', 'carol', 'bob', 'alice'])), ['alice', 'bob']);
    assert.equal(chooseOwners(access, new Set(['mallory', 'carol'])), null);
  });
});

describe('signalbox.vault.v1 left-right access', () => {
  it('needs one owner from each side, and two different people', () => {
    // bob is on both sides: bob alone cannot decrypt, bob with anyone else can.
    const access: Access = { kind: 'left-right', left: ['alice', 'bob'], right: ['bob', 'dave'] };
    const left = new Set(access.left);
    const right = new Set(access.right);
    checkEverySubset(access, ['alice', 'bob', 'dave', 'carol'], (set) => [...set].some((l) => left.has(l) && [...set].some((r) => r !== l && right.has(r))));
    assert.equal(chooseOwners(access, new Set(['bob'])), null);
    assert.deepEqual(chooseOwners(access, new Set(['bob', 'alice'])), ['alice', 'bob']);
  });

  it('refuses a structure that only one person could satisfy', () => {
    assert.throws(() => encryptFor(users, { kind: 'left-right', left: ['bob'], right: ['bob'] }), { code: 'E_VAULT_ACCESS', message: /two different people/ });
  });
});

describe('signalbox.vault.v1 predicate access', () => {
  it('follows "(2, alice, (1, bob, carol), dave)"', () => {
    checkEverySubset({ kind: 'predicate', predicate: '(2, alice, (1, bob, carol), dave)' }, ['alice', 'bob', 'carol', 'dave'], (set) => {
      const satisfied = [set.has('alice'), set.has('bob') || set.has('carol'), set.has('dave')].filter(Boolean).length;
      return satisfied >= 2;
    });
  });

  it('follows a raw formula with a repeated name, "alice & bob | alice & carol"', () => {
    checkEverySubset(
      { kind: 'predicate', predicate: 'alice & bob | alice & carol' },
      ['alice', 'bob', 'carol'],
      (set) => set.has('alice') && (set.has('bob') || set.has('carol')),
    );
  });

  it("refuses a predicate that does not parse, with the parser's reason", () => {
    assert.throws(() => encryptFor(users, { kind: 'predicate', predicate: '(3, alice, bob)' }), { code: 'E_VAULT_ACCESS', message: /never be satisfied/ });
  });
});

describe('signalbox.vault.v1 inspection', () => {
  it('summarizes a verified ciphertext with the hash of its decoded bytes', () => {
    const text = encryptFor(
      users,
      { kind: 'owners', owners: ['bob', 'alice'], minimum: 2 },
      { labels: ['ops', 'payroll', 'ops'], usages: ['ssh-sign-with', 'decrypt'] },
    );
    const summary = inspectPayload(`${text}\n`, lookup);
    assert.deepEqual(summary, {
      access: { kind: 'owners', owners: ['alice', 'bob'], minimum: 2 },
      owners: ['alice', 'bob'],
      labels: ['ops', 'payroll'],
      usages: ['decrypt', 'ssh-sign-with'],
      createdBy: 'alice',
      createdAt: '2026-03-01T12:00:00.000Z',
      hash: createHash('sha256').update(Buffer.from(text, 'base64url')).digest('hex'),
    });
    const document = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    assert.equal(document.format, 'signalbox.vault.v1');
    assert.equal(document.vaultId, vaultId);
  });

  it('gives each encryption its own keys, nonce and hash, even for the same input', () => {
    const access: Access = { kind: 'owners', owners: ['alice', 'bob'], minimum: 1 };
    const a = JSON.parse(Buffer.from(encryptFor(users, access), 'base64url').toString('utf8'));
    const b = JSON.parse(Buffer.from(encryptFor(users, access), 'base64url').toString('utf8'));
    assert.notEqual(a.nonce, b.nonce);
    assert.notEqual(a.data, b.data);
    assert.notEqual(a.owners[0].wrappedKey, b.owners[0].wrappedKey);
    assert.notEqual(a.keyCommitment, b.keyCommitment);
  });
});

describe('signalbox.vault.v1 refusals', () => {
  const access: Access = { kind: 'owners', owners: ['alice', 'bob'], minimum: 2 };

  it('refuses a ciphertext of another vault', () => {
    const text = encryptFor(users, access);
    assert.throws(() => inspectPayload(text, { ...lookup, vaultId: 'another-vault' }), { code: 'E_VAULT_WRONG_VAULT' });
    assert.throws(() => decryptPayload(text, { ...lookup, vaultId: 'another-vault', use: ['alice', 'bob'] }), { code: 'E_VAULT_WRONG_VAULT' });
  });

  it('refuses a ciphertext whose signer has no account', () => {
    const text = encryptFor(users, access);
    const publicKeyOf = (name: string) => (name === 'alice' ? undefined : lookup.publicKeyOf(name));
    assert.throws(() => inspectPayload(text, { ...lookup, publicKeyOf }), { code: 'E_VAULT_UNKNOWN_SIGNER' });
  });

  it('refuses a ciphertext whose signer now holds another key', () => {
    const text = encryptFor(users, access);
    const publicKeyOf = (name: string) => (name === 'alice' ? lookup.publicKeyOf('carol') : lookup.publicKeyOf(name));
    assert.throws(() => inspectPayload(text, { ...lookup, publicKeyOf }), { code: 'E_VAULT_SIGNATURE', message: /does not hold/ });
  });

  it('says which key is missing when an owner in `use` has not delegated', () => {
    const text = encryptFor(users, access);
    const privateKeyOf = (name: string) => (name === 'bob' ? undefined : lookup.privateKeyOf(name));
    assert.throws(() => decryptPayload(text, { ...lookup, privateKeyOf, use: ['alice', 'bob'] }), { code: 'E_VAULT_MISSING_KEY', message: /bob/ });
  });

  it("refuses to decrypt with another user's private key", () => {
    const text = encryptFor(users, access);
    const privateKeyOf = (name: string) => lookup.privateKeyOf(name === 'alice' ? 'carol' : name);
    assert.throws(() => decryptPayload(text, { ...lookup, privateKeyOf, use: ['alice', 'bob'] }), { code: 'E_VAULT_DECRYPT', message: /alice/ });
  });

  it('refuses access structures that are malformed, duplicated or too large', () => {
    const many = Array.from({ length: 65 }, (_, i) => `u${i}`);
    for (const [bad, reason] of [
      [{ kind: 'owners', owners: ['alice', 'bob'], minimum: 0 }, /minimum/],
      [{ kind: 'owners', owners: ['alice', 'bob'], minimum: 3 }, /minimum/],
      [{ kind: 'owners', owners: ['alice', 'alice'], minimum: 1 }, /twice/],
      [{ kind: 'owners', owners: [], minimum: 1 }, /non-empty/],
      [{ kind: 'owners', owners: many, minimum: 2 }, /at most 64/],
      [{ kind: 'owners', owners: ['alice', '../bob'], minimum: 1 }, /not a user name/],
      [{ kind: 'left-right', left: ['alice', 'alice'], right: ['bob'] }, /twice/],
      [{ kind: 'either', owners: ['alice'] }, /kind/],
    ] as const) {
      assert.throws(() => encryptFor(users, bad as unknown as Access), { code: 'E_VAULT_ACCESS', message: reason }, JSON.stringify(bad));
    }
  });

  it('refuses an owner without a public key, and bad labels', () => {
    assert.throws(() => encryptFor(users, { kind: 'owners', owners: ['alice', 'zoe'], minimum: 2 }), { code: 'E_VAULT_UNKNOWN_OWNER', message: /zoe/ });
    assert.throws(() => encryptFor(users, access, { labels: [''] }), { code: 'E_VAULT_INPUT' });
    assert.throws(() => encryptFor(users, access, { usages: ['de\ncrypt'] }), { code: 'E_VAULT_INPUT' });
  });

  it('refuses data and ciphertexts over the size limits with a clear error', () => {
    assert.throws(() => encryptFor(users, access, { plaintext: new Uint8Array(envelopeLimits.maxPlaintext + 1) }), {
      code: 'E_VAULT_TOO_LARGE',
      message: /32 MiB/,
    });
    assert.throws(() => inspectPayload('A'.repeat(envelopeLimits.maxEncodedLength + 1), lookup), { code: 'E_VAULT_TOO_LARGE', message: /64 MiB/ });
  });

  it('refuses what is not a signalbox.vault.v1 document, pointing Red October ciphertexts to the import', () => {
    const redOctober = Buffer.from(JSON.stringify({ Version: -1, Data: 'e30=', Signature: 'AAAA' })).toString('base64');
    assert.throws(() => inspectPayload(redOctober, lookup), { code: 'E_VAULT_FORMAT', message: /Red October/ });
    for (const text of ['', 'not base64!', Buffer.from('[1]').toString('base64url'), Buffer.from('{"format":"signalbox.vault.v2"}').toString('base64url')]) {
      assert.throws(() => inspectPayload(text, lookup), { code: 'E_VAULT_FORMAT' }, text);
    }
  });

  it('refuses the same document spelled in non-canonical JSON', () => {
    const text = encryptFor(users, access);
    const spaced = Buffer.from(JSON.stringify(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')), null, 1)).toString('base64url');
    assert.throws(() => inspectPayload(spaced, lookup), { code: 'E_VAULT_FORMAT', message: /canonical/ });
    assert.doesNotThrow(() =>
      inspectPayload(
        edit(text, () => {}),
        lookup,
      ),
    );
  });
});
