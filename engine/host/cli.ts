// The `signalbox` command line. Each subcommand validates its options and config before it starts
// anything; errors go to stderr with a code and exit non-zero.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import type { Config } from './config.ts';
import { createLogger } from './log.ts';
import { defaultDataDir, packageVersion, rendererDir } from './paths.ts';

const usage = `Usage: signalbox <command> [options]

Commands:
  serve   [--config FILE] [--host 127.0.0.1] [--port 8787] [--data-dir DIR]
          [--cert F --key F | --tls-self-signed]
          run every engine and serve the console (operators sign in); with no operator yet it prints a
          one-time setup link for the first admin; beyond loopback it requires TLS; without --config
          it reads DIR/signalbox.yaml when that exists
  operators add NAME --role viewer|operator|approver|admin    (the password from stdin or a prompt)
  operators list | set-role NAME --role ROLE | remove NAME | reset-password NAME
  operators token-add NAME --role ROLE --scope metrics|api    prints a new API token, once
  operators token-list | token-revoke NAME
          who may sign in to the console of the data folder (--data-dir DIR, or as serve finds it)
  dns     [--config FILE] [--listen ADDR:PORT ...] [--upstream ADDR:PORT ...]
          run the DNS proxy alone (default upstreams: the nameservers of /etc/resolv.conf);
          SIGHUP re-reads --config and upgrades the engine's processes in place, no query dropped
  railgun listener --listen ADDR:PORT --origin URL [--cert F --key F] [--token-file F] [--config FILE]
          the origin's end of the Railgun link (HTTP/2 over TLS); without --cert a certificate is
          generated and its pin printed; without --token-file one is made in the data folder
  railgun sender --listen ADDR:PORT --link URL (--ca F | --pin sha256/...) --token-file F [--config FILE]
          the edge's end: serves HTTP clients at --listen, over the link to the listener at --link
  vault   --cert CERT.pem --key KEY.pem [--listen 127.0.0.1:8080] [--vault FILE] [--audit FILE]
          [--ca CA.pem] [--config FILE]
          run the vault alone and serve Red October's JSON API over HTTPS (TLS 1.2+);
          --ca requires client certificates signed by that CA
  vault   --import-redoctober FILE... --admin NAME [--vault FILE] [--audit FILE] [--config FILE]
          add the accounts of Red October vault files (one Red October vault), then exit; the
          admin's password comes from SIGNALBOX_VAULT_ADMIN_PASSWORD; a clashing name imports nothing
  bundle  CERT... [--flavor ubiquitous|optimal|force] [--at ISO] [--json] [--trust DIR|current|cfssl-2017]
          [--domain NAME] [--password PW] [--include-root] [--key FILE] [--leaf N] [--allow-sha1]
          the chain to serve for a certificate (PEM, DER, PKCS#7, PKCS#12; - reads stdin): prints the
          PEM bundle (cfssl's JSON report with --json), the ranked chains on stderr; exit 1: no valid chain.
          --leaf N: the N-th certificate read from the files (1-based) is the leaf; --allow-sha1: build a
          chain with SHA-1 signatures below the root, for legacy clients (browsers refuse it)
  queries [--data-dir DIR] [--since 1h] [--name SUBSTR] [--client IP] [--type A] [--rcode NXDOMAIN] [--limit 1000] [--format csv|json]
          the DNS query history a host keeps in its data folder (history.duckdb), newest first, with the
          answers (json: JSON lines); read through the running host, else from the file

Options:
  --help      show this help
  --version   print the version`;

class UsageError extends Error {}

/**
 * Each command loads only what it uses (config and zod, the servers, an engine), so that a
 * short-lived command such as `signalbox bundle` starts fast.
 */
async function readConfig(file: string | undefined): Promise<Config> {
  const { defaultConfig, loadConfig } = await import('./config.ts');
  return file ? loadConfig(file) : defaultConfig();
}

/** `DIR/signalbox.yaml` when that file exists. */
function dataFolderConfig(dir: string): string | undefined {
  const file = join(dir, 'signalbox.yaml');
  return existsSync(file) ? file : undefined;
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'tls-self-signed': { type: 'boolean', default: false },
    },
    strict: true,
  });
  // Without --config, the data folder's signalbox.yaml when there is one (as the desktop app
  // does): the console tells operators to turn engines on there.
  const configFile = values.config ?? dataFolderConfig(values['data-dir'] ?? defaultDataDir());
  const config = await readConfig(configFile);
  const dataDir = values['data-dir'] ?? config.dataDir ?? defaultDataDir();
  const host = values.host ?? config.serve.host;
  const tls = await consoleTls(values.cert ?? config.serve.cert, values.key ?? config.serve.key, values['tls-self-signed'], dataDir, [host, ...config.serve.names]);
  const port = values.port === undefined ? config.serve.port : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: "${values.port}" is not a port number (0-65535; 0 picks a free one)`);
  }
  const log = createLogger({ engine: 'host', level: config.log.level });
  const { startServe } = await import('./serve.ts');
  const served = await startServe({
    config,
    host,
    port,
    dataDir,
    rendererDir: rendererDir(),
    version: packageVersion(),
    log,
    names: config.serve.names,
    sessionLimits: { idleTimeoutMs: config.serve.sessions.idleTimeoutMinutes * 60_000, absoluteLifetimeMs: config.serve.sessions.lifetimeHours * 3600_000 },
    ...(tls ? { tls } : {}),
  });
  log.info(configFile ? 'config read' : 'no config file: built-in defaults', { file: configFile ?? null });
  if (tls?.fingerprint) process.stdout.write(`Signalbox console certificate (self-signed, in ${dataDir}): SHA-256 fingerprint ${tls.fingerprint}\n`);
  process.stdout.write(`Signalbox console: ${served.url}\n`);
  if (served.setupUrl) process.stdout.write(`Signalbox setup: no operator yet; open this link once within 15 minutes to create the first admin: ${served.setupUrl}\n`);

  stopOnSignals(log, 'shutting down', () => served.close());
  // SIGHUP upgrades the DNS engine in place from the code on disk (the console's Upgrade button).
  process.on('SIGHUP', () => {
    if (!served.host.supervisor.has('dns')) return log.warn('SIGHUP: the DNS engine is not enabled; nothing to upgrade');
    served.host.supervisor.upgrade('dns').then(
      (upgrade) => log.info('dns upgrade finished', { phase: upgrade.phase, message: upgrade.message }),
      (err: Error) => log.error('dns upgrade not started', { error: err.message }),
    );
  });
}

/**
 * The console's TLS material: the given PEM files, or a self-signed certificate kept in the data
 * folder (so its fingerprint stays the same across restarts), whose fingerprint is printed.
 */
async function consoleTls(cert: string | undefined, key: string | undefined, selfSigned: boolean, dataDir: string, names: string[]) {
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('serve: --cert and --key go together (PEM files of the certificate and its private key)');
  if (cert !== undefined && key !== undefined) {
    const material = { cert: readPem(cert, '--cert', 'certificate', 'serve'), key: readPem(key, '--key', 'private key', 'serve') };
    try {
      createSecureContext(material);
    } catch (err) {
      throw new UsageError(`serve: --cert ${cert} / --key ${key}: not a usable certificate and key (${err instanceof Error ? err.message : String(err)})`);
    }
    return { ...material, fingerprint: undefined };
  }
  if (!selfSigned) return undefined;
  const { existsSync, mkdirSync } = await import('node:fs');
  const { X509Certificate } = await import('node:crypto');
  const certFile = join(dataDir, 'console-cert.pem');
  const keyFile = join(dataDir, 'console-key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const { generateCertificate } = await import('../railgun/tls.ts');
    const { writeFileAtomic } = await import('../vault/storage/atomic-file.ts');
    const wildcard = new Set(['0.0.0.0', '::']);
    const generated = await generateCertificate([...new Set(['localhost', '127.0.0.1', ...names.filter((name) => !wildcard.has(name))])]);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(keyFile, generated.key);
    await writeFileAtomic(certFile, generated.cert);
  }
  const material = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  return { ...material, fingerprint: new X509Certificate(material.cert).fingerprint256 };
}

async function operators(args: string[]): Promise<void> {
  const { operatorsCommand } = await import('./operators/cli.ts');
  await operatorsCommand(args, async (file) => (await readConfig(file)).dataDir ?? defaultDataDir());
}

async function dns(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      listen: { type: 'string', multiple: true },
      upstream: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const load = () => dnsSection(values);
  const { config, section } = await load();
  const log = createLogger({ engine: 'dns', level: config.log.level });
  // The engine runs in worker processes of its own (`workers`), on sockets this process shares
  // with them, so that SIGHUP can replace them without dropping a query.
  const { Supervisor } = await import('./supervisor.ts');
  const supervisor = new Supervisor({ engines: [{ name: 'dns', config: section }], dataDir: config.dataDir ?? defaultDataDir(), log: log.child('supervisor') });
  await supervisor.start();
  const state = supervisor.snapshot().engines[0]!;
  if (state.status !== 'running') {
    await supervisor.stop();
    const failure = state.lastError;
    throw new Error(failure ? `dns: the DNS engine cannot start: ${failure.message} [${failure.code}] — ${failure.hint}` : 'dns: the DNS engine did not start; its reason is logged above');
  }
  stopOnSignals(log, 'shutting down', () => supervisor.stop());
  // SIGHUP reads the config file again and upgrades in place: new processes from the code on disk,
  // with the new config, take over the sockets; a bad file changes nothing.
  process.on('SIGHUP', () => {
    void (async () => {
      try {
        supervisor.setConfig('dns', (await load()).section);
      } catch (err) {
        log.error('config not reloaded; the old one still runs', { error: err instanceof Error ? err.message : String(err) });
        return;
      }
      try {
        const upgrade = await supervisor.upgrade('dns');
        log.info('dns reloaded by an upgrade', { phase: upgrade.phase, message: upgrade.message });
      } catch (err) {
        log.error('dns not upgraded; the old processes still run', { error: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
}

async function railgun(args: string[]): Promise<void> {
  const [role, ...rest] = args;
  if (role !== 'listener' && role !== 'sender') throw new UsageError('railgun: say which end: signalbox railgun listener ... or signalbox railgun sender ...');
  const { values } = parseArgs({
    args: rest,
    options: {
      config: { type: 'string' },
      listen: { type: 'string' },
      origin: { type: 'string' },
      link: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      pin: { type: 'string' },
      'token-file': { type: 'string' },
    },
    strict: true,
  });
  const required = role === 'listener' ? (['listen', 'origin'] as const) : (['listen', 'link'] as const);
  for (const flag of required) if (values[flag] === undefined) throw new UsageError(`railgun ${role}: --${flag} is required`);
  const config = await readConfig(values.config);
  const { railgunConfig } = await import('../api/railgun.ts');
  const flags = { listen: role === 'listener' ? 'linkListen' : 'listen', origin: 'origin', link: 'link', cert: 'cert', key: 'key', ca: 'ca', pin: 'pin', 'token-file': 'tokenFile' } as const;
  const section: Record<string, unknown> = { ...config.engines.railgun, enabled: true, running: true, role };
  for (const [flag, key] of Object.entries(flags)) if (values[flag as keyof typeof flags] !== undefined) section[key] = values[flag as keyof typeof flags];
  const checked = railgunConfig.safeParse(section);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const flag = Object.entries(flags).find(([, key]) => key === issue.path[0])?.[0];
    throw new UsageError(`railgun ${role}: ${flag ? `--${flag} "${String(section[issue.path[0] as string])}"` : `engines.railgun.${issue.path.join('.')}`}: ${issue.message}`);
  }
  const log = createLogger({ engine: 'railgun', level: config.log.level });
  // Loaded here, not at the top, so the other commands do not load the Railgun ends.
  const { startEnds } = await import('../railgun/ends.ts');
  const { SavingsBook } = await import('../railgun/savings.ts');
  const book = new SavingsBook();
  const ends = await startEnds(checked.data, book, config.dataDir ?? defaultDataDir(), log);
  if (ends.listener) process.stdout.write(`Signalbox railgun listener: link at https://${ends.listener.address} (senders pin ${ends.pin}), origin ${checked.data.origin}\n`);
  if (ends.sender) process.stdout.write(`Signalbox railgun sender: http://${ends.sender.address} over the link to ${checked.data.link}\n`);
  stopOnSignals(log, 'shutting down', async () => {
    await ends.stop();
    book.close();
  });
}

async function vault(args: string[]): Promise<void> {
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
  const config = await readConfig(values.config);
  const vaultPath = values.vault ?? config.engines.vault.file ?? join(config.dataDir ?? defaultDataDir(), 'vault.json');
  const auditPath = values.audit ?? config.engines.vault.auditFile ?? `${vaultPath}.audit.log`;
  if (values['import-redoctober']) return importRedOctober(values['import-redoctober'], values.admin, vaultPath, auditPath);
  const { host, port } = listenAddress(values.listen ?? '127.0.0.1:8080');
  if (values.cert === undefined || values.key === undefined) {
    throw new UsageError('vault: --cert and --key are required (PEM files of the server\'s certificate and private key): Red October\'s API is served over HTTPS only');
  }
  const cert = readPem(values.cert, '--cert', 'certificate');
  const key = readPem(values.key, '--key', 'private key');
  const ca = values.ca === undefined ? undefined : readPem(values.ca, '--ca', 'CA certificate');
  try {
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch (err) {
    throw new UsageError(`vault: --cert ${values.cert} / --key ${values.key}${ca ? ` / --ca ${values.ca}` : ''}: not a usable certificate and key (${err instanceof Error ? err.message : String(err)}); give PEM files, the key matching the certificate`);
  }
  const log = createLogger({ engine: 'vault', level: config.log.level });
  // Loaded here, not at the top, so `serve` and `dns` do not load the vault into their process.
  const { Vault } = await import('../vault/vault.ts');
  const { startVaultHttps } = await import('../vault/http/server.ts');
  const { registrationOptions } = await import('../vault/engine.ts');
  const opened = await Vault.open({ vaultPath, auditPath, ...registrationOptions(config.engines.vault) });
  const status = opened.status();
  if (!status.audit.ok) log.error('the vault audit log chain is broken', { brokenAt: status.audit.brokenAt, reason: status.audit.reason });
  let https: Awaited<ReturnType<typeof startVaultHttps>>;
  try {
    https = await startVaultHttps({ vault: opened, host, port, cert, key, ...(ca ? { ca } : {}), log: log.child('http') });
  } catch (err) {
    await opened.close();
    throw err;
  }
  if (!isLoopback(host)) log.warn('listening beyond loopback: anyone who reaches this address may try passwords (rate-limited per address); consider --ca', { host });
  log.info('vault open', { users: status.users, vaultId: status.vaultId, file: vaultPath });
  // Handlers first: whoever reads the URL may signal at once.
  stopOnSignals(log, 'shutting down; delegations are purged', () => https.close().then(() => opened.close()));
  process.stdout.write(`Signalbox vault (Red October API): ${https.url}\n`);
}

/**
 * `signalbox vault --import-redoctober FILE...`: the same import as the Vault page's, by an admin
 * whose password is read from the environment (never the command line, which `ps` shows). Every
 * file is read and checked to be of one Red October vault before any is imported.
 */
async function importRedOctober(files: string[], admin: string | undefined, vaultPath: string, auditPath: string): Promise<void> {
  const password = process.env.SIGNALBOX_VAULT_ADMIN_PASSWORD;
  if (admin === undefined || !password) throw new UsageError("vault --import-redoctober: give --admin NAME and the admin's password in SIGNALBOX_VAULT_ADMIN_PASSWORD");
  const { readRedOctoberVault } = await import('../vault/redoctober/vault-file.ts');
  const texts = files.map((file) => {
    try {
      const text = readFileSync(file, 'utf8');
      return { file, text, vaultId: readRedOctoberVault(text).vaultId };
    } catch (err) {
      throw new UsageError(`vault --import-redoctober ${file}: not a readable Red October vault file (${err instanceof Error ? err.message : String(err)})`);
    }
  });
  const ids = [...new Set(texts.map((t) => t.vaultId))];
  if (ids.length > 1) throw new UsageError(`vault --import-redoctober: the files come from ${ids.length} Red October vaults (ids ${ids.join(', ')}); one vault imports one Red October vault's accounts (its HMAC key verifies their ciphertexts), so nothing was imported`);
  const { Vault } = await import('../vault/vault.ts');
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

async function bundleCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      flavor: { type: 'string', default: 'ubiquitous' },
      at: { type: 'string' },
      json: { type: 'boolean', default: false },
      trust: { type: 'string', default: 'current' },
      domain: { type: 'string' },
      password: { type: 'string' },
      'include-root': { type: 'boolean', default: false },
      key: { type: 'string' },
      leaf: { type: 'string' },
      'allow-sha1': { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new UsageError('bundle: give the certificate file(s) to bundle, e.g. signalbox bundle site.pem chain.pem (- reads stdin)');
  if (!['ubiquitous', 'optimal', 'force'].includes(values.flavor)) {
    throw new UsageError(`bundle: --flavor "${values.flavor}": use ubiquitous (most clients trust it), optimal (shortest, newest) or force (the uploaded chain as is)`);
  }
  const at = values.at === undefined ? new Date() : new Date(values.at);
  if (Number.isNaN(at.getTime())) throw new UsageError(`bundle: --at "${values.at}" is not a date; write it as ISO 8601, e.g. 2024-06-01 or 2024-06-01T12:00:00Z`);
  const leaf = values.leaf === undefined ? undefined : Number(values.leaf);
  if (leaf !== undefined && !(Number.isInteger(leaf) && leaf >= 1)) {
    throw new UsageError(`bundle: --leaf "${values.leaf}": give the number of the leaf among the certificates read, in file order, from 1 (e.g. --leaf 2)`);
  }
  const readInput = (file: string, flag: string) => {
    try {
      return file === '-' ? readFileSync(0) : readFileSync(file);
    } catch (err) {
      throw new UsageError(`bundle: ${flag}${file}: cannot read it (${fileError(err)})`);
    }
  };
  const password = values.password === undefined ? {} : { password: values.password };
  const uploads = [
    ...positionals.map((file) => ({ name: file === '-' ? 'stdin' : file, bytes: readInput(file, ''), ...password })),
    ...(values.key === undefined ? [] : [{ name: values.key, bytes: readInput(values.key, '--key '), ...password }]),
  ];
  // Loaded here, not at the top, so the other commands do not load the bundler and its trust data.
  const { bundleUploads, BundleError } = await import('../bundler/bundle.ts');
  const { TrustStore, TrustStoreError, trustDirFor } = await import('../bundler/trust/store.ts');
  const { summary } = await import('../bundler/summary.ts');
  const store = (() => {
    try {
      return TrustStore.load(trustDirFor(values.trust));
    } catch (err) {
      if (err instanceof TrustStoreError) throw new UsageError(`bundle: --trust ${values.trust}: ${err.message}`);
      throw err;
    }
  })();
  let result: ReturnType<typeof bundleUploads>;
  try {
    result = bundleUploads(uploads, {
      flavor: values.flavor, at, includeRoot: values['include-root'], allowSha1: values['allow-sha1'],
      ...(values.domain ? { domain: values.domain } : {}), ...(leaf !== undefined ? { leaf } : {}),
    }, store, { includeKeyPem: true });
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    if (values.json) process.stdout.write(JSON.stringify({ code: err.cfsslCode, message: err.message }) + '\n');
    process.stderr.write(`signalbox: bundle: ${err.message} [${err.code}]\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(summary(result));
  // cfssl refuses a key that is not the leaf's (2300): bad input, whatever the chains.
  const mismatch = result.problems.find((p) => p.code === 2300);
  if (mismatch) {
    if (values.json) process.stdout.write(JSON.stringify({ code: mismatch.code, message: mismatch.message }) + '\n');
    process.exitCode = 2;
    return;
  }
  if (values.json) process.stdout.write(JSON.stringify(result.report) + '\n');
  else process.stdout.write(result.bundlePem);
  process.exitCode = result.bundlePem === '' ? 1 : 0;
}

function fileError(err: unknown): string {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
}

function readPem(file: string, flag: string, what: string, command = 'vault'): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`${command}: ${flag} ${file}: cannot read it (${fileError(err)}); give the PEM file of the server's ${what}`);
  }
}

/** ADDR:PORT ([v6]:PORT for IPv6). */
function listenAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new UsageError(`vault: --listen "${text}": write it as ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080`);
  return { host: match[1] ?? match[2]!, port };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The DNS config from the file and the command line, validated; a bad value names its flag or key. */
async function dnsSection(values: { config?: string; listen?: string[]; upstream?: string[] }) {
  const { dnsConfig } = await import('../api/dns.ts');
  const config = await readConfig(values.config);
  const section = { ...config.engines.dns, enabled: true };
  if (values.listen) section.listen = values.listen;
  if (values.upstream) section.upstreams = values.upstream;
  const checked = dnsConfig.safeParse(section);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const [key, index] = issue.path;
    const flag = key === 'listen' ? '--listen' : key === 'upstreams' ? '--upstream' : `engines.dns.${issue.path.join('.')}`;
    const value = typeof index === 'number' ? ` "${(section[key as 'listen' | 'upstreams'] as string[])[index]}"` : '';
    throw new UsageError(`dns: ${flag}${value}: ${issue.message}`);
  }
  return { config, section: checked.data };
}

/** On SIGINT or SIGTERM (the first one only): close, then exit 0, or 1 when closing fails. */
function stopOnSignals(log: ReturnType<typeof createLogger>, message: string, close: () => Promise<unknown>): void {
  let closing = false;
  const shutDown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info(message, { signal });
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutDown('SIGINT'));
  process.on('SIGTERM', () => shutDown('SIGTERM'));
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(usage + '\n');
    return;
  }
  if (command === '--version') {
    process.stdout.write(packageVersion() + '\n');
    return;
  }
  try {
    if (command === 'serve') await serve(rest);
    else if (command === 'dns') await dns(rest);
    else if (command === 'railgun') await railgun(rest);
    else if (command === 'vault') await vault(rest);
    else if (command === 'bundle') await bundleCommand(rest);
    else if (command === 'queries') await (await import('./history/queries-command.ts')).queriesCommand(rest, defaultDataDir(), (text) => process.stdout.write(text));
    else if (command === 'operators') await operators(rest);
    else throw new UsageError(`unknown command "${command}"\n\n${usage}`);
  } catch (err) {
    // By name: the config module is loaded only by the commands that read a config.
    const configError = err instanceof Error && err.name === 'ConfigError';
    const errorCode = (err as { code?: unknown })?.code;
    const code = configError || (typeof errorCode === 'string' && errorCode.startsWith('E_')) ? ` [${errorCode as string}]` : '';
    process.stderr.write(`signalbox: ${err instanceof Error ? err.message : String(err)}${code}\n`);
    const badInput =
      configError ||
      err instanceof UsageError ||
      isArgError(err) ||
      (err instanceof Error && ['QueriesUsageError', 'OperatorsUsageError', 'RailgunSetupError'].includes(err.name)) ||
      (err as { code?: string })?.code === 'E_SERVE_NEEDS_TLS';
    process.exit(badInput ? 2 : 1);
  }
}

function isArgError(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS');
}
