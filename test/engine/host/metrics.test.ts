// Prometheus text at /metrics in serve, with the DNS engine running in front of Knot and the
// Railgun pair in front of a small origin.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dnsConfig } from '../../../engine/api/dns.ts';
import { railgunConfig, type RailgunStatus } from '../../../engine/api/railgun.ts';
import { defaultConfig } from '../../../engine/host/config.ts';
import { startServe, type Served } from '../../../engine/host/serve.ts';
import { Type } from '../../../engine/dns/wire.ts';
import { askUdp, encodeQuery } from '../../helpers/dns.ts';
import { apiTokenOf } from '../../helpers/serve-auth.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { freePort, kdig, startKnot, type Knot } from '../../helpers/knot.ts';
import { waitFor } from '../../helpers/wait.ts';

let knot: Knot;
let served: Served;
let dnsPort: number;
let origin: http.Server;
before(async () => {
  origin = http.createServer((request, response) =>
    request.url === '/broken'
      ? response.writeHead(500).end()
      : response.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${'page '.repeat(1000)}${Date.now()}</p>`),
  );
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  knot = await startKnot();
  dnsPort = await freePort();
  const config = defaultConfig();
  config.engines.dns = dnsConfig.parse({ enabled: true, listen: [`127.0.0.1:${dnsPort}`], upstreams: [`127.0.0.1:${knot.port}`] });
  config.engines.railgun = railgunConfig.parse({ enabled: true, origin: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, listen: '127.0.0.1:0' });
  const rendererDir = join(tempDir('renderer'), 'dist');
  mkdirSync(rendererDir, { recursive: true });
  served = await startServe({ config, host: '127.0.0.1', port: 0, dataDir: tempDir('serve'), rendererDir, version: '0.0.0-test', log: quietLog });
  await waitFor(() => served.host.supervisor.snapshot().engines.every((e) => e.status === 'running'), 'the engines to run');
  // What a Prometheus job holds: an API token an admin made for /metrics only.
  token = await apiTokenOf(served, 'viewer', 'metrics');
});
after(async () => {
  await served?.close();
  await knot?.stop();
  origin?.closeAllConnections();
  origin?.close();
});

let token: string;
const scrape = (headers: Record<string, string> = { authorization: `Bearer ${token}` }) => fetch(`http://127.0.0.1:${served.port}/metrics`, { headers });

/** The value of one sample line, e.g. sample(text, 'signalbox_dns_queries_total'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics in serve', () => {
  it('refuses a scrape without an API token', async () => {
    assert.equal((await scrape({})).status, 401);
    assert.equal((await scrape({ authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await fetch(`http://127.0.0.1:${served.port}/metrics?token=${token}`)).status, 401, 'never in the URL');
  });

  it('exports engine state and DNS counters in the Prometheus text format', async () => {
    await kdig(dnsPort, ['www.example.test', 'A']);
    await kdig(dnsPort, ['www.example.test', 'A']);
    await kdig(dnsPort, ['nope.example.test', 'A']);
    const res = await scrape();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const line of text
      .trim()
      .split('\n')
      .filter((l) => l !== '')) {
      assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{(\w+="[^"]*",?)+\})? -?[\d.e+-]+)$/, `not a valid exposition line: ${line}`);
    }
    assert.equal(sample(text, 'signalbox_engine_up{engine="dns"}'), 1);
    assert.equal(sample(text, 'signalbox_engine_up{engine="echo"}'), 1);
    assert.equal(sample(text, 'signalbox_dns_queries_total'), 3);
    assert.equal(sample(text, 'signalbox_dns_responses_total{rcode="NOERROR"}'), 2);
    assert.equal(sample(text, 'signalbox_dns_responses_total{rcode="NXDOMAIN"}'), 1);
    assert.equal(sample(text, 'signalbox_dns_cache_lookups_total{result="hit"}'), 1);
    assert.equal(sample(text, `signalbox_dns_upstream_healthy{pool="default",upstream="127.0.0.1:${knot.port}"}`), 1);
    assert.ok(sample(text, `signalbox_dns_upstream_answers_total{pool="default",upstream="127.0.0.1:${knot.port}"}`)! >= 2);
  });

  it('exports the Railgun savings and link state', async () => {
    const up = await waitFor(async () => {
      const status = (await served.host.router.call('railgun.status', {})) as RailgunStatus;
      return status.link.state === 'up' && status;
    }, 'the railgun link');
    for (let i = 0; i < 2; i++) await (await fetch(`http://${up.senderAddress}/page`)).arrayBuffer();
    await (await fetch(`http://${up.senderAddress}/broken`)).arrayBuffer();
    const text = await (await scrape()).text();
    assert.equal(sample(text, 'signalbox_railgun_errors_total{kind="origin-5xx"}'), 1);
    assert.equal(sample(text, 'signalbox_railgun_errors_total{kind="origin-refused"}'), 0);
    assert.equal(sample(text, 'signalbox_railgun_client_refusals_total{reason="full"}'), 0);
    assert.equal(sample(text, 'signalbox_railgun_client_refusals_total{reason="header_timeout"}'), 0);
    assert.ok(sample(text, 'signalbox_railgun_client_connections')! >= 0);
    assert.equal(sample(text, 'signalbox_railgun_requests_total{base="full"}'), 1);
    assert.equal(sample(text, 'signalbox_railgun_requests_total{base="hit"}'), 1);
    assert.equal(sample(text, 'signalbox_railgun_link_up'), 1);
    assert.ok(sample(text, 'signalbox_railgun_link_body_bytes_total')! < sample(text, 'signalbox_railgun_body_bytes_total')!);
  });

  it('exports the same counts under CoreDNS and dnsdist names where they mean the same, and the dropped datagrams', async () => {
    const before = await (await scrape()).text();
    const coredns = 'server="",zone=".",view=""';
    const cache = 'server="",zones=".",view=""';
    // The three queries of the test above: two www A (a miss, then a hit), one nope A (a miss).
    assert.equal(sample(before, `coredns_dns_requests_total{${coredns},proto="udp",family="1",type="A"}`), 3);
    assert.equal(sample(before, `coredns_dns_responses_total{${coredns},rcode="NOERROR",plugin=""}`), 2);
    assert.equal(sample(before, `coredns_dns_responses_total{${coredns},rcode="NXDOMAIN",plugin=""}`), 1);
    assert.equal(sample(before, `coredns_cache_hits_total{${cache}}`), 1);
    assert.equal(sample(before, `coredns_cache_misses_total{${cache}}`), 2);
    assert.equal(sample(before, `coredns_cache_requests_total{${cache}}`), 3);
    assert.equal(sample(before, 'dnsdist_queries'), 3);
    assert.equal(sample(before, 'dnsdist_cache_hits'), 1);
    assert.equal(sample(before, 'dnsdist_cache_misses'), 2);
    assert.equal(sample(before, 'dnsdist_frontend_nxdomain'), 1);
    const backend = `server="127.0.0.1:${knot.port}",address="127.0.0.1:${knot.port}"`;
    assert.equal(sample(before, `dnsdist_server_status{${backend}}`), 1);
    assert.equal(
      sample(before, `dnsdist_server_responses{${backend}}`),
      sample(before, `signalbox_dns_upstream_answers_total{pool="default",upstream="127.0.0.1:${knot.port}"}`),
    );
    assert.equal(sample(before, 'signalbox_dns_dropped_total{reason="response"}'), 0);
    assert.equal(sample(before, 'signalbox_dns_connections_open{transport="tcp"}'), 0);

    // Not queries, never answered: a response (QR=1) and a datagram shorter than a header.
    const response = encodeQuery('www.example.test', Type.A);
    response[2]! |= 0x80;
    assert.equal(await askUdp(dnsPort, response, { timeoutMs: 300 }), null);
    assert.equal(await askUdp(dnsPort, Buffer.from([1, 2, 3, 4, 5]), { timeoutMs: 300 }), null);
    const after = await (await scrape()).text();
    assert.equal(sample(after, 'signalbox_dns_dropped_total{reason="response"}'), 1);
    assert.equal(sample(after, 'signalbox_dns_dropped_total{reason="short"}'), 1);
    assert.equal(sample(after, 'dnsdist_noncompliant_queries'), 2);
  });

  it('counts on across scrapes and drops the DNS series while the engine is down', async () => {
    const before = sample(await (await scrape()).text(), 'signalbox_dns_queries_total')!;
    await kdig(dnsPort, ['txt.example.test', 'TXT']);
    assert.equal(sample(await (await scrape()).text(), 'signalbox_dns_queries_total'), before + 1);
    await served.host.supervisor.stop();
    const text = await (await scrape()).text();
    assert.equal(sample(text, 'signalbox_engine_up{engine="dns"}'), 0);
    assert.equal(sample(text, 'signalbox_dns_queries_total'), undefined, 'no zeros or stale totals from a stopped engine');
  });
});
