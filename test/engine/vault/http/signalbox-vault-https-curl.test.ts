// `signalbox vault` (the built command, after `npm run build`) serving Red October's JSON API over
// HTTPS, driven by curl as the real client, with a throwaway certificate made by openssl. The KDF is
// the production one (scrypt N=2^17, about 0.3 s a password check), so the flow keeps to about 25.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../../helpers/host.ts';
import { bin, stopProcess } from '../../../helpers/serve-process.ts';
import { makeCertificate } from './https-fixture.ts';
import { spawnSignalboxVault } from './vault-process.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

type RoAnswer = { Status: string; Code?: string; Response?: string } & Record<string, unknown>;

const pw = (name: string) => `${name}-password-1`;
const as = (name: string) => ({ Name: name, Password: pw(name) });
const admin = { AdminName: 'admin', AdminPassword: pw('admin') };
const b64 = (text: string) => Buffer.from(text).toString('base64');

function run(command: string, args: string[], input?: string | Readable): Promise<Run> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  // curl may stop reading its input early (that is what the size limit tests want).
  child.stdin.on('error', () => {});
  if (input instanceof Readable) input.pipe(child.stdin).on('error', () => {});
  else child.stdin.end(input ?? '');
  return once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

let dir: string;
let cert: string;
let key: string;
let server: ChildProcess;
let serverLog = '';
let base: string;

/** POSTs a JSON body with curl; the HTTP status and the answer. */
async function ro(path: string, body: unknown): Promise<{ http: number; answer: RoAnswer }> {
  const result = await run(
    'curl',
    ['--cacert', cert, '-sS', '--data', '@-', '-w', '\n%{http_code}', `${base}${path}`],
    typeof body === 'string' ? body : JSON.stringify(body),
  );
  assert.equal(result.code, 0, `curl ${path}: ${result.stderr}`);
  const lines = result.stdout.split('\n');
  const http = Number(lines.pop());
  return { http, answer: JSON.parse(lines.join('\n')) as RoAnswer };
}

/** The answer of a call that must succeed. */
async function ok(path: string, body: unknown): Promise<RoAnswer> {
  const { http, answer } = await ro(path, body);
  assert.equal(http, 200, path);
  assert.equal(answer.Status, 'ok', `${path}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Red October's double encoding: Response is base64 of a JSON document. */
function response<T>(answer: RoAnswer): T {
  return JSON.parse(Buffer.from(answer.Response!, 'base64').toString('utf8')) as T;
}

async function startVault(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const started = await spawnSignalboxVault(args);
  started.child.stderr!.on('data', (chunk) => (serverLog += chunk));
  serverLog += started.log();
  return started;
}

function runCli(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });
}

before(async () => {
  dir = tempDir('vault-https');
  // makeCertificate writes cert.pem and key.pem into dir; the vault is given their paths.
  makeCertificate(dir);
  cert = join(dir, 'cert.pem');
  key = join(dir, 'key.pem');
  const started = await startVault(['--listen', '127.0.0.1:0', '--vault', join(dir, 'vault.json'), '--cert', cert, '--key', key]);
  server = started.child;
  base = started.url;
  await ok('/create', as('admin'));
  await ok('/create-user', { ...as('alice'), ...admin });
  await ok('/create-user', { ...as('bob'), ...admin, UserType: 'ECC' });
  await ok('/create-user', { ...as('carol'), ...admin });
});

after(async () => {
  if (!server) return;
  assert.equal(await stopProcess(server, 'SIGTERM'), 0, 'SIGTERM closes cleanly');
  assert.match(serverLog, /shutting down; delegations are purged/);
  for (const name of ['admin', 'alice', 'bob', 'carol']) assert.ok(!serverLog.includes(pw(name)), `no password of ${name} in the log`);
});

describe('signalbox vault: Red October API over HTTPS (curl, openssl)', { timeout: 120_000 }, () => {
  it('decrypts 2-of-3 with two delegations, lists the delegates, re-encrypts, and refuses once their uses are spent', async () => {
    const encrypted = await ok('/encrypt', { ...as('admin'), Data: b64('launch code'), Owners: ['alice', 'bob', 'carol'], Minimum: 2, Labels: ['flow'] });
    const ciphertext = encrypted.Response!;
    const owners = await ok('/owners', { Data: ciphertext });
    assert.deepEqual([owners.Owners, owners.Labels, owners.Predicate], [['alice', 'bob', 'carol'], ['flow'], '']);

    const refused = await ro('/delegate', { Name: 'alice', Password: 'not-her-password', Uses: 1, Time: '1h', Users: ['carol'], Labels: ['flow'] });
    assert.deepEqual([refused.http, refused.answer.Status, refused.answer.Code], [200, 'wrong name or password', 'E_VAULT_AUTH']);
    await ok('/delegate', { ...as('alice'), Uses: 2, Time: '1h', Users: ['carol'], Labels: ['flow'] });
    await ok('/delegate', { ...as('bob'), uses: 2, time: '10m', users: ['carol'], labels: ['flow'] });

    const decrypted = response<{ Data: string; Secure: boolean; Delegates: string[] }>(await ok('/decrypt', { ...as('carol'), Data: ciphertext }));
    assert.equal(Buffer.from(decrypted.Data, 'base64').toString(), 'launch code');
    assert.equal(decrypted.Secure, true);
    assert.deepEqual(decrypted.Delegates, ['alice', 'bob']);

    // The second use of each: re-encrypted to all three (M = 3; Red October stopped at 2).
    const moved = (await ok('/re-encrypt', { ...as('carol'), Data: ciphertext, Owners: ['alice', 'bob', 'carol'], Minimum: 3, Labels: ['flow', 'three'] }))
      .Response!;
    const movedOwners = await ok('/owners', { Data: moved });
    assert.deepEqual(
      [movedOwners.Owners, movedOwners.Labels],
      [
        ['alice', 'bob', 'carol'],
        ['flow', 'three'],
      ],
    );

    const spent = await ro('/decrypt', { ...as('carol'), Data: ciphertext });
    assert.equal(spent.answer.Status, 'need more delegated keys', "Red October's text, which `ro decrypt` retries on");
    assert.match(String(spent.answer.Detail), /2 of alice, bob, carol/);
  });

  it('ends a 2 s delegation on time, with no request in between', async () => {
    await ok('/delegate', { ...as('carol'), Uses: 1, Time: '2s', Users: ['alice'], Labels: ['soon'] });
    const delegated = Date.now();
    const live = (await ok('/summary', as('admin'))).Live as Record<
      string,
      { Uses: number; Users: string[]; Labels: string[]; Expiry: string; Admin: boolean; Type: string }
    >;
    const carol = live.carol;
    assert.ok(carol, "carol's delegation is live");
    assert.deepEqual([carol.Uses, carol.Users, carol.Labels, carol.Admin, carol.Type], [1, ['alice'], ['soon'], false, 'RSA']);
    assert.ok(Math.abs(Date.parse(carol.Expiry) - (delegated + 2000)) < 1500, `Expiry ${carol.Expiry} is RFC 3339, about 2 s ahead`);
    // Red October dropped expired keys only at the next request (spec §8.9); ours end on a timer.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, delegated + 3000 - Date.now())));
    const after = await ok('/summary', as('admin'));
    assert.equal((after.Live as Record<string, unknown>).carol, undefined);
    assert.deepEqual(after.All, {
      admin: { Admin: true, Type: 'RSA' },
      alice: { Admin: false, Type: 'RSA' },
      bob: { Admin: false, Type: 'ECC' },
      carol: { Admin: false, Type: 'RSA' },
    });
    assert.equal(after.State, 'disabled');
  });

  it('runs an order: approvals through /delegate with OrderNum, counted right, then the requester decrypts', async () => {
    const ciphertext = (await ok('/encrypt', { ...as('admin'), Data: b64('order me'), Owners: ['alice', 'bob'], Minimum: 2 })).Response!;
    type Order = {
      Num: string;
      Creator: string;
      Users: string[];
      Owners: string[];
      Delegated: number;
      OwnersDelegated: string[];
      DurationRequested: number;
      TimeRequested: string;
      State: string;
      Satisfied: boolean;
    };
    const placed = response<Order>(await ok('/order', { ...as('carol'), EncryptedData: ciphertext, Duration: '10m', Uses: 1, Users: ['carol'] }));
    assert.match(placed.Num, /^[0-9a-f]{24}$/);
    assert.deepEqual(
      [placed.Creator, placed.Users, placed.Owners, placed.Delegated, placed.DurationRequested],
      ['carol', ['carol'], ['alice', 'bob'], 0, 600e9],
    );
    assert.ok(!Number.isNaN(Date.parse(placed.TimeRequested)));
    const outstanding = response<Record<string, Order>>(await ok('/orderout', as('carol')));
    assert.equal(outstanding[placed.Num]?.Creator, 'carol');

    await ok('/delegate', { ...as('alice'), Uses: 1, Time: '5m', OrderNum: placed.Num });
    await ok('/delegate', { ...as('bob'), Uses: 1, Time: '5m', OrderNum: placed.Num });
    const approved = response<Order>(await ok('/orderinfo', { ...as('carol'), OrderNum: placed.Num }));
    assert.deepEqual(
      [approved.Delegated, approved.OwnersDelegated, approved.Satisfied],
      [2, ['alice', 'bob'], true],
      'two approvals count 2 (Red October counted 1)',
    );

    const decrypted = response<{ Data: string; Delegates: string[] }>(await ok('/decrypt', { ...as('carol'), Data: ciphertext }));
    assert.equal(Buffer.from(decrypted.Data, 'base64').toString(), 'order me');
    assert.deepEqual(decrypted.Delegates, ['alice', 'bob']);
    assert.equal(
      (await ro('/orderinfo', { ...as('carol'), OrderNum: placed.Num })).answer.Status,
      'No order with that number',
      'a fulfilled order is gone, as in Red October',
    );
  });

  it('is stricter than Red October: registration waits for an admin, no account made by /delegate, Uses and Time required, no export', async () => {
    const registered = await ro('/create-user', { ...as('mallory'), UserType: 'rsa', HipchatName: '' });
    assert.deepEqual(
      [registered.answer.Status, registered.answer.Detail],
      ['ok', "the account mallory waits for an admin's approval; it can do nothing before"],
    );
    assert.equal((await ro('/delegate', { ...as('mallory'), Uses: 1, Time: '1h', Users: ['alice'] })).answer.Code, 'E_VAULT_PENDING');
    const unknown = await ro('/delegate', { ...as('nobody-here'), Uses: 1, Time: '1h', Anyone: true });
    assert.equal(unknown.answer.Status, 'wrong name or password', 'the same answer as a wrong password');
    assert.equal(
      (await ro('/delegate', { ...as('alice'), Time: '1h', Users: ['bob'] })).answer.Status,
      'Uses is required: how many decryptions the delegation serves (at least 1)',
    );
    assert.equal(
      (await ro('/delegate', { ...as('alice'), Uses: 1, Time: '-1h', Users: ['bob'] })).answer.Status,
      'Time must be more than 0 (a Go duration such as 30m or 1h10m)',
    );
    assert.equal((await ro('/delegate', { ...as('alice'), Uses: 1, Time: 'bogus', Users: ['bob'] })).answer.Status, 'time: invalid duration "bogus"');
    assert.match((await ro('/delegate', { ...as('alice'), Uses: 1, Time: '1h' })).answer.Status, /^Users required when delegating: add -users NAME/);
    assert.match((await ro('/export', as('admin'))).answer.Status, /^export is not supported/);
    const restore = (await ro('/restore', { ...as('admin'), Uses: 1, Time: '1h' })).answer;
    assert.deepEqual(
      [restore.Status, restore.Code],
      ['persist: null store does not support delegations', 'E_VAULT_PERSIST_DISABLED'],
      "Red October's answer without persistence (engines.vault.persist is not set here)",
    );
    assert.deepEqual(
      (await ro('/ssh-sign-with', as('admin'))).answer,
      { Status: 'Data is empty: send the ciphertext (base64, as /encrypt answered it)', Code: 'E_RO_FIELD' },
      'signing needs a ciphertext (ssh-sign-with-openssh.test.ts signs)',
    );
  });

  it('answers malformed JSON with the parser error and unknown paths with a JSON 404', async () => {
    assert.deepEqual(await ro('/summary', '{"Name":"admin",'), { http: 200, answer: { Status: 'unexpected end of JSON input', Code: 'E_RO_REQUEST' } });
    assert.equal(
      (await ro('/delegate', { Name: 'alice', Uses: 'one' })).answer.Status,
      'json: cannot unmarshal string into Go struct field DelegateRequest.Uses of type int',
    );
    const missing = await ro('/index', {});
    assert.equal(missing.http, 404);
    assert.match(missing.answer.Status, /^no such path: \/index/);
  });

  it('refuses an oversized body without reading it: declared (the client never sends it) or streamed (it stops early)', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, `{"Name":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    const declared = await run('curl', ['--cacert', cert, '-sS', '--data', `@${big}`, '-w', '\n%{http_code} %{size_upload}', `${base}/summary`]);
    const [body, status] = declared.stdout.split('\n');
    assert.deepEqual(JSON.parse(body!), { Status: 'the request body is larger than 1 MiB, the most /summary accepts', Code: 'E_RO_BODY_TOO_LARGE' });
    assert.equal(status, '413 0', 'curl asked with Expect: 100-continue and sent no byte of the body');

    const offered = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const stream = Readable.from(
      (function* () {
        for (let sent = 0; sent < offered; sent += chunk.length) yield chunk;
      })(),
    );
    const streamed = await run('curl', ['--cacert', cert, '-sS', '-X', 'POST', '-T', '-', '-w', '\n%{http_code} %{size_upload}', `${base}/summary`], stream);
    const [streamedBody, streamedStatus] = streamed.stdout.split('\n');
    assert.equal((JSON.parse(streamedBody!) as RoAnswer).Code, 'E_RO_BODY_TOO_LARGE');
    const [code, uploaded] = streamedStatus!.split(' ').map(Number);
    assert.equal(code, 413);
    assert.ok(uploaded! < offered / 4, `curl stopped after ${uploaded} of ${offered} bytes`);
  });

  it('speaks TLS 1.2 and 1.3 only, never resumes a session, and sends HSTS on every answer', async () => {
    const old = await run('curl', ['--cacert', cert, '-sS', '--tls-max', '1.1', '--ciphers', 'DEFAULT@SECLEVEL=0', `${base}/summary`]);
    assert.equal(old.code, 35, 'TLS 1.1 handshake refused');
    assert.match(old.stderr, /protocol version/);
    for (const version of ['1.2', '1.3']) {
      const modern = await run('curl', [
        '--cacert',
        cert,
        '-sS',
        `--tlsv${version}`,
        '--tls-max',
        version,
        '-D',
        '-',
        '-o',
        '/dev/null',
        '--data',
        '{}',
        `${base}/owners`,
      ]);
      assert.equal(modern.code, 0, modern.stderr);
      assert.match(modern.stdout, /^strict-transport-security: max-age=31536000; includeSubDomains\r$/im);
      assert.match(modern.stdout, /^content-type: application\/json\r$/im);
    }
    const notFound = await run('curl', ['--cacert', cert, '-sS', '-D', '-', '-o', '/dev/null', `${base}/`]);
    assert.match(notFound.stdout, /^HTTP\/1\.1 404/);
    assert.match(notFound.stdout, /^strict-transport-security: /im);

    const session = join(dir, 'session.pem');
    const [host, port] = base.replace('https://', '').split(':');
    const first = await run('openssl', ['s_client', '-tls1_2', '-connect', `${host}:${port}`, '-CAfile', cert, '-sess_out', session], '');
    assert.match(first.stdout, /^New, TLSv1\.2/m);
    const second = await run('openssl', ['s_client', '-tls1_2', '-connect', `${host}:${port}`, '-CAfile', cert, '-sess_in', session], '');
    assert.match(second.stdout, /^New, TLSv1\.2/m, 'a full handshake again: no session tickets, no session cache');
  });

  it("requires a client certificate signed by --ca when given (Red October's -ca)", async () => {
    const clientKey = join(dir, 'client.key');
    const clientCert = join(dir, 'client.pem');
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=operator',
        '-days',
        '1',
        '-keyout',
        clientKey,
        '-out',
        clientCert,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    const mutual = await startVault(['--listen', '127.0.0.1:0', '--vault', join(dir, 'mutual.json'), '--cert', cert, '--key', key, '--ca', clientCert]);
    try {
      const anonymous = await run('curl', ['--cacert', cert, '-sS', '--data', '{}', `${mutual.url}/summary`]);
      assert.notEqual(anonymous.code, 0);
      assert.match(anonymous.stderr, /certificate required/);
      const known = await run('curl', ['--cacert', cert, '--cert', clientCert, '--key', clientKey, '-sS', '--data', '{}', `${mutual.url}/summary`]);
      assert.equal((JSON.parse(known.stdout) as RoAnswer).Status, 'Vault is not created yet');
    } finally {
      assert.equal(await stopProcess(mutual.child, 'SIGINT'), 0);
    }
  });

  it('refuses to start without a readable certificate (exit 2) or on a port in use', () => {
    const missing = runCli(['vault', '--cert', join(dir, 'nope.pem'), '--key', key, '--vault', join(dir, 'other.json')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /vault: --cert \S+nope\.pem: cannot read it \(no such file\)/);
    assert.equal(runCli(['vault', '--key', key]).status, 2);
    const swapped = runCli(['vault', '--cert', key, '--key', cert, '--vault', join(dir, 'other.json')]);
    assert.equal(swapped.status, 2);
    assert.match(swapped.stderr, /not a usable certificate and key/);
    assert.match(runCli(['vault', '--listen', '127.0.0.1', '--cert', cert, '--key', key]).stderr, /--listen "127\.0\.0\.1": write it as ADDRESS:PORT/);
    const busy = runCli(['vault', '--listen', base.replace('https://', ''), '--cert', cert, '--key', key, '--vault', join(dir, 'other.json')]);
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, /the address is in use/);
  });
});
