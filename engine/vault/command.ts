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
  const { values, tokens } = parseArgs({
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
      rename: { type: 'string', multiple: true },
      admin: { type: 'string' },
    },
    strict: true,
    tokens: true,
  });
  const { section, dataDir, log } = await host.readConfig(values.config);
  const config = vaultConfig.parse(section);
  const vaultPath = values.vault ?? config.file ?? join(dataDir, 'vault.json');
  const auditPath = values.audit ?? config.auditFile ?? `${vaultPath}.audit.log`;
  if (values['import-redoctober']) return importRedOctober(importFiles(tokens, host), values.admin, vaultPath, auditPath, host);
  if (values.rename) throw host.usageError('vault --rename OLD=NEW goes after the --import-redoctober FILE whose account it renames');
  const { host: address, port } = listenAddress(values.listen ?? '127.0.0.1:8080', host);
  if (values.cert === undefined || values.key === undefined) {
    throw host.usageError(
      "vault: --cert and --key are required (PEM files of the server's certificate and private key): Red October's API is served over HTTPS only",
    );
  }
  const cert = host.readFile(values.cert, '--cert', "give the PEM file of the server's certificate");
  const key = host.readFile(values.key, '--key', "give the PEM file of the server's private key");
  const ca = values.ca === undefined ? undefined : host.readFile(values.ca, '--ca', "give the PEM file of the server's CA certificate");
  try {
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch (err) {
    throw host.usageError(
      `vault: --cert ${values.cert} / --key ${values.key}${ca ? ` / --ca ${values.ca}` : ''}: not a usable certificate and key (${err instanceof Error ? err.message : String(err)}); give PEM files, the key matching the certificate`,
    );
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
  if (!isLoopback(address))
    log.warn('listening beyond loopback: anyone who reaches this address may try passwords (rate-limited per address); consider --ca', { host: address });
  log.info('vault open', { users: status.users, vaultId: status.vaultId, file: vaultPath, persist: status.persist.state });
  if (status.persist.error) log.error('the stored delegations are unusable', { error: status.persist.error });
  // Handlers first: whoever reads the URL may signal at once.
  host.stopOnSignals(log, 'shutting down; delegations are purged', () => https.close().then(() => opened.close()));
  process.stdout.write(`Signalbox vault (Red October API): ${https.url}\n`);
}

/** `--import-redoctober FILE [--rename OLD=NEW]...`, in command-line order: a rename belongs to the file before it. */
function importFiles(tokens: NonNullable<ReturnType<typeof parseArgs>['tokens']>, host: CommandHost): { file: string; renames: Record<string, string> }[] {
  const files: { file: string; renames: Map<string, string> }[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    if (token.name === 'import-redoctober') files.push({ file: token.value, renames: new Map() });
    if (token.name !== 'rename') continue;
    const current = files.at(-1);
    const [from, to, ...rest] = token.value.split('=');
    if (!current) throw host.usageError(`vault --rename ${token.value}: put it after the --import-redoctober FILE whose account it renames`);
    if (!from || !to || rest.length > 0) throw host.usageError(`vault --rename ${token.value}: write it as OLD=NEW, e.g. --rename bob=bob-ops`);
    if (current.renames.has(from)) throw host.usageError(`vault --rename ${token.value}: ${from} of ${current.file} is renamed twice`);
    current.renames.set(from, to);
  }
  // fromEntries defines each key, so a Red October name such as "__proto__" stays a key.
  return files.map(({ file, renames }) => ({ file, renames: Object.fromEntries(renames) }));
}

/**
 * The same import as the Vault page's, by an admin whose password is read from the environment
 * (never the command line, which `ps` shows). All the files go in at once or none does: a clash
 * or a rename that cannot apply changes nothing.
 */
async function importRedOctober(
  files: { file: string; renames: Record<string, string> }[],
  admin: string | undefined,
  vaultPath: string,
  auditPath: string,
  host: CommandHost,
): Promise<void> {
  const password = process.env.SIGNALBOX_VAULT_ADMIN_PASSWORD;
  if (admin === undefined || !password)
    throw host.usageError("vault --import-redoctober: give --admin NAME and the admin's password in SIGNALBOX_VAULT_ADMIN_PASSWORD");
  const texts = files.map(({ file, renames }) => {
    try {
      const text = readFileSync(file, 'utf8');
      readRedOctoberVault(text);
      return { text, renames };
    } catch (err) {
      throw host.usageError(`vault --import-redoctober ${file}: not a readable Red October vault file (${err instanceof Error ? err.message : String(err)})`);
    }
  });
  const opened = await Vault.open({ vaultPath, auditPath });
  try {
    const plan = await opened.accounts.importRedOctober({ name: admin, password }, 'command line', texts).catch((err: Error & { code?: string }) => {
      throw new Error(`vault --import-redoctober: ${err.message}${err.code ? ` [${err.code}]` : ''}`);
    });
    plan.files.forEach(({ vaultId, accounts }, index) => {
      const named = (account: { name: string; as: string }) => (account.as === account.name ? account.name : `${account.name} as ${account.as}`);
      const imported = accounts.filter((account) => account.outcome === 'new').map(named);
      const skipped = accounts.filter((account) => account.outcome !== 'new').map((account) => `${named(account)} (${account.reason})`);
      process.stdout.write(
        `${files[index]!.file}: Red October vault ${vaultId}: imported ${imported.join(', ') || 'nobody'}${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}\n`,
      );
    });
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
