// What a client's bad input costs the server's log: a refusal with its own code and a Red
// October-style Status, one request line, never a stack trace (anyone may send input, so an
// input error logged with a stack would let anyone write stack traces into the log). Only a
// fault of the server itself is logged with its stack, and told to the client as E_INTERNAL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { as, admin, startHttpsVault, type HttpsVault } from './https-fixture.ts';

let server: HttpsVault;

before(async () => {
  server = await startHttpsVault('vault-input');
  await server.ok('/create', as('admin'));
  await server.ok('/create-user', { ...as('alice'), ...admin });
  await server.ok('/create-user', { ...as('bob'), ...admin });
});
after(() => server?.close());

const stackLike = /\n\s+at /;

describe('vault HTTPS: input errors', () => {
  it('answers a malformed predicate with E_VAULT_ACCESS before the password check, and logs no stack', async () => {
    const malformed = ['alice &', '(((', '(2, alice)', '(0, alice, bob)', 'alice & & bob', ')', '(x, alice, bob)', '(2, alice, alice)'];
    for (const [n, predicate] of malformed.entries()) {
      const before = server.lines.length;
      // Wrong and right passwords alike: the predicate is checked first.
      const credentials = n % 2 === 0 ? { Name: 'mallory', Password: 'not-a-password' } : as('alice');
      for (const path of ['/encrypt', '/re-encrypt']) {
        const { http, answer } = await server.post(path, { ...credentials, Data: 'eA==', Predicate: predicate });
        assert.equal(http, 200);
        assert.deepEqual([answer.Status, answer.Code], ['Invalid access structure.', 'E_VAULT_ACCESS'], `${path} ${predicate}: ${JSON.stringify(answer)}`);
        assert.match(String(answer.Detail), /predicate|gate|user name|twice/, `${predicate}: Detail says what is wrong`);
      }
      const lines = server.lines.slice(before);
      assert.deepEqual(
        lines.map((line) => [line.level, line.msg, line.fields.status]),
        [
          ['info', 'request', 'E_VAULT_ACCESS'],
          ['info', 'request', 'E_VAULT_ACCESS'],
        ],
        predicate,
      );
      assert.ok(!lines.some((line) => stackLike.test(JSON.stringify(line.fields).replaceAll('\\n', '\n'))), `no stack in the log for ${predicate}`);
    }
  });

  it('logs a fault of the server itself with its stack and answers E_INTERNAL without it', async () => {
    const inspect = server.vault.inspect.bind(server.vault);
    server.vault.inspect = () => {
      throw new TypeError('a bug in inspect');
    };
    try {
      const before = server.lines.length;
      const { answer } = await server.post('/owners', { Data: 'eA==' });
      assert.equal(answer.Code, 'E_INTERNAL');
      assert.ok(!JSON.stringify(answer).includes('a bug in inspect'), 'the internal message stays on the server');
      const failed = server.lines.slice(before).find((line) => line.level === 'error');
      assert.ok(failed, 'an error line');
      assert.match(String(failed.fields.error), /^TypeError: a bug in inspect\n\s+at /);
    } finally {
      server.vault.inspect = inspect;
    }
  });
});
