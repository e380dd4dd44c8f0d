// The echo engine: answers status, ping and echo, and streams a counter. It exists so that the
// whole path (supervisor, engine process, RPC, transports, console) is exercised before and
// alongside the real engines.
import { echoConfig } from '../api/echo.ts';
import type { EngineDefinition, RunningEngine } from '../api/engine.ts';

export const echoEngine: EngineDefinition = {
  name: 'echo',
  async start(ctx): Promise<RunningEngine> {
    const config = echoConfig.parse(ctx.config ?? {});
    const startedAt = performance.now();
    let calls = 0;
    ctx.log.info('echo engine ready', { pid: process.pid, tickMs: config.tickMs });
    return {
      procedures: {
        'echo.status': () => ({ pid: process.pid, uptimeMs: Math.round(performance.now() - startedAt), calls: ++calls }),
        'echo.ping': ({ sentAt }) => {
          calls++;
          return { sentAt, answeredAt: Date.now() };
        },
        'echo.echo': ({ text }) => {
          calls++;
          return { text };
        },
      },
      streams: {
        'echo.ticks': (_params, emit) => {
          let n = 0;
          const timer = setInterval(() => emit({ n: ++n, at: Date.now() }), config.tickMs);
          return () => clearInterval(timer);
        },
      },
      async stop() {
        ctx.log.info('echo engine stopping');
      },
    };
  },
};
