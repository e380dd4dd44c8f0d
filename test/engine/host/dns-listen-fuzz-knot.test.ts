// Rapid changes of the DNS engine's listen addresses through the host (dns.configSet, three within
// 30 ms, as a config fuzz sends them), some to an address whose TCP port another program holds:
// the engine's two worker processes never die, every call is answered (applied, or refused with
// E_DNS_CONFIG_REJECTED naming the address), and the last config applied is the one that serves,
// with Knot DNS as the upstream (a real peer) answering through it.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { dnsConfig, type DnsConfig } from '../../../engine/api/dns.ts';
import { createRouter } from '../../../engine/host/router.ts';
import { Supervisor } from '../../../engine/host/supervisor.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { freePort, kdig, startKnot, type Knot } from '../../helpers/knot.ts';

let knot: Knot;
let supervisor: Supervisor;
let router: ReturnType<typeof createRouter>;
let foreign: Server;
let config: DnsConfig;
const pool: string[] = [];
let blocked: string;
let spare: number;

before(async () => {
  knot = await startKnot();
  const [first, second, taken] = [await freePort(), await freePort(), await freePort()];
  spare = await freePort();
  // Another program on the TCP port of one address (its UDP port stays free).
  foreign = createServer();
  await new Promise<void>((resolve) => foreign.listen(taken, '127.0.0.1', resolve));
  blocked = `127.0.0.1:${taken}`;
  pool.push(`127.0.0.1:${first}`, `127.0.0.2:${first}`, `127.0.0.1:${second}`, `127.0.0.3:${second}`, blocked);
  config = dnsConfig.parse({ enabled: true, workers: 2, listen: [pool[0]], upstreams: [`127.0.0.1:${knot.port}`] });
  supervisor = new Supervisor({ engines: [{ name: 'dns', config }], dataDir: tempDir('dns-fuzz'), log: quietLog, backoff: { initialMs: 100 } });
  await supervisor.start();
  router = createRouter(supervisor, { version: 'test', startedAt: Date.now() });
});
after(async () => {
  await supervisor?.stop();
  foreign?.close();
  await knot?.stop();
});

/** A deterministic sequence of listen sets (a small LCG), so a failure can be replayed. */
function* listenSets(seed: number): Generator<string[]> {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (;;) {
    const size = 1 + Math.floor(next() * 3);
    yield [...new Set(Array.from({ length: size }, () => pool[Math.floor(next() * pool.length)]!))];
  }
}

describe('DNS listen addresses changed rapidly through the host (knot upstream)', () => {
  it('survives three changes within 30 ms, in rounds, with a taken TCP port among them; every call is answered', async () => {
    const sets = listenSets(22);
    // The lead of the issue first: the taken address, another, the taken address again.
    const rounds: string[][][] = [[[blocked], [pool[1]!], [blocked, pool[2]!]]];
    for (let round = 0; round < 12; round++) rounds.push([sets.next().value!, sets.next().value!, sets.next().value!]);
    const outcomes: string[] = [];
    for (const round of rounds) {
      const calls = round.map(async (listen, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 10));
        return router.call('dns.configSet', { config: { ...config, listen } }).then(
          () => 'applied',
          (err: { code: string; message: string }) => {
            assert.equal(err.code, 'E_DNS_CONFIG_REJECTED', err.message);
            assert.ok(err.message.includes(blocked), err.message);
            return 'refused';
          },
        );
      });
      outcomes.push(...(await Promise.all(calls)));
    }
    assert.equal(outcomes.length, 39);
    assert.ok(outcomes.includes('applied') && outcomes.includes('refused'), outcomes.join(' '));
    const dns = supervisor.snapshot().engines[0]!;
    assert.equal(dns.restarts, 0);
    assert.deepEqual(
      supervisor.snapshot().events.map((event) => event.kind),
      ['started', 'started'],
    );
    assert.equal(dns.processes.length, 2);
  });

  it('serves on the addresses of the last config applied', async () => {
    const listen = [`127.0.0.1:${spare}`];
    const applied = (await router.call('dns.configSet', { config: { ...config, listen } })) as { config: DnsConfig };
    assert.deepEqual(applied.config.listen, listen);
    const stats = (await router.call('dns.stats', {})) as { listening: { address: string; transport: string }[] };
    assert.deepEqual([...new Set(stats.listening.map((l) => l.address))], listen);
    assert.match(await kdig(spare, ['www.example.test', 'A']), /192\.0\.2\.10/);
    assert.match(await kdig(spare, ['+tcp', 'www.example.test', 'A']), /192\.0\.2\.10/);
  });
});
