// Works out each engine's health from its state and its own status call, every 2 s while someone
// watches: ok, degraded (it serves, but something needs a look) or down (it does not serve), with
// the reasons in words and the key figures the Overview shows. Rates (RRL drops, origin errors)
// are counted between two checks, so an old burst does not keep an engine degraded.
import { EventEmitter } from 'node:events';
import type { DnsStats, RailgunStatus } from '../api/index.ts';
import type { EngineHealth, EngineName, EngineState, HealthFigure, HealthLevel, HostHealth } from '../api/host.ts';
import type { Supervisor } from './supervisor.ts';

export const healthEveryMs = 2000;
/** A status call slower than this counts as no answer: the check must not wait on a stuck engine. */
const statusTimeoutMs = 1500;
/** Trust data (root stores, intermediates) older than this is flagged: stores change every few months. */
export const trustMaxAgeDays = 180;

type Call = (method: string, params: unknown) => Promise<unknown>;

const rank: Record<HealthLevel, number> = { ok: 0, degraded: 1, down: 2 };
const worst = (levels: HealthLevel[]): HealthLevel => levels.reduce<HealthLevel>((a, b) => (rank[b] > rank[a] ? b : a), 'ok');

const figure = (label: string, value: number | null, unit: HealthFigure['unit']): HealthFigure => ({ label, value, unit, text: null });
const words = (label: string, text: string): HealthFigure => ({ label, value: null, unit: 'text', text });

interface Verdict {
  level: HealthLevel;
  reasons: string[];
  figures: HealthFigure[];
}

export class HealthWatch extends EventEmitter<{ health: [HostHealth] }> {
  private timer: ReturnType<typeof setInterval> | undefined;
  private latest: HostHealth | null = null;
  /** Counters of the previous check, for per-interval rates. */
  private readonly previous = new Map<string, number>();

  private readonly supervisor: Supervisor;
  private readonly call: Call;
  private readonly disabled: { name: EngineName; enable: string }[];

  constructor(supervisor: Supervisor, call: Call, disabled: { name: EngineName; enable: string }[]) {
    super();
    this.supervisor = supervisor;
    this.call = call;
    this.disabled = disabled;
  }

  /** The health now (checked at once when nobody watches). */
  async now(): Promise<HostHealth> {
    return this.timer && this.latest ? this.latest : this.check();
  }

  /** Calls `listener` with each check until the returned function is called. */
  watch(listener: (health: HostHealth) => void): () => void {
    this.on('health', listener);
    if (this.latest) listener(this.latest);
    if (!this.timer) {
      void this.check();
      this.timer = setInterval(() => void this.check(), healthEveryMs);
    }
    return () => {
      this.off('health', listener);
      if (this.listenerCount('health') === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private async check(): Promise<HostHealth> {
    const states = this.supervisor.snapshot().engines;
    const engines = await Promise.all(states.map(async (state): Promise<EngineHealth> => ({ name: state.name, ...(await this.judge(state)) })));
    const health: HostHealth = { level: worst(engines.map((engine) => engine.level)), engines, disabled: this.disabled, at: Date.now() };
    this.latest = health;
    this.emit('health', health);
    return health;
  }

  private async judge(state: EngineState): Promise<Verdict> {
    if (state.status !== 'running') return processVerdict(state);
    try {
      return await this.judgeRunning(state.name);
    } catch (err) {
      return {
        level: 'degraded',
        reasons: [`${state.name} runs but did not answer its status call: ${err instanceof Error ? err.message : String(err)}`],
        figures: [],
      };
    }
  }

  private status<T>(method: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${statusTimeoutMs} ms`)), statusTimeoutMs);
    });
    return Promise.race([this.call(method, {}) as Promise<T>, late]).finally(() => clearTimeout(timer));
  }

  /** How much a counter grew since the previous check (0 the first time). */
  private grew(key: string, value: number): number {
    const before = this.previous.get(key);
    this.previous.set(key, value);
    return before === undefined ? 0 : Math.max(0, value - before);
  }

  private async judgeRunning(name: EngineName): Promise<Verdict> {
    switch (name) {
      case 'dns':
        return this.judgeDns(await this.status<DnsStats>('dns.stats'));
      case 'railgun':
        return this.judgeRailgun(await this.status<RailgunStatus>('railgun.status'));
      case 'vault': {
        const vault = await this.status<{ initialized: boolean; openOrders: number; live: number; audit: { ok: boolean; reason: string | null } }>(
          'vault.status',
        );
        const reasons: string[] = [];
        if (!vault.audit.ok) reasons.push(`the vault audit chain is broken: ${vault.audit.reason ?? 'an entry was changed or removed'}`);
        if (vault.openOrders > 0) reasons.push(`${vault.openOrders} vault order${vault.openOrders > 1 ? 's' : ''} waiting for approval`);
        if (!vault.initialized) reasons.push('the vault has no accounts yet: create the first admin on the Vault page');
        return {
          level: !vault.audit.ok ? 'down' : reasons.length > 0 ? 'degraded' : 'ok',
          reasons,
          figures: [figure('Open orders', vault.openOrders, 'count'), figure('Live delegations', vault.live, 'count')],
        };
      }
      case 'bundler': {
        const trust = await this.status<{ name: string; dataDate: string }>('bundler.trust');
        const days = Math.floor((Date.now() - Date.parse(trust.dataDate)) / 86_400_000);
        const old = Number.isFinite(days) && days > trustMaxAgeDays;
        return {
          level: old ? 'degraded' : 'ok',
          reasons: old ? [`trust data (${trust.name}) is ${days} days old, older than ${trustMaxAgeDays}: update the root stores and intermediates`] : [],
          figures: [figure('Trust data age', Number.isFinite(days) ? days : null, 'days')],
        };
      }
      default:
        return { level: 'ok', reasons: [], figures: [] };
    }
  }

  private judgeDns(stats: DnsStats): Verdict {
    const enabled = stats.upstreams.filter((upstream) => upstream.enabled);
    const down = enabled.filter((upstream) => !upstream.healthy);
    // No changing counts in a reason: the banner would change every check.
    const pooled = stats.pools.length > 1;
    const reasons = down.map((upstream) => `upstream ${upstream.address}${pooled ? ` (pool ${upstream.pool})` : ''} is down: it failed its health checks`);
    if (enabled.length === 0 && stats.upstreams.length > 0) reasons.push('every upstream is disabled: enable one on the DNS page');
    // Each pool answers its own zones: one whose upstreams are all down fails those names alone.
    for (const pool of pooled ? stats.pools : []) {
      const members = enabled.filter((upstream) => upstream.pool === pool.name);
      if (members.length > 0 && members.every((upstream) => !upstream.healthy) && down.length < enabled.length) {
        reasons.push(`every upstream of pool ${pool.name} is down: names routed to it get stale answers or SERVFAIL`);
      }
    }
    const dropped = this.grew('dns.rrl.dropped', stats.rrl?.dropped ?? 0) + this.grew('dns.rrl.slipped', stats.rrl?.slipped ?? 0);
    if (dropped > 0) reasons.push(`RRL limited ${dropped} answers in the last ${healthEveryMs / 1000} s`);
    const allDown = enabled.length === 0 || down.length === enabled.length;
    return {
      level: stats.upstreams.length > 0 && allDown ? 'down' : reasons.length > 0 ? 'degraded' : 'ok',
      reasons: allDown && enabled.length > 0 ? ['every upstream is down: queries get stale answers or SERVFAIL', ...reasons] : reasons,
      figures: [
        figure('Queries', stats.qps, 'per second'),
        figure('Cache hits', stats.hitRatio, 'ratio'),
        words('Upstreams healthy', `${enabled.length - down.length} of ${enabled.length}`),
      ],
    };
  }

  private judgeRailgun(status: RailgunStatus): Verdict {
    const reasons: string[] = [];
    if (status.error) reasons.push(`the Railgun ends are not running: ${status.error}`);
    if (status.running && status.link.state === 'down') reasons.push(`the link is down${status.link.lastError ? `: ${status.link.lastError}` : ''}`);
    if (status.running && status.link.state === 'connecting') reasons.push('the link is connecting');
    const originErrors = this.grew('railgun.errors', status.totals.errors);
    if (originErrors > 0) reasons.push(`origin unreachable or failing: ${originErrors} requests got 502/504 in the last ${healthEveryMs / 1000} s`);
    const down = status.error !== null || (status.running && status.link.state === 'down');
    const { rawBytes, linkBytes } = status.totals;
    return {
      level: down ? 'down' : reasons.length > 0 ? 'degraded' : 'ok',
      reasons,
      figures: [words('Link', status.running ? status.link.state : 'stopped'), figure('Saved', rawBytes > 0 ? 1 - linkBytes / rawBytes : null, 'ratio')],
    };
  }
}

function processVerdict(state: EngineState): Verdict {
  const error = state.lastError ? `: ${state.lastError.message} [${state.lastError.code}]` : '';
  switch (state.status) {
    case 'failed':
      return { level: 'down', reasons: [`${state.name} cannot start${error}; the host stopped restarting it`], figures: [] };
    case 'crashed':
      return { level: 'down', reasons: [`${state.name} crashed${error}; the host restarts it`], figures: [] };
    case 'starting':
      return { level: 'degraded', reasons: [`${state.name} is starting`], figures: [] };
    default:
      return { level: 'down', reasons: [`${state.name} is ${state.status}`], figures: [] };
  }
}
