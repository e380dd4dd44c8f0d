// Sizes up to the documented limit over the real HTTPS server: `Data` of 1, 5, 12 and 16 MiB
// encrypts, and its ciphertext (about 1.8 times as many base64 characters in the /decrypt body)
// decrypts again; one byte more is refused with a clear size error, and a body past the API's
// 40 MiB message limit with HTTP 413. Go-style base64 of these sizes once overflowed the stack
// (a backtracking regex), which answered E_INTERNAL from about 4.47 M characters.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { as, admin, startHttpsVault, type HttpsVault } from './https-fixture.ts';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let server: HttpsVault;

before(async () => {
  server = await startHttpsVault('vault-large');
  await server.ok('/create', as('admin'));
  await server.ok('/create-user', { ...as('alice'), ...admin });
  await server.ok('/delegate', { ...as('alice'), Uses: 10, Time: '1h', Users: ['admin'] });
});
after(() => server?.close());

describe('vault HTTPS: large Data and ciphertexts', { timeout: 180_000 }, () => {
  for (const mib of [1, 5, 12, 16]) {
    it(`round-trips ${mib} MiB: /encrypt, then /decrypt of its ciphertext`, async () => {
      const data = randomBytes(mib * MiB);
      const encrypted = await server.ok('/encrypt', { ...as('admin'), Data: data.toString('base64'), Owners: ['alice'], Minimum: 1 });
      const decrypted = await server.ok('/decrypt', { ...as('admin'), Data: encrypted.Response });
      const document = JSON.parse(Buffer.from(decrypted.Response!, 'base64').toString('utf8')) as { Data: string; Delegates: string[] };
      assert.deepEqual(document.Delegates, ['alice']);
      const plain = Buffer.from(document.Data, 'base64');
      assert.equal(plain.length, data.length);
      assert.equal(sha256(plain), sha256(data));
    });
  }

  it('refuses one byte over 16 MiB with a size error, and a body over 40 MiB with HTTP 413', async () => {
    const over = await server.post('/encrypt', { ...as('admin'), Data: randomBytes(16 * MiB + 1).toString('base64'), Owners: ['alice'], Minimum: 1 });
    assert.equal(over.http, 200);
    assert.equal(over.answer.Code, 'E_RO_FIELD');
    assert.equal(over.answer.Status, `Data is ${16 * MiB + 1} bytes; the vault encrypts at most 16 MiB at once`);

    const huge = await server.post('/decrypt', { ...as('admin'), Data: Buffer.alloc(31 * MiB).toString('base64') });
    assert.equal(huge.http, 413);
    assert.deepEqual(huge.answer, { Status: 'the request body is larger than 40 MiB, the most /decrypt accepts', Code: 'E_RO_BODY_TOO_LARGE' });
  });
});
