import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decryptRedOctoberCiphertext, inspectRedOctoberCiphertext } from '../../../../engine/vault/redoctober/ciphertext.ts';
import { RedOctoberError } from '../../../../engine/vault/redoctober/errors.ts';
import { loadVault, openLayers, sealOuter, signInner, toCiphertext, vectorCase } from './fixtures.ts';

const vault = loadVault();
const original = vectorCase('owners2-rsa-ecc').ciphertext;
const predicate = vectorCase('predicate-raw').ciphertext;

function refused(code: string, message?: RegExp | string) {
  return (error: unknown) =>
    error instanceof RedOctoberError &&
    error.code === code &&
    (message === undefined || (typeof message === 'string' ? error.message === message : message.test(error.message)));
}

/**
 * Decodes the ciphertext, lets `edit` change the inner structure and re-seals the outer envelope,
 * re-signing the inner structure too when `resign` is set: what someone holding the vault's
 * HmacKey (which RO's /export hands out, spec §8.16) could do.
 */
function resealed(ciphertext: string, edit: (inner: Record<string, unknown>) => void, resign = false): string {
  const { inner } = openLayers(ciphertext);
  edit(inner);
  if (resign) signInner(inner, vault.hmacKey);
  return sealOuter(inner, vault.hmacKey);
}

describe('Red October ciphertexts that were altered', () => {
  it('refuses a flipped byte in the outer payload: Signature mismatch', () => {
    const { outer } = openLayers(original);
    const payload = Buffer.from(String(outer.Data), 'base64');
    payload[payload.indexOf('"IV"') + 8]! ^= 1;
    const ciphertext = toCiphertext({ ...outer, Data: payload.toString('base64') });
    assert.throws(() => inspectRedOctoberCiphertext(ciphertext, vault), refused('E_RO_SIGNATURE', 'Signature mismatch'));
  });

  it('refuses an outer signature made with another HMAC key', () => {
    const other = { ...vault, hmacKey: new Uint8Array(16) };
    assert.throws(() => inspectRedOctoberCiphertext(original, other), refused('E_RO_SIGNATURE', 'Signature mismatch'));
  });

  it('refuses an inner structure altered under a valid outer MAC: the inner Signature still binds it', () => {
    const altered = resealed(original, (inner) => {
      const data = Buffer.from(String(inner.Data), 'base64');
      data[0]! ^= 1;
      inner.Data = data.toString('base64');
    });
    assert.throws(() => inspectRedOctoberCiphertext(altered, vault), refused('E_RO_SIGNATURE', 'Signature mismatch'));
    const relabelled = resealed(vectorCase('labels-usages').ciphertext, (inner) => (inner.Usages = ['decrypt']));
    assert.throws(() => inspectRedOctoberCiphertext(relabelled, vault), refused('E_RO_SIGNATURE', 'Signature mismatch'));
  });

  it('refuses a bare Version 1 ciphertext, which Red October would accept as Secure=false', () => {
    const { outer } = openLayers(predicate);
    const bare = String(outer.Data); // base64 of the inner structure alone
    assert.throws(() => inspectRedOctoberCiphertext(bare, vault), refused('E_RO_UNAUTHENTICATED', /bare Version 1/));
    assert.throws(() => decryptRedOctoberCiphertext(bare, vault, new Map()), refused('E_RO_UNAUTHENTICATED'));
  });

  it('refuses unknown versions outside and inside', () => {
    const { outer } = openLayers(original);
    assert.throws(() => inspectRedOctoberCiphertext(toCiphertext({ ...outer, Version: 2 }), vault), refused('E_RO_UNKNOWN_VERSION', 'Unknown version'));
    assert.throws(
      () =>
        inspectRedOctoberCiphertext(
          resealed(original, (inner) => (inner.Version = 2)),
          vault,
        ),
      refused('E_RO_UNKNOWN_VERSION', 'Unknown version'),
    );
  });

  it('refuses a ciphertext of another vault: Wrong vault', () => {
    assert.throws(() => inspectRedOctoberCiphertext(original, { ...vault, vaultId: vault.vaultId + 1 }), refused('E_RO_WRONG_VAULT', 'Wrong vault'));
    assert.throws(
      () =>
        inspectRedOctoberCiphertext(
          resealed(original, (inner) => (inner.VaultId = 1)),
          vault,
        ),
      refused('E_RO_WRONG_VAULT', 'Wrong vault'),
    );
  });

  it('refuses fields riding along in the envelope, outside the outer MAC', () => {
    const { outer } = openLayers(predicate);
    const smuggled = toCiphertext({ ...outer, Predicate: 'alice | bob | carol' });
    assert.throws(() => inspectRedOctoberCiphertext(smuggled, vault), refused('E_RO_MALFORMED', /unexpected field "Predicate"/));
  });

  it('accepts a structure re-signed by the test, so the refusals below are about the structure', () => {
    assert.doesNotThrow(() =>
      inspectRedOctoberCiphertext(
        resealed(original, () => {}, true),
        vault,
      ),
    );
    assert.doesNotThrow(() =>
      inspectRedOctoberCiphertext(
        resealed(vectorCase('labels-usages').ciphertext, () => {}, true),
        vault,
      ),
    );
  });

  it('refuses authentic but ill-formed structures instead of guessing', () => {
    const cases: [string, (inner: Record<string, unknown>) => void, RegExp][] = [
      [original, (inner) => (inner.IV = Buffer.alloc(12).toString('base64')), /field "IV" must hold 16 bytes, not 12/],
      [original, (inner) => ((inner.KeySet as { Name: string[] }[])[0]!.Name = []), /KeySet\[0\] names nobody/],
      [original, (inner) => ((inner.KeySet as { Name: string[] }[])[0]!.Name = ['alice', 'mallory']), /names "mallory", who has no KeySetRSA entry/],
      [predicate, (inner) => (inner.Predicate = 'alice & bob & carol & alice'), /gives "alice" 2 share\(s\) but ShareSet holds 1/],
      [predicate, (inner) => (inner.Predicate = 'alice &'), /Predicate "alice &": the predicate ends too early/],
      [predicate, (inner) => (inner.KeySet = [{ Name: ['alice', 'bob'], Key: Buffer.alloc(16).toString('base64') }]), /both a Predicate and a KeySet/],
      [original, (inner) => (inner.Extra = true), /unexpected field "Extra"/],
    ];
    for (const [ciphertext, edit, message] of cases) {
      assert.throws(() => inspectRedOctoberCiphertext(resealed(ciphertext, edit, true), vault), refused('E_RO_MALFORMED', message), String(message));
    }
  });

  it('answers malformed input with a clear error, never another exception', () => {
    const inputs = [
      '',
      '!!!',
      'e30',
      Buffer.from('not json').toString('base64'),
      Buffer.from('[1,2]').toString('base64'),
      Buffer.from('{"Version":-1}').toString('base64'),
      Buffer.from('{"Version":-1,"Data":"e30=","Signature":5}').toString('base64'),
      Buffer.from('{"Version":"-1"}').toString('base64'),
      Buffer.from('{"Version":-1.5}').toString('base64'),
    ];
    for (const input of inputs) {
      assert.throws(
        () => inspectRedOctoberCiphertext(input, vault),
        (error: unknown) => error instanceof RedOctoberError,
        input,
      );
    }
    const bytes = Buffer.from(original, 'base64');
    for (let round = 0; round < 300; round++) {
      const copy = Buffer.from(bytes);
      const at = (round * 7919) % copy.length;
      copy[at]! ^= 1 << (round % 8);
      assert.throws(
        () => inspectRedOctoberCiphertext(copy.toString('base64'), vault),
        (error: unknown) => error instanceof RedOctoberError,
        `flip at ${at}`,
      );
    }
  });
});
