// Online guessing over the HTTPS API, each client at its own loopback address (the login guard's
// source): a guesser slows itself down without locking the account's owner out elsewhere, and a
// burst of guesses sent at once gets no more real password checks than guesses sent one by one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { as, admin, startHttpsVault, type HttpsVault } from './https-fixture.ts';

let server: HttpsVault;

before(async () => {
  server = await startHttpsVault('vault-guessing');
  await server.ok('/create', as('admin'));
  await server.ok('/create-user', { ...as('alice'), ...admin });
});
after(() => server?.close());

/** How many answers had each code. */
function tally(codes: (string | undefined)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code ?? 'ok'] = (counts[code ?? 'ok'] ?? 0) + 1;
  return counts;
}

describe('vault HTTPS: password guessing', { timeout: 120_000 }, () => {
  it('gives 60 wrong passwords sent at once 3 real checks, and bob still gets in from elsewhere', async () => {
    // 60 TLS handshakes may take longer than the first wait (1 s) on a busy machine: waits of a
    // minute here, so that "at once" holds however slowly the burst arrives.
    const patient = await startHttpsVault('vault-burst', {}, { guard: { baseDelayMs: 60_000 } });
    try {
      await patient.ok('/create', as('admin'));
      await patient.ok('/create-user', { ...as('bob'), ...admin });
      const burst = await Promise.all(Array.from({ length: 60 }, () => patient.post('/summary', { Name: 'bob', Password: 'wrong-password' }, '127.0.0.3')));
      const counts = tally(burst.map(({ answer }) => answer.Code));
      assert.deepEqual(counts, { E_VAULT_AUTH: 3, E_RATE_LIMITED: 57 }, 'real checks (E_VAULT_AUTH) and refusals before the KDF');
      await patient.ok('/summary', as('bob'), '127.0.0.4');
    } finally {
      await patient.close();
    }
  });

  it('gives 200 wrong passwords over 20 s from one address at most 30 real checks, while alice gets in every time from another', async () => {
    const codes: (string | undefined)[] = [];
    let ownerLogins = 0;
    const started = Date.now();
    for (let n = 0; n < 200; n++) {
      // Paced at 100 ms from the start, however long each answer takes.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + n * 100 - Date.now())));
      codes.push((await server.post('/summary', { Name: 'alice', Password: `guess-${n}-password` }, '127.0.0.5')).answer.Code);
      if (n % 20 === 10) {
        await server.ok('/summary', as('alice'), '127.0.0.6');
        ownerLogins++;
      }
    }
    const counts = tally(codes);
    assert.equal(ownerLogins, 10);
    assert.ok((counts.E_VAULT_AUTH ?? 0) <= 30, `real checks for the guesser: ${JSON.stringify(counts)}`);
    assert.equal((counts.E_VAULT_AUTH ?? 0) + (counts.E_RATE_LIMITED ?? 0), 200);
    process.stdout.write(`# guessing over ${Date.now() - started} ms: ${JSON.stringify(counts)}\n`);
  });
});
