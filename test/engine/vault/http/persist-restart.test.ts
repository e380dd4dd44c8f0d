// Red October's delegation persistence against the built `signalbox vault` (npm run build first),
// a real process stopped with SIGTERM and started again, spoken to as `ro` and Red October's Go
// client do (spec §2: /delegate, /status, /restore with Name, Password, Uses, Time, /reset-persisted,
// /summary's State; Response is base64 of JSON). The config's engines.vault.persist is 2 of alice,
// bob and carol. The process uses the production KDF cost, so each password check takes a while.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decryptPayload } from '../../../../engine/vault/crypto/envelope.ts';
import type { PrivateKeyRef } from '../../../../engine/vault/crypto/keys.ts';
import { readStoredFile } from '../../../../engine/vault/persist/stored-file.ts';
import { Vault } from '../../../../engine/vault/vault.ts';
import { tempDir } from '../../../helpers/host.ts';
import { admin, as, makeCertificate, pw, type RoAnswer } from './https-fixture.ts';
import { spawnSignalboxVault } from './vault-process.ts';

const dir = tempDir('vault-persist');
const { cert } = makeCertificate(dir);
const vaultPath = join(dir, 'vault.json');
const storedPath = `${vaultPath}.delegations`;
const auditPath = `${vaultPath}.audit.log`;
const configPath = join(dir, 'signalbox.yaml');
writeFileSync(configPath, ['engines:', '  vault:', '    persist:', '      owners: [alice, bob, carol]', '      minimum: 2', ''].join('\n'));

let server: { child: ChildProcess; port: number } | null = null;

async function start(): Promise<void> {
  const { child, port } = await spawnSignalboxVault([
    '--config',
    configPath,
    '--listen',
    '127.0.0.1:0',
    '--vault',
    vaultPath,
    '--cert',
    join(dir, 'cert.pem'),
    '--key',
    join(dir, 'key.pem'),
  ]);
  server = { child, port };
}

async function stop(): Promise<void> {
  if (!server) return;
  const { child } = server;
  server = null;
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

function post(path: string, body: unknown): Promise<RoAnswer> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = request(
      {
        host: '127.0.0.1',
        port: server!.port,
        path,
        method: 'POST',
        ca: cert,
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as RoAnswer));
        res.on('error', reject);
      },
    );
    req.on('error', reject).end(payload);
  });
}

async function ok(path: string, body: unknown): Promise<RoAnswer> {
  const answer = await post(path, body);
  assert.equal(answer.Status, 'ok', `${path}: ${JSON.stringify(answer).slice(0, 300)}`);
  return answer;
}

/** `Response` decoded, as Go clients do (base64 of a JSON document). */
const response = (answer: RoAnswer) => JSON.parse(Buffer.from(answer.Response!, 'base64').toString('utf8')) as Record<string, unknown>;
const persistState = async (name = 'dave') => response(await ok('/status', as(name))).Status;
/** What `ro delegate -users dave -uses N -time 1h` sends. */
const roDelegate = (name: string, uses: number) => ({ ...as(name), Uses: uses, Time: '1h', Users: ['dave'], Labels: [] });
/** What `ro restore -time 1h` sends (Red October decodes it as a DelegateRequest). */
const roRestore = (name: string) => ({ ...as(name), Uses: 0, Time: '1h' });
const auditEvents = () =>
  readFileSync(auditPath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { event: string }).event);

const secret = Buffer.from('the launch codes, kept by two people').toString('base64');
let ciphertext = '';

/** No delegations live and nothing stored: each test starts here. */
async function cleanSlate(): Promise<void> {
  if (!server) await start();
  await ok('/reset-persisted', as('admin'));
  await ok('/purge', as('admin'));
  assert.equal(existsSync(storedPath), false);
}

describe('signalbox vault: delegations persisted over a restart (Red October persist), a real process', { timeout: 600_000 }, () => {
  before(async () => {
    await start();
    await ok('/create', as('admin'));
    for (const name of ['alice', 'bob', 'carol', 'dave']) await ok('/create-user', { ...as(name), UserType: 'ECC', ...admin });
    ciphertext = (await ok('/encrypt', { ...as('dave'), Data: secret, Owners: ['alice', 'bob', 'carol'], Minimum: 2 })).Response!;
  });
  after(stop);

  it('keeps delegations across a restart, unusable until /restore reaches 2 of the owners, then decrypts; the spent use stays spent', async () => {
    await cleanSlate();
    await ok('/delegate', roDelegate('alice', 3));
    await ok('/delegate', roDelegate('bob', 3));
    assert.deepEqual(response(await ok('/status', as('dave'))), { Status: 'active', Owners: ['alice', 'bob', 'carol'], Minimum: 2, Restoring: [] });
    assert.equal(statSync(storedPath).mode & 0o777, 0o600, 'the stored file is private');

    await restart();
    assert.equal(await persistState(), 'inactive');
    const summary = await ok('/summary', as('dave'));
    assert.deepEqual([summary.State, summary.Live], ['inactive', {}], 'nothing is live before the restore');
    assert.equal((await post('/decrypt', { ...as('dave'), Data: ciphertext })).Status, 'need more delegated keys');

    assert.deepEqual(response(await ok('/restore', roRestore('alice'))), { Status: 'inactive' }, 'one owner is not enough');
    assert.deepEqual(response(await ok('/status', as('dave'))).Restoring, ['alice']);
    assert.equal((await post('/decrypt', { ...as('dave'), Data: ciphertext })).Status, 'need more delegated keys', 'still unusable with one restorer');
    const outsider = await post('/restore', roRestore('dave'));
    assert.equal(outsider.Code, 'E_VAULT_PERSIST_NOT_OWNER', 'dave is not a persist owner');

    assert.deepEqual(response(await ok('/restore', roRestore('bob'))), { Status: 'active' }, 'the second owner completes it');
    const live = (await ok('/summary', as('dave'))).Live as Record<string, { Uses: number; Users: string[] }>;
    assert.deepEqual(Object.fromEntries(Object.entries(live).map(([name, d]) => [name, [d.Uses, d.Users]])), { alice: [3, ['dave']], bob: [3, ['dave']] });
    const opened = response(await ok('/decrypt', { ...as('dave'), Data: ciphertext }));
    assert.deepEqual([opened.Data, opened.Delegates], [secret, ['alice', 'bob']]);

    // The decryption's spent use was stored before its answer; another quorum (alice and carol) restores it.
    await restart();
    assert.deepEqual(response(await ok('/restore', roRestore('carol'))), { Status: 'inactive' });
    assert.deepEqual(response(await ok('/restore', roRestore('alice'))), { Status: 'active' });
    const again = (await ok('/summary', as('dave'))).Live as Record<string, { Uses: number }>;
    assert.deepEqual([again.alice?.Uses, again.bob?.Uses], [2, 2]);
    const events = auditEvents();
    for (const event of ['persist-load', 'persist-write', 'persist-restore', 'persist-restored'])
      assert.ok(events.includes(event), `the audit log records ${event}`);
  });

  it('lets only an admin reset the persisted delegations; after that nothing comes back', async () => {
    await cleanSlate();
    await ok('/delegate', roDelegate('alice', 1));
    await restart();
    assert.equal(await persistState(), 'inactive');
    const refused = await post('/reset-persisted', as('alice'));
    assert.deepEqual([refused.Status, refused.Code], ['alice is not an admin', 'E_VAULT_NOT_ADMIN']);
    assert.equal(existsSync(storedPath), true, 'a refused reset deletes nothing');
    assert.equal(await persistState(), 'inactive');

    assert.deepEqual(response(await ok('/reset-persisted', as('admin'))), { Status: 'active' });
    assert.equal(existsSync(storedPath), false, 'the stored delegations are gone');
    await restart();
    assert.equal(await persistState(), 'active', 'nothing stored: active at once, as Red October');
    assert.deepEqual((await ok('/summary', as('dave'))).Live, {});
    assert.ok(auditEvents().includes('persist-reset'));
  });

  it("stores no key usable with any one owner: the file opens only with two owners' private keys", async () => {
    await cleanSlate();
    await ok('/delegate', roDelegate('alice', 1));
    await ok('/delegate', roDelegate('bob', 1));
    await stop();
    const raw = readFileSync(storedPath);
    const stored = (await readStoredFile(storedPath))!;
    // The vault's own accounts give each person's private key (their password unlocks it).
    const vault = await Vault.open({ vaultPath, auditPath });
    const keys = new Map<string, PrivateKeyRef>();
    try {
      for (const name of ['alice', 'bob', 'carol']) keys.set(name, (await vault.accounts.unlock({ name, password: pw(name) }, 'test')).key);
      const open = (use: string[]) =>
        decryptPayload(stored.ciphertext, {
          vaultId: vault.status().vaultId,
          publicKeyOf: (name) => vault.accounts.publicKeyOf(name),
          privateKeyOf: (name) => (use.includes(name) ? keys.get(name) : undefined),
          use,
        });
      for (const [name, key] of keys) {
        const bytes = Buffer.from(key.privateKey);
        for (const text of [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')])
          assert.equal(raw.includes(text), false, `${name}'s key is not in the file as text`);
        assert.equal(raw.includes(bytes), false, `${name}'s key is not in the file as bytes`);
        assert.throws(() => open([name]), { code: 'E_VAULT_NOT_ENOUGH_OWNERS' }, `${name} alone cannot open it`);
      }
      assert.throws(
        () =>
          decryptPayload(stored.ciphertext, {
            vaultId: vault.status().vaultId,
            publicKeyOf: (name) => vault.accounts.publicKeyOf(name),
            privateKeyOf: (name) => (name === 'alice' ? keys.get(name) : undefined),
            use: ['alice', 'bob'],
          }),
        { code: 'E_VAULT_MISSING_KEY' },
        "naming bob without bob's key opens nothing",
      );
      // The control: two owners do open it, and it does hold the delegated keys (so the checks above could fail).
      const plaintext = Buffer.from(open(['bob', 'carol']));
      assert.equal(plaintext.includes(Buffer.from(keys.get('alice')!.privateKey)), true);
      assert.equal(plaintext.includes(Buffer.from(keys.get('bob')!.privateKey)), true);
      assert.equal(plaintext.includes(Buffer.from(keys.get('carol')!.privateKey)), false, 'carol never delegated');
    } finally {
      for (const key of keys.values()) key.privateKey.fill(0);
      await vault.close();
    }
  });
});
