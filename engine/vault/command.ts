// `signalbox vault`: the vault alone, serving Red October's JSON API over HTTPS; and
// `signalbox vault --import-redoctober FILE...`, which adds Red October accounts and exits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import type { CommandHost } from '../api/definition.ts';
import { vaultConfig } from '../api/vault.ts';
import { persistOptions, registrationOptions } from './engine.ts';
import { startVaultHttps } from './http/server.ts';
import { readRedOctoberVault } from './redoctober/vault-file.ts';
import { Vault } from './vault.ts';

export async function vaultCommand(args: string[], host: CommandHost): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      listen: { type: 'string' },
      vault: { type: 'string' },
      audit: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      'import-redoctober': { type: 'string', multiple: true },
      admin: { type: 'string' },
    },
    strict: true,
  });
  const { section, dataDir, log } = await host.readConfig(values.config);
  const config = vaultConfig.parse(section);
  const vaultPath = values.vault ?? config.file ?? join(dataDir, 'vault.json');
  const auditPath = values.audit ?? config.auditFile ?? `${vaultPath}.audit.log`;
  if (values['import-redoctober']) return importRedOctober(values['import-redoctober'], values.admin, vaultPath, auditPath, host);
  const { host: address, port } = listenAddress(values.listen ?? '127.0.0.1:8080', host);
  if (values.cert === undefined || values.key === undefined) {
    throw host.usageError('vault: --cert and --key are required (PEM files of the server\'s certificate and private key): Red October\'s API is served over HTTPS only');
  }
  const cert = host.readFile(values.cert, '--cert', "give the PEM file of the server's certificate");
  const key = host.readFile(values.key, '--key', "give the PEM file of the server's private key");
  const ca = values.ca === undefined ? undefined : host.readFile(values.ca, '--ca', "give the PEM file of the server's CA certificate");
  try {
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch (err) {
    throw host.usageError(`vault: --cert ${values.cert} / --key ${values.key}${ca ? ` / --ca ${values.ca}` : ''}: not a usable certificate and key (${err instanceof Error ? err.message : String(err)}); give PEM files, the key matching the certificate`);
  }
  const opened = await Vault.open({ vaultPath, auditPath, ...registrationOptions(config), ...persistOptions(config, vaultPath) });
  const status = opened.status();
  if (!status.audit.ok) log.error('the vault audit log chain is broken', { brokenAt: status.audit.brokenAt, reason: status.audit.reason });
  let https: Awaited<ReturnType<typeof startVaultHttps>>;
  try {
    https = await startVaultHttps({ vault: opened, host: address, port, cert, key, ...(ca ? { ca } : {}), log: log.child('http') });
  } catch (err) {
    await opened.close();
    throw err;
  }
  if (!isLoopback(address)) log.warn('listening beyond loopback: anyone who reaches this address may try passwords (rate-limited per address); consider --ca', { host: address });
  log.info('vault open', { users: status.users, vaultId: status.vaultId, file: vaultPath, persist: status.persist.state });
  if (status.persist.error) log.error('the stored delegations are unusable', { error: status.persist.error });
  // Handlers first: whoever reads the URL may signal at once.
  host.stopOnSignals(log, 'shutting down; delegations are purged', () => https.close().then(() => opened.close()));
  process.stdout.write(`Signalbox vault (Red October API): ${https.url}\n`);
}

/**
 * The same import as the Vault page's, by an admin whose password is read from the environment
 * (never the command line, which `ps` shows). Every file is read and checked to be of one Red
 * October vault before any is imported.
 */
async function importRedOctober(files: string[], admin: string | undefined, vaultPath: string, auditPath: string, host: CommandHost): Promise<void> {
  const password = process.env.SIGNALBOX_VAULT_ADMIN_PASSWORD;
  if (admin === undefined || !password) throw host.usageError("vault --import-redoctober: give --admin NAME and the admin's password in SIGNALBOX_VAULT_ADMIN_PASSWORD");
  const texts = files.map((file) => {
    try {
      const text = readFileSync(file, 'utf8');
      return { file, text, vaultId: readRedOctoberVault(text).vaultId };
    } catch (err) {
      throw host.usageError(`vault --import-redoctober ${file}: not a readable Red October vault file (${err instanceof Error ? err.message : String(err)})`);
    }
  });
  const ids = [...new Set(texts.map((t) => t.vaultId))];
  if (ids.length > 1) throw host.usageError(`vault --import-redoctober: the files come from ${ids.length} Red October vaults (ids ${ids.join(', ')}); one vault imports one Red October vault's accounts (its HMAC key verifies their ciphertexts), so nothing was imported`);
  const opened = await Vault.open({ vaultPath, auditPath });
  try {
    for (const { file, text } of texts) {
      const result = await opened.accounts.importRedOctober({ name: admin, password }, 'command line', text).catch((err: Error & { code?: string }) => {
        throw new Error(`vault --import-redoctober ${file}: ${err.message}${err.code ? ` [${err.code}]` : ''}`);
      });
      process.stdout.write(`${file}: imported ${result.imported.join(', ') || 'nobody'}${result.skipped.length ? `; skipped ${result.skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}` : ''}\n`);
    }
  } finally {
    await opened.close();
  }
}

/** ADDR:PORT ([v6]:PORT for IPv6). */
function listenAddress(text: string, host: CommandHost): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw host.usageError(`vault: --listen "${text}": write it as ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080`);
  return { host: match[1] ?? match[2]!, port };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
