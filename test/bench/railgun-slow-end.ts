// One end of the Railgun pair in a process of its own, for the slow-clients bench: its memory is
// then the end's alone. Forked with an IPC channel; gets { root, config } (root: the checkout whose
// engine/railgun runs, so an older commit can be measured the same way), answers { started }, then
// answers each 'measure' with the process's memory after a full GC and the sender's client stats.
import type { RailgunConfig } from '../../engine/api/railgun.ts';
import type { Ends } from '../../engine/railgun/ends.ts';
import type { Logger } from '../../engine/api/engine.ts';
import { quietLog, tempDir } from '../helpers/host.ts';

/** Warnings and errors of the end on stderr (the bench counts answers; this says why some failed). */
const warnings: Logger = {
  ...quietLog,
  warn: (msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...fields })}\n`),
  error: (msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...fields })}\n`),
  child: () => warnings,
};

export interface EndRequest {
  root: string;
  config: Record<string, unknown>;
}

export interface Started {
  started: { senderPort: number | null; linkPort: number | null; pin: string | null };
}

export interface Measured {
  memory: NodeJS.MemoryUsage;
  /** The sender's client stats where the code measured has them. */
  clients: Record<string, number> | null;
}

let ends: Ends | null = null;

process.on('message', (message: EndRequest | 'measure' | 'stop') => {
  void (async () => {
    if (message === 'stop') {
      await ends?.stop();
      process.disconnect();
      return;
    }
    if (message === 'measure') {
      for (let i = 0; i < 3; i++) {
        globalThis.gc!();
        await new Promise((resolve) => setImmediate(resolve));
      }
      const clients = (ends?.sender as unknown as { clients?: Record<string, number> } | null)?.clients ?? null;
      process.send!({ memory: process.memoryUsage(), clients } satisfies Measured);
      return;
    }
    const { railgunConfig } = (await import(`${message.root}/engine/api/railgun.ts`)) as { railgunConfig: { parse(value: unknown): RailgunConfig } };
    const { startEnds } = (await import(`${message.root}/engine/railgun/ends.ts`)) as typeof import('../../engine/railgun/ends.ts');
    const { SavingsBook } = (await import(`${message.root}/engine/railgun/savings.ts`)) as typeof import('../../engine/railgun/savings.ts');
    ends = await startEnds(railgunConfig.parse(message.config), new SavingsBook(), tempDir('railgun-slow-end'), warnings);
    process.send!({ started: { senderPort: ends.sender?.port ?? null, linkPort: ends.listener?.port ?? null, pin: ends.pin } } satisfies Started);
  })();
});
