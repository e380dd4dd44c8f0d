// The vault's HTTPS server (startVaultHttps, the one `signalbox vault` runs) in this process, over a
// vault with a low KDF cost (tests only), with a throwaway openssl certificate, a logger that keeps
// its lines, and a client (node:https) that posts Red October's JSON bodies.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { Logger } from '../../../../engine/api/engine.ts';
import { startVaultHttps, type VaultHttps, type VaultHttpsOptions } from '../../../../engine/vault/http/server.ts';
import { Vault, type VaultOptions } from '../../../../engine/vault/vault.ts';
import { tempDir } from '../../../helpers/host.ts';

export type RoAnswer = { Status: string; Code?: string; Detail?: string; Response?: string } & Record<string, unknown>;

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

export const pw = (name: string) => `${name}-password-1`;
export const as = (name: string) => ({ Name: name, Password: pw(name) });
export const admin = { AdminName: 'admin', AdminPassword: pw('admin') };

/** A self-signed P-256 certificate for 127.0.0.1, made by openssl. */
export function makeCertificate(dir: string): { cert: Buffer; key: Buffer } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
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
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

export interface HttpsVault {
  vault: Vault;
  https: VaultHttps;
  lines: LogLine[];
  /** POSTs `body` (JSON unless a Buffer) to `path`, from `from` (a loopback address); the HTTP status and the parsed answer. */
  post(path: string, body: unknown, from?: string): Promise<{ http: number; answer: RoAnswer }>;
  /** The answer of a call that must succeed. */
  ok(path: string, body: unknown, from?: string): Promise<RoAnswer>;
  close(): Promise<void>;
}

/** Options of startVaultHttps beyond the vault, address, certificate and log, which this sets. */
export type ServerOptions = Partial<Omit<VaultHttpsOptions, 'vault' | 'host' | 'port' | 'cert' | 'key' | 'log'>>;

/** `dir`: the folder of the vault file (and certificate), to open the same vault again after a close. */
export async function startHttpsVault(
  prefix: string,
  options: ServerOptions = {},
  { dir = tempDir(prefix), ...vaultOptions }: Partial<Pick<VaultOptions, 'guard' | 'registration' | 'pendingTtlMs' | 'persist'>> & { dir?: string } = {},
): Promise<HttpsVault> {
  const { cert, key } = makeCertificate(dir);
  const vault = await Vault.open({
    vaultPath: join(dir, 'vault.json'),
    auditPath: join(dir, 'audit.log'),
    kdfCost: { N: 2 ** 10, r: 8, p: 1 },
    kdf: { minimumN: 2 ** 10 },
    ...vaultOptions,
  });
  const lines: LogLine[] = [];
  const log: Logger = {
    debug: (msg, fields = {}) => void lines.push({ level: 'debug', msg, fields }),
    info: (msg, fields = {}) => void lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields = {}) => void lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields = {}) => void lines.push({ level: 'error', msg, fields }),
    child: () => log,
  };
  const https = await startVaultHttps({ vault, host: '127.0.0.1', port: 0, cert, key, log, ...options });
  const post = (path: string, body: unknown, from = '127.0.0.1') =>
    new Promise<{ http: number; answer: RoAnswer }>((resolve, reject) => {
      const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      const req = request(
        `${https.url.replace(/\/$/, '')}${path}`,
        { method: 'POST', ca: cert, localAddress: from, agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            try {
              resolve({ http: res.statusCode ?? 0, answer: JSON.parse(Buffer.concat(chunks).toString('utf8')) as RoAnswer });
            } catch (err) {
              reject(err as Error);
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const ok = async (path: string, body: unknown, from?: string) => {
    const { http, answer } = await post(path, body, from);
    assert.equal(http, 200, path);
    assert.equal(answer.Status, 'ok', `${path}: ${JSON.stringify(answer).slice(0, 300)}`);
    return answer;
  };
  return {
    vault,
    https,
    lines,
    post,
    ok,
    close: async () => {
      await https.close();
      await vault.close();
    },
  };
}
