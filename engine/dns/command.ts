// `signalbox dns`: the DNS proxy alone, in worker processes of its own on sockets the command's
// process shares with them, so that SIGHUP can replace them without dropping a query.
import { parseArgs } from 'node:util';
import { dnsConfig } from '../api/dns.ts';
import type { CommandHost } from '../api/definition.ts';

export async function dnsCommand(args: string[], host: CommandHost): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      listen: { type: 'string', multiple: true },
      upstream: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const load = () => dnsSection(values, host);
  const { dataDir, log, section } = await load();
  const engine = await host.supervise(section, dataDir, log);
  if (!engine.started) {
    const failure = engine.failure;
    throw new Error(
      failure
        ? `dns: the DNS engine cannot start: ${failure.message} [${failure.code}] — ${failure.hint}`
        : 'dns: the DNS engine did not start; its reason is logged above',
    );
  }
  host.stopOnSignals(log, 'shutting down', () => engine.stop());
  // SIGHUP reads the config file again and upgrades in place: new processes from the code on disk,
  // with the new config, take over the sockets; a bad file changes nothing.
  process.on('SIGHUP', () => {
    void (async () => {
      try {
        engine.setConfig((await load()).section);
      } catch (err) {
        log.error('config not reloaded; the old one still runs', { error: err instanceof Error ? err.message : String(err) });
        return;
      }
      try {
        const upgrade = await engine.upgrade();
        log.info('dns reloaded by an upgrade', { phase: upgrade.phase, message: upgrade.message });
      } catch (err) {
        log.error('dns not upgraded; the old processes still run', { error: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
}

/** The DNS config from the file and the command line, validated; a bad value names its flag or key. */
async function dnsSection(values: { config?: string; listen?: string[]; upstream?: string[] }, host: CommandHost) {
  const { section: fromFile, dataDir, log } = await host.readConfig(values.config);
  const section: Record<string, unknown> = { ...fromFile, enabled: true };
  if (values.listen) section.listen = values.listen;
  if (values.upstream) section.upstreams = values.upstream;
  const checked = dnsConfig.safeParse(section);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const [key, index] = issue.path;
    const flag = key === 'listen' ? '--listen' : key === 'upstreams' ? '--upstream' : `engines.dns.${issue.path.join('.')}`;
    const value = typeof index === 'number' ? ` "${(section[key as 'listen' | 'upstreams'] as string[])[index]}"` : '';
    throw host.usageError(`dns: ${flag}${value}: ${issue.message}`);
  }
  return { dataDir, log, section: checked.data };
}
