// Runs each engine in its own process and keeps it running: a crash is recorded and followed by a
// restart with exponential backoff; state changes are announced so the console shows them live.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Logger } from '../api/engine.ts';
import type { EngineEvent, EngineName, EngineState, HostSnapshot } from '../api/host.ts';
import { packageRoot } from './paths.ts';
import { engineNodeFlags } from './engines.ts';
import { createRpcClient, type RpcClient } from './rpc.ts';
import { childTransport, onControl, sendControl } from './transports/child.ts';

export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** A process that ran this long before crashing restarts after `initialMs` again. */
  resetAfterMs: number;
}

export interface SupervisorOptions {
  engines: { name: EngineName; config: unknown }[];
  dataDir: string;
  log: Logger;
  backoff?: Partial<Backoff>;
  /** The engine-process script; defaults to the one beside this file. */
  entry?: string;
  /** How long an engine may take to report ready before it is killed and counted as crashed. */
  readyTimeoutMs?: number;
  /** How long a stopping engine may take before it is killed. */
  stopTimeoutMs?: number;
  /** Environment of engine processes (Electron adds ELECTRON_RUN_AS_NODE). */
  env?: NodeJS.ProcessEnv;
}

const maxEvents = 50;
const defaultBackoff: Backoff = { initialMs: 200, maxMs: 30_000, resetAfterMs: 30_000 };

interface Slot {
  state: EngineState;
  config: unknown;
  child?: ChildProcess;
  client?: RpcClient;
  backoffMs: number;
  restartTimer?: ReturnType<typeof setTimeout>;
  readyTimer?: ReturnType<typeof setTimeout>;
  /** Set while a stop or restart was asked for, so the exit is not taken for a crash. */
  intendedExit?: 'stop' | 'restart';
  exited?: Promise<void>;
}

/**
 * engine-process.ts beside this file in the sources; in the build, dist/engine/host/engine-process.js
 * (this code may sit in a shared chunk elsewhere in dist/, so the path is not relative to it).
 */
function defaultEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return join(dirname(here), 'engine-process.ts');
  return join(packageRoot(), 'dist', 'engine', 'host', 'engine-process.js');
}

export class Supervisor extends EventEmitter<{ change: []; ready: [EngineName] }> {
  private readonly slots = new Map<EngineName, Slot>();
  private readonly events: EngineEvent[] = [];
  private readonly backoff: Backoff;
  private readonly entry: string;
  private readonly options: SupervisorOptions;
  private stopped = false;

  constructor(options: SupervisorOptions) {
    super();
    this.options = options;
    this.backoff = { ...defaultBackoff, ...options.backoff };
    this.entry = options.entry ?? defaultEntry();
    for (const { name, config } of options.engines) {
      this.slots.set(name, {
        config,
        backoffMs: this.backoff.initialMs,
        state: {
          name,
          status: 'stopped',
          pid: null,
          restarts: 0,
          startedAt: null,
          rssBytes: null,
          heapUsedBytes: null,
          lastExit: null,
          restartAt: null,
        },
      });
    }
  }

  /** Starts every engine; resolves once each has reported ready or failed its first start. */
  async start(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((name) => this.spawn(name)));
  }

  snapshot(): HostSnapshot {
    return { engines: [...this.slots.values()].map((slot) => ({ ...slot.state })), events: [...this.events] };
  }

  /** The RPC client of a running engine, or undefined while it is not running. */
  client(name: string): RpcClient | undefined {
    const slot = this.slots.get(name as EngineName);
    return slot?.state.status === 'running' ? slot.client : undefined;
  }

  /** The config the engine gets when it next starts (an engine's live `configSet` lands here). */
  setConfig(name: EngineName, config: unknown): void {
    const slot = this.slots.get(name);
    if (slot) slot.config = config;
  }

  has(name: string): boolean {
    return this.slots.has(name as EngineName);
  }

  async restart(name: EngineName): Promise<void> {
    const slot = this.slots.get(name);
    if (!slot || this.stopped) return;
    clearTimeout(slot.restartTimer);
    if (slot.child) await this.terminate(slot, 'restart');
    slot.state.restarts += 1;
    this.record(name, 'restarting', `${name} restarted by an operator`);
    await this.spawn(name);
  }

  /** Stops every engine (shutdown message, then SIGKILL after the timeout); no restarts after. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.slots.values()].map(async (slot) => {
        clearTimeout(slot.restartTimer);
        slot.state.restartAt = null;
        if (slot.child) await this.terminate(slot, 'stop');
        else if (slot.state.status !== 'stopped') {
          slot.state.status = 'stopped';
          this.record(slot.state.name, 'stopped', `${slot.state.name} stopped while waiting to restart`);
        }
      }),
    );
  }

  private spawn(name: EngineName): Promise<void> {
    const slot = this.slots.get(name)!;
    slot.intendedExit = undefined;
    const child = fork(this.entry, [name], {
      // A TypeScript entry (tests, development) runs through tsx; the built one is plain JS.
      execArgv: [...(this.entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : []), ...(engineNodeFlags[name] ?? [])],
      serialization: 'advanced',
      env: this.options.env ?? process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    slot.child = child;
    slot.client = createRpcClient(childTransport(child));
    Object.assign(slot.state, {
      status: 'starting',
      pid: child.pid ?? null,
      startedAt: Date.now(),
      rssBytes: null,
      heapUsedBytes: null,
      restartAt: null,
    });
    this.changed();

    const ready = new Promise<void>((resolve) => {
      slot.readyTimer = setTimeout(() => {
        this.options.log.error('engine did not report ready in time; killing it', { engine: name });
        child.kill('SIGKILL');
      }, this.options.readyTimeoutMs ?? 15_000);
      onControl(child, (message) => {
        if (message.kind === 'ready') {
          clearTimeout(slot.readyTimer);
          slot.state.status = 'running';
          this.record(name, 'started', `${name} running (pid ${child.pid})`);
          this.emit('ready', name);
          resolve();
        } else if (message.kind === 'heartbeat') {
          slot.state.rssBytes = message.rssBytes;
          slot.state.heapUsedBytes = message.heapUsedBytes;
        }
      });
      slot.exited = new Promise((exited) => {
        child.once('exit', (code, signal) => {
          clearTimeout(slot.readyTimer);
          this.onExit(slot, child, code, signal);
          resolve();
          exited();
        });
      });
    });
    child.on('error', (err) => this.options.log.error('engine process error', { engine: name, error: err.message }));
    sendControl(child, { kind: 'init', engine: name, config: slot.config, dataDir: this.options.dataDir });
    return ready;
  }

  private onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    const name = slot.state.name;
    const ranMs = Date.now() - (slot.state.startedAt ?? Date.now());
    slot.client?.close();
    slot.child = undefined;
    slot.client = undefined;
    Object.assign(slot.state, { pid: null, startedAt: null, rssBytes: null, heapUsedBytes: null });
    slot.state.lastExit = { code, signal, at: Date.now() };
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;

    if (slot.intendedExit || this.stopped) {
      slot.state.status = 'stopped';
      if (slot.intendedExit !== 'restart') this.record(name, 'stopped', `${name} stopped`);
      this.changed();
      return;
    }
    if (ranMs >= this.backoff.resetAfterMs) slot.backoffMs = this.backoff.initialMs;
    const delay = slot.backoffMs;
    slot.backoffMs = Math.min(slot.backoffMs * 2, this.backoff.maxMs);
    slot.state.status = 'crashed';
    slot.state.restartAt = Date.now() + delay;
    this.options.log.warn('engine crashed; restarting', { engine: name, code, signal, restartInMs: delay });
    this.record(name, 'crashed', `${name} ${how}; restarting in ${formatDelay(delay)}`);
    slot.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      slot.state.restarts += 1;
      void this.spawn(name);
    }, delay);
  }

  private async terminate(slot: Slot, why: 'stop' | 'restart'): Promise<void> {
    const child = slot.child;
    if (!child) return;
    slot.intendedExit = why;
    slot.state.status = 'stopping';
    this.changed();
    const killTimer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs ?? 5000);
    sendControl(child, { kind: 'shutdown' });
    if (!child.connected) child.kill('SIGTERM');
    await slot.exited;
    clearTimeout(killTimer);
  }

  private record(engine: EngineName, kind: EngineEvent['kind'], message: string): void {
    this.events.push({ at: Date.now(), engine, kind, message });
    if (this.events.length > maxEvents) this.events.splice(0, this.events.length - maxEvents);
    this.changed();
  }

  private changed(): void {
    this.emit('change');
  }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
