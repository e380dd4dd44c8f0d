// Entry of every engine process. The supervisor forks this file, sends `init` with the engine's
// name and config, and serves RPC to the engine's handlers once it reports `ready`.
import { statSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import type { RunningEngine } from '../api/engine.ts';
import { ApiError, ErrorCode } from '../api/errors.ts';
import { hostCaller, type Caller } from '../api/identity.ts';
import { isAvailableEngine, partsOf } from './registry.ts';
import { createLogger } from './log.ts';
import { packageVersion } from './paths.ts';
import { serveRpc, type RpcHandler } from './rpc.ts';
import { explainStartFailure } from './start-failure.ts';
import { onControl, parentTransport, sendControl } from './transports/child.ts';

const heartbeatMs = 1000;

/** The code this process runs: the package version and when its entry file was built. */
function codeVersion(): string {
  const built = new Date(statSync(process.argv[1]!).mtimeMs).toISOString().slice(0, 19).replace('T', ' ');
  return `${packageVersion()} (built ${built} UTC)`;
}

function handlerFor(engine: RunningEngine): RpcHandler {
  return {
    async call(method, params, caller) {
      const procedure = (engine.procedures as Record<string, ((p: unknown, caller: Caller) => unknown) | undefined>)[method];
      if (!procedure) throw new ApiError(ErrorCode.unknownMethod, `this engine does not serve ${method}`);
      return procedure(params, caller);
    },
    subscribe(stream, params, emit) {
      const start = (engine.streams as Record<string, ((p: unknown, e: (d: unknown) => void) => () => void) | undefined>)[stream];
      if (!start) throw new ApiError(ErrorCode.unknownMethod, `this engine does not serve ${stream}`);
      return start(params, emit);
    },
  };
}

/**
 * One memory sample for the supervisor. The resident size is read from /proc (a file opened each
 * time), so it fails while the process has no descriptor left (EMFILE under a connection flood):
 * that sample then goes without it, the heap size (no file needed) still goes, and the failure is
 * logged once until a sample works again. A status report must never be what kills an engine.
 */
function heartbeat(log: ReturnType<typeof createLogger>): () => void {
  let failing = false;
  return () => {
    let rssBytes: number | null = null;
    try {
      rssBytes = process.memoryUsage.rss();
      if (failing) log.info('memory sampling works again');
      failing = false;
    } catch (err) {
      if (!failing)
        log.warn('cannot sample the resident memory; the heartbeat goes on without it', {
          code: 'E_HEARTBEAT_SAMPLE',
          error: err instanceof Error ? err.message : String(err),
        });
      failing = true;
    }
    sendControl(process, { kind: 'heartbeat', rssBytes, heapUsedBytes: getHeapStatistics().used_heap_size });
  };
}

async function run(): Promise<void> {
  const transport = parentTransport();
  let engine: RunningEngine | undefined;
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await engine?.stop().catch(() => {});
    process.exit(code);
  };
  // The supervisor is gone (it exited or was killed): an engine never outlives its host.
  process.on('disconnect', () => void stop(0));

  onControl(process, (message) => {
    if (message.kind === 'shutdown') void stop(0);
    if (message.kind === 'passOn') {
      engine?.handover?.takeOver(message.work);
      return;
    }
    if (message.kind === 'handover') {
      const handover = engine?.handover;
      const step = async () => {
        if (!handover) throw new Error('this engine cannot hand over to another process');
        if (message.step === 'probe') return handover.probe();
        if (message.step === 'export') return handover.exportState();
        if (message.step === 'import') return handover.importState(message.payload);
        return handover.drain(Number(message.payload));
      };
      step().then(
        (result) => sendControl(process, { kind: 'handoverDone', id: message.id, ok: true, result }),
        (err: unknown) => sendControl(process, { kind: 'handoverDone', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
      return;
    }
    if (message.kind !== 'init' || engine) return;
    const log = createLogger({ engine: message.engine });
    if (!isAvailableEngine(message.engine)) {
      log.error('unknown engine', { name: message.engine });
      process.exit(2);
    }
    partsOf(message.engine)
      .load()
      .then((definition) =>
        definition.start({
          config: message.config,
          dataDir: message.dataDir,
          log,
          passOn: (work) => sendControl(process, { kind: 'passOn', work }),
          ...(message.worker ? { worker: message.worker } : {}),
        }),
      )
      .then((running) => {
        engine = running;
        // Only the host talks on this channel; the operator a call is for comes in its envelope.
        serveRpc(transport, handlerFor(running), { caller: hostCaller, acceptForwardedCaller: true });
        sendControl(process, { kind: 'ready', version: codeVersion() });
        const beat = heartbeat(log);
        beat();
        setInterval(beat, heartbeatMs).unref();
      })
      .catch((err: unknown) => {
        const failure = explainStartFailure(err);
        log.error('engine failed to start', { code: failure.code, error: failure.message, hint: failure.hint });
        // The supervisor shows why and decides on a restart; exit once the message is on its way.
        if (process.connected) process.send!({ ctl: { kind: 'startFailed', failure } }, () => process.exit(1));
        else process.exit(1);
      });
  });
}

void run();
