// The `signalbox` command line. Each subcommand validates its options and config before it starts
// anything; errors go to stderr with a code and exit non-zero. The host's commands (serve,
// operators, queries) are here; each engine's own (dns, railgun, vault, bundle) comes with its
// definition (engine/<name>/definition.ts, through registry.ts) and gets a CommandHost from here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import type { CommandHost } from '../api/definition.ts';
import type { Logger } from '../api/engine.ts';
import type { EngineName } from '../api/host.ts';
import type { Config } from './config.ts';
import { createLogger } from './log.ts';
import { defaultDataDir, packageVersion, rendererDir } from './paths.ts';

/** `signalbox --help`: the host's commands, each engine's own (from its definition), the query history. */
const usage = (engineUsage: string) => `Usage: signalbox <command> [options]

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
${engineUsage}
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
  const tls = await consoleTls(values.cert ?? config.serve.cert, values.key ?? config.serve.key, values['tls-self-signed'], dataDir, [
    host,
    ...config.serve.names,
  ]);
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
  if (served.setupUrl)
    process.stdout.write(`Signalbox setup: no operator yet; open this link once within 15 minutes to create the first admin: ${served.setupUrl}\n`);

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
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError('serve: --cert and --key go together (PEM files of the certificate and its private key)');
  if (cert !== undefined && key !== undefined) {
    const material = {
      cert: readOptionFile('serve', cert, '--cert', "give the PEM file of the server's certificate"),
      key: readOptionFile('serve', key, '--key', "give the PEM file of the server's private key"),
    };
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
    const { selfSignedCertificate } = await import('../common/self-signed.ts');
    const { writeFileAtomic } = await import('../common/atomic-file.ts');
    const { consoleCertificateNames, consoleCommonName } = await import('./console-certificate.ts');
    const covered = consoleCertificateNames(names);
    const generated = await selfSignedCertificate(covered, consoleCommonName(covered));
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

function fileError(err: unknown): string {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
}

/** A file an option names, or a UsageError: `command: --flag FILE: cannot read it (why)[; hint]`; `-` is stdin. */
function readOptionFile(command: string, file: string, flag: string, hint?: string): Buffer {
  try {
    return file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (err) {
    throw new UsageError(`${command}: ${flag ? `${flag} ` : ''}${file}: cannot read it (${fileError(err)})${hint ? `; ${hint}` : ''}`);
  }
}

/** What an engine's own command gets from the host (engine/api/definition.ts CommandHost). */
function commandHost(engine: EngineName, command: string): CommandHost {
  return {
    async readConfig(file) {
      const config = await readConfig(file);
      const section = (config.engines as Record<string, Record<string, unknown>>)[engine] ?? {};
      return { section, dataDir: config.dataDir ?? defaultDataDir(), log: createLogger({ engine, level: config.log.level }) };
    },
    usageError: (message) => new UsageError(message),
    readFile: (file, flag, hint) => readOptionFile(command, file, flag, hint),
    stopOnSignals,
    async supervise(section, dataDir, log) {
      const { Supervisor } = await import('./supervisor.ts');
      const supervisor = new Supervisor({ engines: [{ name: engine, config: section }], dataDir, log: log.child('supervisor') });
      await supervisor.start();
      const state = supervisor.snapshot().engines[0]!;
      if (state.status !== 'running') {
        await supervisor.stop();
        return { started: false, failure: state.lastError };
      }
      return {
        started: true,
        setConfig: (next) => supervisor.setConfig(engine, next),
        upgrade: () => supervisor.upgrade(engine),
        stop: () => supervisor.stop(),
      };
    },
  };
}

/** On SIGINT or SIGTERM (the first one only): close, then exit 0, or 1 when closing fails. */
function stopOnSignals(log: Logger, message: string, close: () => Promise<unknown>): void {
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
  // The registry only here, so that each command still loads just what it runs.
  const commands = (await import('./registry.ts')).engineCommands();
  const help = () => usage(commands.map(({ command }) => command.usage).join('\n'));
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(help() + '\n');
    return;
  }
  if (command === '--version') {
    process.stdout.write(packageVersion() + '\n');
    return;
  }
  try {
    const own = commands.find((entry) => entry.command.name === command);
    if (command === 'serve') await serve(rest);
    else if (own) await (await own.command.load())(rest, commandHost(own.engine, command));
    else if (command === 'queries')
      await (await import('./history/queries-command.ts')).queriesCommand(rest, defaultDataDir(), (text) => process.stdout.write(text));
    else if (command === 'operators') await operators(rest);
    else throw new UsageError(`unknown command "${command}"\n\n${help()}`);
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
