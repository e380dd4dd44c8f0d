// The vault's costs, measured (not a timed test): what one password check costs at the KDF
// parameters we store (against Red October's), how long a decryption takes once owners have
// delegated, and encrypt/decrypt throughput for 1 MiB payloads, with node:crypto's native
// AES-256-GCM on the same bytes in the same run as the reference. Writes the vault section of
// test/bench/RESULTS.md.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decryptPayload, encryptPayload, type Access } from '../../engine/vault/crypto/envelope.ts';
import { deriveKeys, kdfDefaults, newKdfParams, type ScryptCost } from '../../engine/vault/crypto/kdf.ts';
import { generateUserKey, type KeyType, type UserKeyPair } from '../../engine/vault/crypto/keys.ts';
import { Vault } from '../../engine/vault/vault.ts';
import { tempDir } from '../helpers/host.ts';
import { writeSection } from './results-file.ts';

const resultsFile = fileURLToPath(new URL('RESULTS.md', import.meta.url));
const vaultId = 'bench-vault';

async function timeIt(runs: number, work: () => Promise<unknown> | unknown): Promise<{ median: number; min: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]! };
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 0);

async function kdfRows(): Promise<string[]> {
  const rows: string[] = [];
  const costs: [string, ScryptCost, number][] = [
    ['Red October (N=2^14, r=8, p=1, 16-byte output)', { N: 2 ** 14, r: 8, p: 1 }, 2 ** 14],
    ['ours, floor for stored records (N=2^15)', { N: 2 ** 15, r: 8, p: 1 }, 2 ** 15],
    ['ours, default for new passwords (N=2^17, r=8, p=1)', kdfDefaults, 2 ** 17],
  ];
  for (const [label, cost, minimumN] of costs) {
    const params = newKdfParams(cost, { minimumN });
    const { median, min } = await timeIt(5, () => deriveKeys('correct horse battery staple', params, { minimumN }));
    rows.push(`| ${label} | ${((128 * cost.N * cost.r) / 2 ** 20).toFixed(0)} MiB | ${ms(median)} | ${ms(min)} | ${(1000 / median).toFixed(1)} |`);
  }
  return rows;
}

async function users(types: Record<string, KeyType>): Promise<Map<string, UserKeyPair>> {
  return new Map(await Promise.all(Object.entries(types).map(async ([name, type]) => [name, await generateUserKey(type)] as const)));
}

function envelope(owners: Map<string, UserKeyPair>, access: Access, plaintext: Uint8Array): string {
  const signer = [...owners.entries()][0]!;
  return encryptPayload({
    vaultId,
    access,
    plaintext,
    owners,
    signer: { name: signer[0], type: signer[1].type, privateKey: signer[1].privateKey },
    now: new Date(),
  });
}

function decryptWith(owners: Map<string, UserKeyPair>, ciphertext: string, use: string[]): Uint8Array {
  return decryptPayload(ciphertext, {
    vaultId,
    publicKeyOf: (name) => owners.get(name) && { type: owners.get(name)!.type, publicKey: owners.get(name)!.publicKey },
    privateKeyOf: (name) => owners.get(name) && { type: owners.get(name)!.type, privateKey: owners.get(name)!.privateKey },
    use,
  });
}

/** The crypto of a decryption with delegated keys: verify, unwrap owner keys, recover, open. */
async function latencyRows(): Promise<string[]> {
  const rows: string[] = [];
  const cases: [string, Record<string, KeyType>, Access][] = [
    ['2 of 2, ECC owners', { a: 'ECC', b: 'ECC' }, { kind: 'owners', owners: ['a', 'b'], minimum: 2 }],
    ['2 of 2, RSA-3072 owners', { a: 'RSA', b: 'RSA' }, { kind: 'owners', owners: ['a', 'b'], minimum: 2 }],
    ['3 of 5, ECC owners', { a: 'ECC', b: 'ECC', c: 'ECC', d: 'ECC', e: 'ECC' }, { kind: 'owners', owners: ['a', 'b', 'c', 'd', 'e'], minimum: 3 }],
    ['predicate a & (b | c), ECC', { a: 'ECC', b: 'ECC', c: 'ECC' }, { kind: 'predicate', predicate: 'a & (b | c)' }],
  ];
  const small = new TextEncoder().encode('a secret of a few bytes');
  for (const [label, types, access] of cases) {
    const owners = await users(types);
    const ciphertext = envelope(owners, access, small);
    const use = [...owners.keys()];
    const encrypt = await timeIt(30, () => envelope(owners, access, small));
    const decrypt = await timeIt(30, () => decryptWith(owners, ciphertext, use));
    rows.push(`| ${label.replaceAll('|', '\\|')} | ${ms(encrypt.median)} | ${ms(decrypt.median)} |`);
  }
  return rows;
}

/** A whole vault.decrypt call: the requester's password check (KDF) plus the decryption. */
async function serviceRow(): Promise<string> {
  const dir = tempDir('vault-bench');
  const vault = await Vault.open({ vaultPath: join(dir, 'vault.json'), auditPath: join(dir, 'audit.log') });
  try {
    const pw = 'bench-password-1';
    await vault.accounts.create('admin', pw, 'ECC');
    for (const name of ['alice', 'bob']) await vault.accounts.createUser({ name: 'admin', password: pw }, 'bench', name, pw, 'ECC');
    const { ciphertext } = await vault.encrypt({ name: 'admin', password: pw }, 'bench', {
      data: Buffer.from('secret').toString('base64'),
      access: { kind: 'owners', owners: ['alice', 'bob'], minimum: 2 },
      labels: [],
      usages: [],
    });
    for (const name of ['alice', 'bob'])
      await vault.delegate({ name, password: pw }, 'bench', { seconds: 600, uses: 100, users: ['admin'], anyone: false, labels: [] });
    const { median } = await timeIt(5, () => vault.decrypt({ name: 'admin', password: pw }, 'bench', ciphertext, null));
    return `| vault.decrypt, 2 of 2 ECC, delegations live (password check at N=2^17 included) | — | ${ms(median)} |`;
  } finally {
    await vault.close();
  }
}

async function throughputRows(): Promise<string[]> {
  const payload = randomBytes(1024 * 1024);
  const owners = await users({ a: 'ECC', b: 'ECC' });
  const access: Access = { kind: 'owners', owners: ['a', 'b'], minimum: 2 };
  const ciphertext = envelope(owners, access, payload);
  const ours = {
    encrypt: await timeIt(10, () => envelope(owners, access, payload)),
    decrypt: await timeIt(10, () => decryptWith(owners, ciphertext, ['a', 'b'])),
  };
  const key = randomBytes(32);
  const iv = randomBytes(12);
  let sealed = Buffer.alloc(0);
  let tag = Buffer.alloc(0);
  const gcm = {
    encrypt: await timeIt(10, () => {
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      sealed = Buffer.concat([cipher.update(payload), cipher.final()]);
      tag = cipher.getAuthTag();
    }),
    decrypt: await timeIt(10, () => {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed), decipher.final()]);
    }),
  };
  const mbps = (t: { median: number }) => (1000 / t.median).toFixed(1);
  return [
    `| signalbox envelope (XChaCha20-Poly1305 in JS, @noble; base64url JSON; 2 ECC owners) | ${ms(ours.encrypt.median)} | ${mbps(ours.encrypt)} | ${ms(ours.decrypt.median)} | ${mbps(ours.decrypt)} |`,
    `| node:crypto AES-256-GCM (native OpenSSL), same bytes, no envelope | ${ms(gcm.encrypt.median)} | ${mbps(gcm.encrypt)} | ${ms(gcm.decrypt.median)} | ${mbps(gcm.decrypt)} |`,
    `| ratio ours / native | ${(ours.encrypt.median / gcm.encrypt.median).toFixed(1)}x | | ${(ours.decrypt.median / gcm.decrypt.median).toFixed(1)}x | |`,
  ];
}

const started = new Date();
const load = loadavg()[0]!.toFixed(2);
console.log('vault bench: KDF...');
const kdf = await kdfRows();
console.log('vault bench: decrypt latency...');
const latency = await latencyRows();
const service = await serviceRow();
console.log('vault bench: 1 MiB throughput...');
const throughput = await throughputRows();
const section = `## Vault (\`npm run bench:vault\`, test/bench/vault.bench.ts)

Run: ${started.toString()}; ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}, load average at start ${load}.
Medians of 5 (KDF, service), 30 (latency) or 10 (throughput) runs, one process, nothing else pinned.

### Password check (one login)

| parameters | scrypt memory | median ms | min ms | logins/s per core |
|---|--:|--:|--:|--:|
${kdf.join('\n')}

At most 2 derivations run at once (the vault's KDF gate), so a burst of logins queues instead of
taking 128 MiB each.

### Decryption with live delegations (crypto only: verify, unwrap, recover, open)

| case | encrypt ms | decrypt ms |
|---|--:|--:|
${latency.join('\n')}
${service}

### 1 MiB payloads

| implementation | encrypt ms | MiB/s | decrypt ms | MiB/s |
|---|--:|--:|--:|--:|
${throughput.join('\n')}
`;
writeSection(resultsFile, 'vault', section);
console.log(section);
