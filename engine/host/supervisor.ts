// Runs each engine in its own process and keeps it running: a crash is recorded and followed by a
// restart with exponential backoff; state changes are announced so the console shows them live.
// Engines that share sockets (dns) can be upgraded in place: a new process from the code on disk
// takes over the same sockets before the old one drains.
import { fork, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Logger } from '../api/engine.ts';
import { ApiError } from '../api/errors.ts';
import type { EngineEvent, EngineName, EngineState, EngineUpgrade, HostSnapshot } from '../api/host.ts';
import { packageRoot } from './paths.ts';
import { engineNodeFlags, socketSharingEngines } from './engines.ts';
import { createRpcClient, type RpcClient } from './rpc.ts';
import { childTransport, onControl, requestHandover, sendControl } from './transports/child.ts';

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
  /** How long the process being replaced by an upgrade may take to answer what it read. */
  drainTimeoutMs?: number;
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
  /** Set while a stop or restart was asked for, so the exit is not taken for a crash. */
  intendedExit?: 'stop' | 'restart';
  exited?: Promise<void>;
  upgrading?: boolean;
}

/** A process started for an engine, not yet (or no longer) the one the slot serves with. */
interface Launched {
  child: ChildProcess;
  client: RpcClient;
  /** True once it reported ready, false when it exited or was killed first. */
  ready: Promise<boolean>;
  exited: Promise<void>;
  version: string | null;
}

/** Upgrade steps are bounded: a stuck new process is rolled back, not waited for. */
const handoverStepMs = 10_000;

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
          version: null,
          upgrade: null,
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

  /**
   * Replaces the engine's process by a new one from the code on disk without a gap: the new one
   * starts on the same (shared) sockets, must answer a probe, gets the old one's state (the DNS
   * cache), and only then does the old one drain and exit. Any failure before the swap kills the
   * new process and leaves the old one serving (rolled back).
   */
  async upgrade(name: EngineName): Promise<EngineUpgrade> {
    const slot = this.slots.get(name);
    if (!slot || !socketSharingEngines.has(name)) throw new ApiError('E_UPGRADE_UNSUPPORTED', `the ${name} engine cannot be upgraded in place; restart it instead`);
    if (slot.upgrading) throw new ApiError('E_UPGRADE_RUNNING', `an upgrade of ${name} is already running`);
    if (slot.state.status !== 'running' || !slot.child) throw new ApiError('E_ENGINE_UNAVAILABLE', `the ${name} engine is ${slot.state.status}; upgrade a running engine`);
    slot.upgrading = true;
    const old = { child: slot.child, client: slot.client!, exited: slot.exited! };
    const upgrade: EngineUpgrade = { phase: 'starting', from: slot.state.version, to: null, startedAt: Date.now(), finishedAt: null, message: 'starting a new process' };
    const step = (phase: EngineUpgrade['phase'], message: string) => {
      Object.assign(upgrade, { phase, message });
      slot.state.upgrade = { ...upgrade };
      this.changed();
    };
    step('starting', 'starting a new process from the code on disk');
    this.record(name, 'upgrading', `${name}: upgrade started (pid ${old.child.pid} runs ${upgrade.from ?? 'an unknown version'})`);
    const candidate = this.launch(name, slot.config);
    try {
      try {
        if (!(await candidate.ready)) throw new Error('the new process exited or did not report ready');
        upgrade.to = candidate.version;
        step('probing', `pid ${candidate.child.pid} started; asking it a probe query`);
        await requestHandover(candidate.child, 'probe', undefined, handoverStepMs);
        step('carrying state', 'probe answered; carrying the state over');
        const state = await requestHandover(old.child, 'export', undefined, handoverStepMs);
        await requestHandover(candidate.child, 'import', state, handoverStepMs);
      } catch (err) {
        candidate.child.kill('SIGKILL');
        await candidate.exited;
        candidate.client.close();
        const reason = err instanceof Error ? err.message : String(err);
        step('rolled back', `rolled back, pid ${old.child.pid} keeps serving: ${reason}`);
        this.record(name, 'upgrade failed', `${name}: upgrade rolled back: ${reason}`);
        return this.finish(slot, upgrade);
      }
      this.adopt(slot, candidate);
      slot.state.status = 'running';
      slot.state.version = candidate.version;
      this.emit('ready', name);
      step('draining', `pid ${candidate.child.pid} serves; pid ${old.child.pid} answers what it read and exits`);
      const drainMs = this.options.drainTimeoutMs ?? 5000;
      const drainStarted = Date.now();
      await requestHandover(old.child, 'drain', drainMs, drainMs + handoverStepMs).catch((err: Error) => this.options.log.warn('old engine process did not drain cleanly', { engine: name, error: err.message }));
      const killTimer = setTimeout(() => old.child.kill('SIGKILL'), this.options.stopTimeoutMs ?? 5000);
      sendControl(old.child, { kind: 'shutdown' });
      await old.exited;
      clearTimeout(killTimer);
      old.client.close();
      step('done', `pid ${candidate.child.pid} runs ${candidate.version}; the old process drained in ${Date.now() - drainStarted} ms`);
      this.record(name, 'upgraded', `${name}: upgraded to ${candidate.version} (pid ${candidate.child.pid})`);
      return this.finish(slot, upgrade);
    } finally {
      slot.upgrading = false;
    }
  }

  private finish(slot: Slot, upgrade: EngineUpgrade): EngineUpgrade {
    upgrade.finishedAt = Date.now();
    slot.state.upgrade = { ...upgrade };
    this.changed();
    return { ...upgrade };
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

  private async spawn(name: EngineName): Promise<void> {
    const slot = this.slots.get(name)!;
    slot.intendedExit = undefined;
    const launched = this.launch(name, slot.config);
    this.adopt(slot, launched);
    if ((await launched.ready) && slot.child === launched.child) {
      slot.state.status = 'running';
      this.record(name, 'started', `${name} running (pid ${launched.child.pid})`);
      this.emit('ready', name);
    }
  }

  /** Starts a process for the engine and sends it its config; it serves nobody until adopted. */
  private launch(name: EngineName, config: unknown): Launched {
    const child = this.fork(name);
    const launched: Launched = {
      child,
      client: createRpcClient(childTransport(child)),
      version: null,
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
      ready: new Promise((resolve) => {
        const timer = setTimeout(() => {
          this.options.log.error('engine did not report ready in time; killing it', { engine: name });
          child.kill('SIGKILL');
        }, this.options.readyTimeoutMs ?? 15_000);
        onControl(child, (message) => {
          if (message.kind !== 'ready') return;
          clearTimeout(timer);
          launched.version = message.version;
          resolve(true);
        });
        child.once('exit', () => {
          clearTimeout(timer);
          resolve(false);
        });
      }),
    };
    child.on('error', (err) => this.options.log.error('engine process error', { engine: name, error: err.message }));
    sendControl(child, { kind: 'init', engine: name, config, dataDir: this.options.dataDir });
    return launched;
  }

  private fork(name: EngineName): ChildProcess {
    // A TypeScript entry (tests, development) runs through tsx; the built one is plain JS.
    const execArgv = [...(this.entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : []), ...(engineNodeFlags[name] ?? [])];
    const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];
    if (!socketSharingEngines.has(name)) {
      return fork(this.entry, [name], { execArgv, serialization: 'advanced', env: this.options.env ?? process.env, stdio });
    }
    // Forked as a cluster worker: the sockets it binds are created by this process and shared
    // (SCHED_NONE: every process reads the same kernel socket), so they outlive any one engine
    // process and a new one serves on them before the old one lets go.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: this.entry, args: [name], execArgv, serialization: 'advanced', stdio });
    return cluster.fork(this.options.env ?? {}).process;
  }

  /** Makes `launched` the process the slot serves with. */
  private adopt(slot: Slot, launched: Launched): void {
    const { child } = launched;
    slot.child = child;
    slot.client = launched.client;
    slot.exited = launched.exited;
    Object.assign(slot.state, { status: 'starting', pid: child.pid ?? null, startedAt: Date.now(), rssBytes: null, heapUsedBytes: null, restartAt: null, version: null });
    void launched.ready.then(() => {
      if (slot.child === child) slot.state.version = launched.version;
    });
    onControl(child, (message) => {
      if (message.kind === 'heartbeat' && slot.child === child) {
        slot.state.rssBytes = message.rssBytes;
        slot.state.heapUsedBytes = message.heapUsedBytes;
      }
      // A process replaced by an upgrade passes on what it can no longer finish.
      if (message.kind === 'passOn' && slot.child && slot.child !== child) sendControl(slot.child, message);
    });
    child.once('exit', (code, signal) => this.onExit(slot, child, code, signal));
    this.changed();
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
