// How a reload rebuilds the chain (engine/dns/modules.ts, each module's setup.ts): a module whose
// part of the config did not change is kept as the same object (the cache its entries, forward
// its health state, rrl its accounts); the cache is rebuilt when flatten changes too, since it
// holds answers as flatten shaped them; only replaced modules are closed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dnsConfig, type DnsConfigInput } from '../../../engine/api/dns.ts';
import { moduleNames } from '../../../engine/dns/chain.ts';
import { buildModules, chainOf, closeModules, statsOf, type Modules } from '../../../engine/dns/modules.ts';
import { QueryLog } from '../../../engine/dns/modules/querylog/querylog.ts';
import { Traffic } from '../../../engine/dns/modules/querylog/traffic.ts';

// Nothing listens on port 9 and no health checks run: the forward pool holds sockets only.
const base: DnsConfigInput = { upstreams: ['127.0.0.1:9'], healthCheck: { enabled: false }, rrl: { enabled: true }, flatten: { names: ['www.example.test'] } };

function setUp() {
  const parts = { querylog: new QueryLog(dnsConfig.parse({}).querylog), traffic: new Traffic() };
  const built = buildModules(dnsConfig.parse(base), parts);
  const reload = (change: DnsConfigInput) => buildModules(dnsConfig.parse({ ...base, ...change }), parts, built);
  return { parts, built, reload };
}

const kept = (before: Modules, after: Modules) => moduleNames.filter((name) => before[name] === after[name]);

describe('reloading the DNS module chain', () => {
  it('builds every module of the chain the config leaves in, in the order of chain.ts', () => {
    const { built } = setUp();
    assert.deepEqual(
      chainOf(built.modules).map((module) => module.name),
      ['querylog', 'rrl', 'cache', 'flatten', 'forward'],
    );
    closeModules(built.modules);
  });

  it('keeps every module when the config did not change', () => {
    const { built, reload } = setUp();
    const next = reload({});
    assert.deepEqual(kept(built.modules, next.modules), [...moduleNames]);
    closeModules(built.modules);
  });

  it('rebuilds only the module whose section changed', () => {
    const { built, reload } = setUp();
    assert.deepEqual(kept(built.modules, reload({ rrl: { enabled: true, slip: 3 } }).modules), ['querylog', 'cache', 'flatten', 'forward']);
    assert.deepEqual(kept(built.modules, reload({ cache: { maxTtl: 60 } }).modules), ['querylog', 'rrl', 'flatten', 'forward']);
    const forwardChanged = reload({ policy: 'first-available' });
    assert.deepEqual(kept(built.modules, forwardChanged.modules), ['querylog', 'rrl', 'cache', 'flatten']);
    closeModules(forwardChanged.modules, built.modules);
    closeModules(built.modules);
  });

  it('empties the cache when flatten changed (it holds answers as flatten shaped them)', () => {
    const { built, reload } = setUp();
    assert.deepEqual(kept(built.modules, reload({ flatten: { names: ['other.example.test'] } }).modules), ['querylog', 'rrl', 'forward']);
    closeModules(built.modules);
  });

  it('leaves a module out that its config turns off, and reports its stats as null', () => {
    const { built, reload, parts } = setUp();
    const next = reload({ rrl: { enabled: false }, cache: { enabled: false }, flatten: { names: [] } });
    assert.deepEqual(
      chainOf(next.modules).map((module) => module.name),
      ['querylog', 'forward'],
    );
    const stats = statsOf(next.modules, parts);
    assert.deepEqual([stats.rrl, stats.cache, stats.hitRatio], [null, null, null]);
    assert.deepEqual(
      stats.upstreams.map((upstream) => upstream.address),
      ['127.0.0.1:9'],
    );
    closeModules(built.modules);
  });
});
