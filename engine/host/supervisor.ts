// Runs each engine in its own process and keeps it running: a crash is recorded and followed by a
// restart with exponential backoff; state changes are announced so the console shows them live.
// Engines that share sockets (dns) may run several worker processes on the same sockets, and are
// upgraded in place: a new process from the code on disk takes over before the old one drains.
// What changes an engine's processes (start, restart, upgrade) runs one at a time per engine: a
// request waits for the one in flight, a restart asked for while one is in flight or waiting
// joins it, and stop() ends whatever runs, so no process is ever left that no worker tracks.
import { fork, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Logger } from '../api/engine.ts';
import { ApiError } from '../api/errors.ts';
import type { EngineError, EngineEvent, EngineName, EngineState, EngineUpgrade, HostSnapshot } from '../api/host.ts';
import { packageRoot } from './paths.ts';
import { engineNodeFlags, sharesSockets } from './registry.ts';
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

/** One process position of an engine: most engines have one, the DNS engine `workers` of them. */
interface Worker {
  index: number;
  child?: ChildProcess;
  client?: RpcClient;
  exited?: Promise<void>;
  status: 'starting' | 'running' | 'crashed' | 'failed' | 'stopping' | 'stopped';
  version: string | null;
  /** Why its current process could not start, as that process reported before it exited. */
  startFailure?: EngineError;
  startedAt: number | null;
  rssBytes: number | null;
  heapUsedBytes: number | null;
  backoffMs: number;
  restartTimer?: ReturnType<typeof setTimeout>;
  restartAt: number | null;
  /** Set while a stop or restart was asked for, so the exit is not taken for a crash. */
  intendedExit?: 'stop' | 'restart';
  /** The process an upgrade is replacing, while it drains. */
  draining?: { pid: number; version: string | null; startedAt: number | null };
}

interface Slot {
  name: EngineName;
  config: unknown;
  workers: Worker[];
  restarts: number;
  lastExit: EngineState['lastExit'];
  /** The last start failure of any worker, until one runs again. */
  lastError: EngineError | null;
  upgrade: EngineUpgrade | null;
  /** Set from the moment an upgrade is asked for until it ended: a second one is refused. */
  upgrading?: boolean;
  /** The last lifecycle operation asked for: the next one starts after it. */
  busy: Promise<unknown>;
  /** A restart running or waiting its turn: restarts asked for meanwhile get this same one. */
  restarting?: Promise<void>;
  /** Processes of an upgrade that no worker serves with (a new one before its swap, an old one draining). */
  unadopted: Set<ChildProcess>;
}

/** A process started for an engine, not yet (or no longer) the one a worker serves with. */
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

/** How many processes an engine runs: its config's `workers` (auto: one per core) where sockets are shared. */
function workerCount(name: EngineName, config: unknown): number {
  if (!sharesSockets(name)) return 1;
  const workers = (config as { workers?: number | 'auto' } | null)?.workers;
  return workers === 'auto' ? availableParallelism() : typeof workers === 'number' && workers >= 1 ? workers : 1;
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
      const workers = Array.from({ length: workerCount(name, config) }, (_, index): Worker => ({
        index,
        status: 'stopped',
        version: null,
        startedAt: null,
        rssBytes: null,
        heapUsedBytes: null,
        backoffMs: this.backoff.initialMs,
        restartAt: null,
      }));
      this.slots.set(name, {
        name,
        config,
        workers,
        restarts: 0,
        lastExit: null,
        lastError: null,
        upgrade: null,
        busy: Promise.resolve(),
        unadopted: new Set(),
      });
    }
  }

  /** Starts every engine; resolves once each has reported ready or failed its first start. */
  async start(): Promise<void> {
    await Promise.all([...this.slots.values()].map((slot) => this.serialize(slot, () => this.spawnAll(slot))));
  }

  snapshot(): HostSnapshot {
    return { engines: [...this.slots.values()].map((slot) => this.stateOf(slot)), events: [...this.events] };
  }

  /** The RPC client of a running engine (its first running worker), or undefined while none runs. */
  client(name: string): RpcClient | undefined {
    return this.clients(name)[0];
  }

  /** The RPC clients of every running worker of an engine, in worker order. */
  clients(name: string): RpcClient[] {
    const slot = this.slots.get(name as EngineName);
    return slot ? slot.workers.filter((worker) => worker.status === 'running' && worker.client).map((worker) => worker.client!) : [];
  }

  /** Every worker's client by worker index, undefined for a worker not running now. */
  workerClients(name: string): (RpcClient | undefined)[] {
    const slot = this.slots.get(name as EngineName);
    return slot ? slot.workers.map((worker) => (worker.status === 'running' ? worker.client : undefined)) : [];
  }

  /** The config the engine gets when it next starts (an engine's live `configSet` lands here). */
  setConfig(name: EngineName, config: unknown): void {
    const slot = this.slots.get(name);
    if (slot) slot.config = config;
  }

  has(name: string): boolean {
    return this.slots.has(name as EngineName);
  }

  /** Replaces every process of the engine; a restart already running or waiting is joined, not repeated. */
  restart(name: EngineName): Promise<void> {
    const slot = this.slots.get(name);
    if (!slot || this.stopped) return Promise.resolve();
    if (slot.restarting) return slot.restarting;
    const restarting = this.serialize(slot, async () => {
      if (this.stopped) return;
      await Promise.all(slot.workers.map((worker) => this.terminate(worker, 'restart')));
      if (this.stopped) return;
      slot.restarts += 1;
      this.record(name, 'restarting', `${name} restarted by an operator`);
      await this.spawnAll(slot);
    }).finally(() => {
      if (slot.restarting === restarting) slot.restarting = undefined;
    });
    slot.restarting = restarting;
    return restarting;
  }

  /**
   * Replaces the engine's processes, one worker after the other, by new ones from the code on disk
   * without a gap: a new process starts on the same (shared) sockets, must answer a probe, gets the
   * old one's state (the DNS cache), and only then does the old one drain and exit. A failure
   * before a swap kills that new process and leaves the old one serving (rolled back); workers
   * already upgraded stay upgraded.
   */
  async upgrade(name: EngineName): Promise<EngineUpgrade> {
    const slot = this.slots.get(name);
    if (!slot || !sharesSockets(name)) throw new ApiError('E_UPGRADE_UNSUPPORTED', `the ${name} engine cannot be upgraded in place; restart it instead`);
    if (slot.upgrading) throw new ApiError('E_UPGRADE_RUNNING', `an upgrade of ${name} is already running`);
    slot.upgrading = true;
    try {
      return await this.serialize(slot, () => this.upgradeNow(slot));
    } finally {
      slot.upgrading = false;
    }
  }

  private async upgradeNow(slot: Slot): Promise<EngineUpgrade> {
    const { name } = slot;
    if (this.stopped) throw new ApiError('E_ENGINE_UNAVAILABLE', `the host is stopping; ${name} is not upgraded`);
    if (slot.workers.some((worker) => worker.status !== 'running' || !worker.child)) {
      throw new ApiError('E_ENGINE_UNAVAILABLE', `the ${name} engine is not running in full (${this.stateOf(slot).status}); upgrade it once every worker runs`);
    }
    const upgrade: EngineUpgrade = { phase: 'starting', from: slot.workers[0]!.version, to: null, startedAt: Date.now(), finishedAt: null, message: '' };
    const step = (phase: EngineUpgrade['phase'], message: string) => {
      Object.assign(upgrade, { phase, message });
      slot.upgrade = { ...upgrade };
      this.changed();
    };
    this.record(
      name,
      'upgrading',
      `${name}: upgrade started (${upgrade.from ?? 'unknown version'}, ${slot.workers.length} worker${slot.workers.length > 1 ? 's' : ''})`,
    );
    const drains: number[] = [];
    for (const worker of slot.workers) {
      const label = slot.workers.length > 1 ? `worker ${worker.index}: ` : '';
      if (this.stopped || !worker.child) {
        step('rolled back', `${label}${this.stopped ? 'the host is stopping' : 'the worker is not running'}; not upgraded`);
        return this.finish(slot, upgrade);
      }
      const old = { child: worker.child, client: worker.client!, exited: worker.exited!, version: worker.version, startedAt: worker.startedAt };
      step('starting', `${label}starting a new process from the code on disk`);
      const candidate = this.launch(slot, worker.index);
      this.untracked(slot, candidate.child);
      try {
        if (!(await candidate.ready)) throw new Error('the new process exited or did not report ready');
        if (this.stopped) throw new Error('the host is stopping');
        upgrade.to = candidate.version;
        step('probing', `${label}pid ${candidate.child.pid} started; asking it a probe query`);
        await requestHandover(candidate.child, 'probe', undefined, handoverStepMs);
        step('carrying state', `${label}probe answered; carrying the state over`);
        const state = await requestHandover(old.child, 'export', undefined, handoverStepMs);
        await requestHandover(candidate.child, 'import', state, handoverStepMs);
      } catch (err) {
        candidate.child.kill('SIGKILL');
        await candidate.exited;
        candidate.client.close();
        const reason = err instanceof Error ? err.message : String(err);
        step('rolled back', `${label}rolled back, pid ${old.child.pid} keeps serving: ${reason}`);
        this.record(name, 'upgrade failed', `${name}: ${label}upgrade rolled back: ${reason}`);
        return this.finish(slot, upgrade);
      }
      worker.draining = { pid: old.child.pid ?? 0, version: old.version, startedAt: old.startedAt };
      slot.unadopted.delete(candidate.child);
      this.untracked(slot, old.child);
      this.adopt(slot, worker, candidate);
      worker.status = 'running';
      this.emit('ready', name);
      step('draining', `${label}pid ${candidate.child.pid} serves; pid ${old.child.pid} answers what it read and exits`);
      const drainMs = this.options.drainTimeoutMs ?? 5000;
      const drainStarted = Date.now();
      await requestHandover(old.child, 'drain', drainMs, drainMs + handoverStepMs).catch((err: Error) =>
        this.options.log.warn('old engine process did not drain cleanly', { engine: name, error: err.message }),
      );
      const killTimer = setTimeout(() => old.child.kill('SIGKILL'), this.options.stopTimeoutMs ?? 5000);
      sendControl(old.child, { kind: 'shutdown' });
      await old.exited;
      clearTimeout(killTimer);
      old.client.close();
      worker.draining = undefined;
      drains.push(Date.now() - drainStarted);
    }
    const pids = slot.workers.map((worker) => worker.child?.pid).join(', ');
    step('done', `runs ${upgrade.to} (pid ${pids}); the old process${drains.length > 1 ? 'es' : ''} drained in ${drains.join(', ')} ms`);
    this.record(name, 'upgraded', `${name}: upgraded to ${upgrade.to} (pid ${pids})`);
    return this.finish(slot, upgrade);
  }

  /** Runs `operation` once every lifecycle operation asked for before on this engine has ended. */
  private serialize<T>(slot: Slot, operation: () => Promise<T>): Promise<T> {
    const run = slot.busy.then(operation);
    slot.busy = run.catch(() => {});
    return run;
  }

  /** Counts a process no worker serves with until it exits, so that stop() ends it too. */
  private untracked(slot: Slot, child: ChildProcess): void {
    slot.unadopted.add(child);
    child.once('exit', () => slot.unadopted.delete(child));
  }

  /**
   * Stops every engine (shutdown message, then SIGKILL after the timeout); no restarts after. Resolves
   * once every process of every engine has exited and every operation in flight has ended.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    const slots = [...this.slots.values()];
    const stopTimeoutMs = this.options.stopTimeoutMs ?? 5000;
    await Promise.all(
      slots.flatMap((slot) => [
        ...[...slot.unadopted].map((child) => endProcess(child, stopTimeoutMs)),
        ...slot.workers.map(async (worker) => {
          if (worker.child) return this.terminate(worker, 'stop');
          clearTimeout(worker.restartTimer);
          worker.restartAt = null;
          if (worker.status !== 'stopped') {
            worker.status = 'stopped';
            this.record(slot.name, 'stopped', `${this.nameOf(slot, worker)} stopped while waiting to restart`);
          }
        }),
      ]),
    );
    await Promise.all(slots.map((slot) => slot.busy));
  }

  private finish(slot: Slot, upgrade: EngineUpgrade): EngineUpgrade {
    upgrade.finishedAt = Date.now();
    slot.upgrade = { ...upgrade };
    this.changed();
    return { ...upgrade };
  }

  /** The engine as one: running while any worker runs; its processes listed one by one. */
  private stateOf(slot: Slot): EngineState {
    const running = slot.workers.filter((worker) => worker.status === 'running');
    const first = running[0] ?? slot.workers.find((worker) => worker.child) ?? slot.workers[0]!;
    const statuses = slot.workers.map((worker) => worker.status);
    const status: EngineState['status'] =
      running.length > 0 ? 'running' : ((['starting', 'stopping', 'crashed', 'failed'] as const).find((s) => statuses.includes(s)) ?? 'stopped');
    const sum = (values: (number | null)[]) =>
      values.some((value) => value !== null) ? values.reduce<number>((total, value) => total + (value ?? 0), 0) : null;
    const processes: EngineState['processes'] = [];
    for (const worker of slot.workers) {
      if (worker.draining)
        processes.push({
          worker: worker.index,
          pid: worker.draining.pid,
          status: 'draining',
          version: worker.draining.version,
          startedAt: worker.draining.startedAt ?? Date.now(),
          rssBytes: null,
        });
      if (worker.child?.pid && (worker.status === 'running' || worker.status === 'starting')) {
        processes.push({
          worker: worker.index,
          pid: worker.child.pid,
          status: worker.status,
          version: worker.version,
          startedAt: worker.startedAt ?? Date.now(),
          rssBytes: worker.rssBytes,
        });
      }
    }
    const restartAt = slot.workers.map((worker) => worker.restartAt).filter((at): at is number => at !== null);
    return {
      name: slot.name,
      status,
      version: first.version,
      processes,
      upgrade: slot.upgrade,
      pid: first.child?.pid ?? null,
      restarts: slot.restarts,
      startedAt: first.startedAt,
      rssBytes: sum(slot.workers.map((worker) => worker.rssBytes)),
      heapUsedBytes: sum(slot.workers.map((worker) => worker.heapUsedBytes)),
      lastExit: slot.lastExit,
      restartAt: restartAt.length > 0 ? Math.min(...restartAt) : null,
      lastError: slot.lastError,
    };
  }

  private nameOf(slot: Slot, worker: Worker): string {
    return slot.workers.length > 1 ? `${slot.name} worker ${worker.index}` : slot.name;
  }

  private async spawnAll(slot: Slot): Promise<void> {
    await Promise.all(slot.workers.map((worker) => this.spawn(slot, worker)));
  }

  private async spawn(slot: Slot, worker: Worker): Promise<void> {
    // One process per worker, always: a worker that has one (a restart timer that fired late) keeps it.
    if (worker.child || this.stopped) return;
    worker.intendedExit = undefined;
    const launched = this.launch(slot, worker.index);
    this.adopt(slot, worker, launched);
    const served = () => worker.child === launched.child;
    if ((await launched.ready) && served()) {
      worker.status = 'running';
      slot.lastError = null;
      this.record(slot.name, 'started', `${this.nameOf(slot, worker)} running (pid ${launched.child.pid})`);
      this.emit('ready', slot.name);
    }
  }

  /** Starts a process for a worker of the engine and sends it its config; it serves nobody until adopted. */
  private launch(slot: Slot, index: number): Launched {
    const name = slot.name;
    const child = this.fork(name, slot.workers.length);
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
    sendControl(child, { kind: 'init', engine: name, config: slot.config, dataDir: this.options.dataDir, worker: { index, count: slot.workers.length } });
    return launched;
  }

  private fork(name: EngineName, processes: number): ChildProcess {
    // A TypeScript entry (tests, development) runs through tsx; the built one is plain JS.
    const execArgv = [...(this.entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : []), ...engineNodeFlags(name, processes)];
    const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];
    if (!sharesSockets(name)) {
      return fork(this.entry, [name], { execArgv, serialization: 'advanced', env: this.options.env ?? process.env, stdio });
    }
    // Forked as a cluster worker: the sockets it binds are created by this process and shared
    // (SCHED_NONE: every process reads the same kernel socket), so they outlive any one engine
    // process, several workers serve them, and a new one serves on them before the old one lets go.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: this.entry, args: [name], execArgv, serialization: 'advanced', stdio });
    return cluster.fork(this.options.env ?? {}).process;
  }

  /** Makes `launched` the process a worker serves with. */
  private adopt(slot: Slot, worker: Worker, launched: Launched): void {
    const { child } = launched;
    Object.assign(worker, {
      child,
      client: launched.client,
      exited: launched.exited,
      status: 'starting',
      startedAt: Date.now(),
      rssBytes: null,
      heapUsedBytes: null,
      restartAt: null,
      version: null,
    });
    void launched.ready.then(() => {
      if (worker.child === child) worker.version = launched.version;
    });
    onControl(child, (message) => {
      if (message.kind === 'heartbeat' && worker.child === child) {
        worker.rssBytes = message.rssBytes;
        worker.heapUsedBytes = message.heapUsedBytes;
      }
      if (message.kind === 'startFailed' && worker.child === child) {
        worker.startFailure = { ...message.failure, at: Date.now() };
        slot.lastError = worker.startFailure;
        this.changed();
      }
      // A process replaced by an upgrade passes on what it can no longer finish.
      if (message.kind === 'passOn' && worker.child && worker.child !== child) sendControl(worker.child, message);
    });
    child.once('exit', (code, signal) => this.onExit(slot, worker, child, code, signal));
    this.changed();
  }

  private onExit(slot: Slot, worker: Worker, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (worker.child !== child) return;
    const name = this.nameOf(slot, worker);
    const ranMs = Date.now() - (worker.startedAt ?? Date.now());
    worker.client?.close();
    const failure = worker.startFailure;
    Object.assign(worker, {
      child: undefined,
      client: undefined,
      startedAt: null,
      rssBytes: null,
      heapUsedBytes: null,
      version: null,
      startFailure: undefined,
    });
    slot.lastExit = { code, signal, at: Date.now() };
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;

    if (worker.intendedExit || this.stopped) {
      worker.status = 'stopped';
      if (worker.intendedExit !== 'restart') this.record(slot.name, 'stopped', `${name} stopped`);
      this.changed();
      return;
    }
    if (failure && !failure.retrying) {
      // The same start fails the same way: restarting would only crash-loop. An operator's restart tries again.
      worker.status = 'failed';
      this.options.log.error('engine cannot start; not restarting it', { engine: slot.name, worker: worker.index, code: failure.code, error: failure.message });
      this.record(slot.name, 'failed', `${name} cannot start: ${failure.message} [${failure.code}]. Not restarting it: ${failure.hint}`);
      return;
    }
    if (ranMs >= this.backoff.resetAfterMs) worker.backoffMs = this.backoff.initialMs;
    const delay = worker.backoffMs;
    worker.backoffMs = Math.min(worker.backoffMs * 2, this.backoff.maxMs);
    worker.status = 'crashed';
    worker.restartAt = Date.now() + delay;
    const others = slot.workers.filter((other) => other.status === 'running').length;
    this.options.log.warn('engine crashed; restarting', { engine: slot.name, worker: worker.index, code, signal, restartInMs: delay });
    const why = failure ? ` at start: ${failure.message} [${failure.code}]` : '';
    this.record(
      slot.name,
      'crashed',
      `${name} ${how}${why}; restarting in ${formatDelay(delay)}${others > 0 ? ` (${others} other worker${others > 1 ? 's' : ''} serving)` : ''}`,
    );
    worker.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      slot.restarts += 1;
      void this.spawn(slot, worker);
    }, delay);
  }

  private async terminate(worker: Worker, why: 'stop' | 'restart'): Promise<void> {
    clearTimeout(worker.restartTimer);
    worker.restartAt = null;
    const child = worker.child;
    if (!child) return;
    worker.intendedExit = why;
    worker.status = 'stopping';
    this.changed();
    const killTimer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs ?? 5000);
    sendControl(child, { kind: 'shutdown' });
    if (!child.connected) child.kill('SIGTERM');
    await worker.exited;
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

/** Asks a process no worker serves with to shut down, killing it after the timeout. */
async function endProcess(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const killTimer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  sendControl(child, { kind: 'shutdown' });
  if (!child.connected) child.kill('SIGTERM');
  await exited;
  clearTimeout(killTimer);
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
