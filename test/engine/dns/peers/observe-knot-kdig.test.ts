// What the console shows of real traffic: kdig through the DNS engine to Knot, then stats,
// per-second history, one decoded packet, and the pcap export read back by tcpdump.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { DnsSecond, QueryLogEntry } from '../../../../engine/api/dns.ts';
import type { ResponseOf } from '../../../../engine/api/index.ts';
import { tempDir } from '../../../helpers/host.ts';
import { kdig, startDnsBehindKnot, type DnsBehindKnot } from '../../../helpers/knot.ts';
import { waitFor } from '../../../helpers/wait.ts';

const run = promisify(execFile);
let dns: DnsBehindKnot;
const seconds: DnsSecond[] = [];
let stopSeconds: () => void;
before(async () => {
  dns = await startDnsBehindKnot({ querylog: { capture: 50 } });
  stopSeconds = dns.engine.streams['dns.seconds']!({}, (second) => seconds.push(second));
  await kdig(dns.port, ['www.example.test', 'A']);
  await kdig(dns.port, ['WWW.example.test', 'A']);
  await kdig(dns.port, ['nope.example.test', 'A']);
  await kdig(dns.port, ['+tcp', 'txt.example.test', 'TXT']);
});
after(async () => {
  stopSeconds?.();
  await dns?.stop();
});

const call = <M extends 'dns.packet' | 'dns.pcap' | 'dns.history' | 'dns.recentQueries'>(method: M, params: object) =>
  dns.engine.procedures[method]!(params as never) as Promise<ResponseOf<M>> | ResponseOf<M>;

describe('dns observation (knot, kdig)', () => {
  it('counts rcodes, the cache hit ratio and queries per second', async () => {
    const stats = await dns.stats();
    assert.equal(stats.rcodes.NOERROR, 3);
    assert.equal(stats.rcodes.NXDOMAIN, 1);
    assert.equal(stats.hitRatio, 1 / 4, 'the second www query was a hit');
    assert.ok(stats.startedAt <= Date.now());
    await waitFor(async () => (await dns.stats()).qps > 0, 'qps over the last seconds');
  });

  it('keeps per-second history and streams each finished second', async () => {
    await waitFor(() => seconds.reduce((sum, s) => sum + s.queries, 0) === 4, 'the 4 queries in the seconds stream', 5000);
    const { seconds: history } = await call('dns.history', { seconds: 60 });
    assert.ok(history.length >= 1 && history.length <= 60, 'only the seconds since the engine started');
    assert.ok(Date.now() - history.at(-1)!.at < 3000, 'up to the last whole second');
    assert.equal(
      history.reduce((sum, s) => sum + s.queries, 0),
      4,
    );
    assert.equal(
      history.reduce((sum, s) => sum + s.hits, 0),
      1,
    );
    assert.equal(
      history.reduce((sum, s) => sum + s.nxdomain, 0),
      1,
    );
  });

  it('decodes a captured query and its answer', async () => {
    const { entries } = await call('dns.recentQueries', { filter: { qname: 'nope' }, limit: 1 });
    const { entry, query, answer } = await call('dns.packet', { seq: (entries[0] as QueryLogEntry).seq });
    assert.equal(entry.qname, 'nope.example.test');
    assert.deepEqual(query.questions, [{ name: 'nope.example.test', type: 'A', class: 'IN' }]);
    assert.equal(answer!.rcode, 'NXDOMAIN');
    assert.equal(answer!.authorities[0]!.type, 'SOA');
    assert.ok(answer!.flags.includes('qr'));
    await assert.rejects(
      Promise.resolve().then(() => call('dns.packet', { seq: 10_000 })),
      { code: 'E_DNS_NOT_CAPTURED' },
    );
  });

  it('exports the capture as a pcap that tcpdump reads, UDP and TCP', async () => {
    const pcap = await call('dns.pcap', { limit: 100 });
    assert.equal(pcap.packets, 8);
    assert.match(pcap.fileName, /^signalbox-dns-.*\.pcap$/);
    const file = join(tempDir('pcap'), pcap.fileName);
    writeFileSync(file, Buffer.from(pcap.base64, 'base64'));
    const { stdout } = await run('tcpdump', ['-r', file, '-n', '-vv', '-T', 'domain'], { timeout: 10_000 });
    assert.doesNotMatch(stdout, /bad|incorrect/i);
    assert.equal(stdout.match(new RegExp(`> 127\\.0\\.0\\.1\\.${dns.port}: \\d+\\+ A\\? www\\.example\\.test\\.`, 'g'))?.length, 2);
    assert.match(stdout, new RegExp(`127\\.0\\.0\\.1\\.${dns.port} > .*NXDomain.* q: A\\? nope\\.example\\.test\\.`));
    assert.match(stdout, /Flags \[P\.\], cksum 0x[0-9a-f]+ \(correct\).*TXT\? txt\.example\.test\./s);
  });
});
