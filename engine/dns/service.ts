// One running DNS proxy: listeners, the module chain and what watches it (query log, per-second
// traffic, packet capture). `apply` reloads a config while serving: the new chain is swapped in
// for the next query, queries in flight finish on the old one, sockets stay open.
import { join } from 'node:path';
import type { DnsConfig, DnsStats } from '../api/dns.ts';
import type { Logger } from '../api/engine.ts';
import { cookieMasterKey } from './cookies.ts';
import { buildModules, chainOf, closeModules, statsOf, type Modules, type Sections } from './modules.ts';
import { Dnstap } from './modules/dnstap/dnstap.ts';
import { PacketCapture } from './modules/querylog/capture.ts';
import { QueryLog } from './modules/querylog/querylog.ts';
import { Traffic } from './modules/querylog/traffic.ts';
import type { CompiledRoute } from './modules/forward/routes.ts';
import { Pipeline, type DnsModule, type QueryContext } from './pipeline.ts';
import { DnsServer, type PassedAnswer, type ServerSettings } from './server.ts';
import { readIdentity } from './tls.ts';
import { nsQuery, parseQuery } from './wire.ts';

/** In the data folder: the key DNS server cookies are made with (32 bytes, mode 0600). */
const cookieKeyFile = 'dns-cookie.key';

function serverSettings(config: DnsConfig): ServerSettings {
  return {
    listen: config.listen,
    queryTimeoutMs: config.queryTimeoutMs,
    tcpIdleTimeoutMs: config.tcp.idleTimeoutMs,
    tcpMaxConnections: config.tcp.maxConnections,
    udpReceiveBufferBytes: config.udpReceiveBufferBytes,
    // Read at start and on every config change, so a renewed certificate is taken by `dns.configSet` or an upgrade (SIGHUP).
    tls: config.tls.certFile && config.tls.keyFile ? readIdentity(config.tls.certFile, config.tls.keyFile) : null,
  };
}

function makeDnstap(config: DnsConfig, log: Logger): Dnstap | null {
  const { enabled, address, ...options } = config.dnstap;
  return enabled && address ? new Dnstap({ ...options, address, reconnectMinMs: 100 }, log.child('dnstap')) : null;
}

export class DnsService {
  readonly traffic = new Traffic();
  readonly querylog: QueryLog;
  readonly capture: PacketCapture;
  private readonly log: Logger;
  private readonly startedAt = Date.now();
  private readonly moduleErrors: Record<string, number> = {};
  private servfail = 0;
  private current: {
    config: DnsConfig;
    sections: Sections;
    modules: Modules;
    /** By route index: the chain that route's queries take (without cache or rrl where the route turns them off). */
    pipelines: Pipeline[];
  };
  /** dnstap output, when on: replaced only when its config section changes (the connection stays up through other reloads). */
  private dnstap: Dnstap | null;
  private readonly server: DnsServer;
  /** Reloads run one at a time: a second one waits for the first. */
  private reloading: Promise<unknown> = Promise.resolve();

  /**
   * `passOn`: where answers go that this process cannot send once it drained (an upgrade);
   * `worker`: which of the engine's processes this is (query log numbers are unique across them);
   * `dataDir`: where the DNS cookie key file is kept.
   */
  constructor(config: DnsConfig, log: Logger, passOn?: (answer: PassedAnswer) => void, worker?: { index: number; count: number }, dataDir?: string) {
    this.log = log;
    this.querylog = new QueryLog(config.querylog, (entry) => this.traffic.observe(entry), worker);
    this.capture = new PacketCapture(config.querylog.capture);
    this.dnstap = makeDnstap(config, log);
    this.current = this.assemble(config);
    this.server = new DnsServer({
      ...serverSettings(config),
      // One key file in the data folder: every worker and the process taking over in an upgrade make and accept the same cookies.
      cookieMasterKey: dataDir ? cookieMasterKey(join(dataDir, cookieKeyFile)) : null,
      resolve: (ctx) => this.pipelineOf(ctx).run(ctx),
      resolveNow: (ctx) => this.pipelineOf(ctx).runNow(ctx),
      admitError: (client, transport) => this.current.modules.rrl?.admitOwnError(client, transport) ?? true,
      ...(passOn ? { passOn } : {}),
      onReply: (ctx, reply) => {
        this.dnstap?.client(ctx, reply);
        const entry = ctx.meta.logged;
        if (entry) this.capture.record({ entry, client: ctx.client, server: ctx.local, query: ctx.query, reply, answeredAt: entry.at });
      },
    });
  }

  get config(): DnsConfig {
    return this.current.config;
  }

  get modules(): Modules {
    return this.current.modules;
  }

  /** The route the query's name takes (noted for the query log) and that route's chain. */
  private pipelineOf(ctx: QueryContext): Pipeline {
    const route = this.current.modules.forward.routes.match(ctx.query);
    ctx.meta.route = route.zone;
    return this.current.pipelines[route.index]!;
  }

  async start(): Promise<void> {
    await this.server.start();
    this.log.info('dns engine listening', {
      listen: this.server.listening.map((l) => `${l.transport}/${l.address}`),
      upstreams: this.current.modules.forward.stats().map((u) => `${u.pool}/${u.address}`),
      routes: this.current.modules.forward.routes.routes.map((r) => `${r.zone} -> ${r.pool}`),
    });
  }

  /** Applies a validated config while serving; rejects (changing nothing) when a new address cannot be bound. */
  apply(config: DnsConfig): Promise<{ listenersChanged: boolean }> {
    const run = this.reloading.then(async () => {
      const previous = this.current;
      const previousDnstap = this.dnstap;
      const dnstapChanged = JSON.stringify(config.dnstap) !== JSON.stringify(previous.config.dnstap);
      if (dnstapChanged) this.dnstap = makeDnstap(config, this.log);
      const next = this.assemble(config, previous);
      let listenersChanged: boolean;
      try {
        ({ listenersChanged } = await this.server.update(serverSettings(config)));
      } catch (err) {
        closeModules(next.modules, previous.modules);
        if (dnstapChanged) {
          void this.dnstap?.close();
          this.dnstap = previousDnstap;
          previous.modules.forward.setTap(previousDnstap?.forwarder ? previousDnstap : null);
        }
        throw err;
      }
      if (dnstapChanged) void previousDnstap?.close();
      this.current = next;
      this.querylog.reconfigure(config.querylog);
      this.capture.resize(config.querylog.capture);
      // A replaced module (the old forward, whose pools the new one does not share) may still carry queries: close it once their deadline has passed.
      setTimeout(() => closeModules(previous.modules, next.modules), previous.config.queryTimeoutMs).unref();
      this.log.info('dns config applied', { listenersChanged, modules: next.pipelines.at(-1)!.modules.map((m) => m.name) });
      return { listenersChanged };
    });
    this.reloading = run.catch(() => {});
    return run;
  }

  stats(): DnsStats {
    return {
      ...this.server.counters,
      requests: this.server.requests.snapshot(),
      startedAt: this.startedAt,
      servfail: this.servfail,
      moduleErrors: { ...this.moduleErrors },
      dnstap: this.dnstap?.stats() ?? null,
      listening: this.server.listening,
      ...statsOf(this.current.modules, this),
    };
  }

  /**
   * Resolves once this process answers a query through its own pipeline (any rcode: an upstream
   * that is down is not the new code's fault), so an upgrade never hands over to a process that
   * cannot answer.
   */
  async probe(): Promise<void> {
    if (this.server.listening.length === 0) throw new Error('no listener is bound');
    const name = this.config.healthCheck.probeName;
    const query = nsQuery(name, { id: Math.floor(Math.random() * 0x10000), recursionDesired: true });
    const parsed = parseQuery(query);
    if (!parsed) throw new Error(`the probe name ${name} makes no valid query`);
    const receivedAt = performance.now();
    const local = { address: '127.0.0.1', port: 0 };
    const ctx: QueryContext = {
      query,
      parsed,
      cookie: null,
      client: local,
      local,
      transport: 'udp',
      maxSize: 0xffff,
      receivedAt,
      deadline: receivedAt + this.config.queryTimeoutMs,
      meta: {},
    };
    const answer = await this.pipelineOf(ctx).run(ctx);
    if (!answer || answer.readUInt16BE(0) !== query.readUInt16BE(0)) throw new Error(`no answer to the probe ${name} NS`);
  }

  /** Sends an answer a draining process passed on; false when no listener of that address is open here. */
  takeOver(answer: PassedAnswer): boolean {
    return this.server.sendPassed({ ...answer, answer: Buffer.from(answer.answer) });
  }

  /** Stops reading the shared sockets and answers what was read (see DnsServer.drain). */
  drain(timeoutMs: number): Promise<void> {
    return this.server.drain(timeoutMs);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    this.querylog.close();
    this.traffic.close();
    closeModules(this.current.modules);
    await this.dnstap?.close();
  }

  private assemble(config: DnsConfig, previous?: DnsService['current']): DnsService['current'] {
    const { sections, modules } = buildModules(config, this, previous);
    modules.forward.setTap(this.dnstap?.forwarder ? this.dnstap : null);
    const onModuleError = (module: string) => {
      this.moduleErrors[module] = (this.moduleErrors[module] ?? 0) + 1;
      this.servfail++;
    };
    // One chain per combination of the route switches (at most four), shared by the routes that have it.
    const variants = new Map<string, Pipeline>();
    const chainFor = ({ cache, rrl }: CompiledRoute): Pipeline => {
      const key = `${cache}|${rrl}`;
      let pipeline = variants.get(key);
      if (!pipeline) {
        const skipped = new Set<DnsModule | null>([cache ? null : modules.cache, rrl ? null : modules.rrl]);
        pipeline = new Pipeline(
          chainOf(modules).filter((module) => !skipped.has(module)),
          this.log,
          onModuleError,
        );
        variants.set(key, pipeline);
      }
      return pipeline;
    };
    return { config, sections, modules, pipelines: modules.forward.routes.routes.map(chainFor) };
  }
}
