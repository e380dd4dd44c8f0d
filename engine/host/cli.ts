// The `signalbox` command line. Each subcommand validates its options and config before it starts
// anything; errors go to stderr with a code and exit non-zero.
import { parseArgs } from 'node:util';
import { dnsConfig } from '../api/dns.ts';
import { ConfigError, defaultConfig, loadConfig, type Config } from './config.ts';
import { createLogger } from './log.ts';
import { defaultDataDir, packageVersion, rendererDir } from './paths.ts';
import { startServe } from './serve.ts';

const usage = `Usage: signalbox <command> [options]

Commands:
  serve   [--config FILE] [--host 127.0.0.1] [--port 8787] [--data-dir DIR]
          run every engine and serve the console; prints the URL with its token
  dns     [--config FILE] [--listen ADDR:PORT ...] [--upstream ADDR:PORT ...]
          run the DNS proxy alone (default upstreams: the nameservers of /etc/resolv.conf)

Options:
  --help      show this help
  --version   print the version`;

class UsageError extends Error {}

function readConfig(file: string | undefined): Config {
  return file ? loadConfig(file) : defaultConfig();
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  const config = readConfig(values.config);
  const port = values.port === undefined ? config.serve.port : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: "${values.port}" is not a port number (0-65535; 0 picks a free one)`);
  }
  const log = createLogger({ engine: 'host', level: config.log.level });
  const served = await startServe({
    config,
    host: values.host ?? config.serve.host,
    port,
    dataDir: values['data-dir'] ?? config.dataDir ?? defaultDataDir(),
    rendererDir: rendererDir(),
    version: packageVersion(),
    log,
  });
  process.stdout.write(`Signalbox console: ${served.url}\n`);

  let closing = false;
  const shutDown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info('shutting down', { signal });
    served.close().then(
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
  const { config, section } = load();
  const log = createLogger({ engine: 'dns', level: config.log.level });
  // Loaded here, not at the top, so `serve` does not load the DNS engine into the host process.
  const { dnsEngine } = await import('../dns/engine.ts');
  const engine = await dnsEngine.start({ config: section, dataDir: config.dataDir ?? defaultDataDir(), log });
  const stop = () => void engine.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // SIGHUP reads the config file again and applies it without dropping a query.
  process.on('SIGHUP', () => {
    void (async () => {
      try {
        await engine.procedures['dns.configSet']!({ config: load().section });
      } catch (err) {
        log.error('config not reloaded; the old one still runs', { error: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
}

/** The DNS config from the file and the command line, validated; a bad value names its flag or key. */
function dnsSection(values: { config?: string; listen?: string[]; upstream?: string[] }) {
  const config = readConfig(values.config);
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
    else throw new UsageError(`unknown command "${command}"\n\n${usage}`);
  } catch (err) {
    const code = err instanceof ConfigError ? ` [${err.code}]` : '';
    process.stderr.write(`signalbox: ${err instanceof Error ? err.message : String(err)}${code}\n`);
    process.exit(err instanceof ConfigError || err instanceof UsageError || isArgError(err) ? 2 : 1);
  }
}

function isArgError(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS');
}
