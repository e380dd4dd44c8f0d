// `signalbox railgun listener|sender`: one end of the Railgun link, in this process.
import { parseArgs } from 'node:util';
import type { CommandHost } from '../api/definition.ts';
import { railgunConfig } from '../api/railgun.ts';
import { startEnds } from './ends.ts';
import { SavingsBook } from './savings.ts';

export async function railgunCommand(args: string[], host: CommandHost): Promise<void> {
  const [role, ...rest] = args;
  if (role !== 'listener' && role !== 'sender') throw host.usageError('railgun: say which end: signalbox railgun listener ... or signalbox railgun sender ...');
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
  for (const flag of required) if (values[flag] === undefined) throw host.usageError(`railgun ${role}: --${flag} is required`);
  const { section: fromFile, dataDir, log } = await host.readConfig(values.config);
  const flags = {
    listen: role === 'listener' ? 'linkListen' : 'listen',
    origin: 'origin',
    link: 'link',
    cert: 'cert',
    key: 'key',
    ca: 'ca',
    pin: 'pin',
    'token-file': 'tokenFile',
  } as const;
  const section: Record<string, unknown> = { ...fromFile, enabled: true, running: true, role };
  for (const [flag, key] of Object.entries(flags)) if (values[flag as keyof typeof flags] !== undefined) section[key] = values[flag as keyof typeof flags];
  const checked = railgunConfig.safeParse(section);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const flag = Object.entries(flags).find(([, key]) => key === issue.path[0])?.[0];
    throw host.usageError(
      `railgun ${role}: ${flag ? `--${flag} "${String(section[issue.path[0] as string])}"` : `engines.railgun.${issue.path.join('.')}`}: ${issue.message}`,
    );
  }
  const book = new SavingsBook();
  const ends = await startEnds(checked.data, book, dataDir, log);
  if (ends.listener)
    process.stdout.write(`Signalbox railgun listener: link at https://${ends.listener.address} (senders pin ${ends.pin}), origin ${checked.data.origin}\n`);
  if (ends.sender) process.stdout.write(`Signalbox railgun sender: http://${ends.sender.address} over the link to ${checked.data.link}\n`);
  host.stopOnSignals(log, 'shutting down', async () => {
    await ends.stop();
    book.close();
  });
}
