// The route table (longest zone wins, label boundaries, RFC 4343 case) and the routing config's
// checks as the YAML loader reports them (key, line, stable code).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dnsConfig } from '../../../../engine/api/dns.ts';
import { RouteTable } from '../../../../engine/dns/modules/forward/routes.ts';
import { ConfigError, parseConfig } from '../../../../engine/host/config.ts';
import { Type } from '../../../../engine/dns/wire.ts';
import { encodeQuery } from '../../../helpers/dns.ts';

const route = (zone: string, pool: string) => ({ zone, pool, cache: true, rrl: true });
const table = new RouteTable([route('corp.example.', 'internal'), route('lab.corp.example.', 'lab'), route('Example.ORG.', 'org'), route('.', 'public')]);
const poolOf = (name: string) => table.match(encodeQuery(name, Type.A)).pool;

describe('dns route table', () => {
  it('takes the longest zone the name is in, the zone apex included', () => {
    assert.equal(poolOf('corp.example'), 'internal');
    assert.equal(poolOf('www.corp.example'), 'internal');
    assert.equal(poolOf('lab.corp.example'), 'lab');
    assert.equal(poolOf('a.b.lab.corp.example'), 'lab');
    assert.equal(poolOf('www.example.com'), 'public');
    assert.equal(poolOf('.'), 'public');
  });

  it('compares on label boundaries: xcorp.example is not under corp.example', () => {
    assert.equal(poolOf('xcorp.example'), 'public');
    assert.equal(poolOf('www.xcorp.example'), 'public');
    assert.equal(poolOf('example'), 'public');
  });

  it('compares ASCII letters without case, both in the config and in the query (RFC 4343)', () => {
    assert.equal(poolOf('WWW.Corp.EXAMPLE'), 'internal');
    assert.equal(poolOf('www.example.org'), 'org');
  });

  it('does not take a label holding a dot for two labels', () => {
    // One label "www.corp" under "example": presentation form would read www.corp.example.
    const query = encodeQuery('x.example', Type.A);
    const oneLabel = Buffer.concat([query.subarray(0, 12), Buffer.from([8]), Buffer.from('www.corp', 'latin1'), query.subarray(14)]);
    assert.equal(table.match(oneLabel).pool, 'public');
  });

  it('finds the right one of many zones, nested ones included', () => {
    const many = new RouteTable([
      ...Array.from({ length: 1000 }, (_, i) => route(`z${i}.example.`, `p${i}`)),
      ...Array.from({ length: 1000 }, (_, i) => route(`deep.z${i}.example.`, `deep${i}`)),
    ]);
    for (const i of [0, 1, 499, 999]) {
      assert.equal(many.match(encodeQuery(`www.z${i}.example`, Type.A)).pool, `p${i}`);
      assert.equal(many.match(encodeQuery(`a.deep.z${i}.example`, Type.A)).pool, `deep${i}`);
      assert.equal(many.match(encodeQuery(`deep.z${i}.example.net`, Type.A)).pool, 'default');
    }
  });

  it('sends names no route covers to the default pool when no root route is configured', () => {
    const partial = new RouteTable([route('corp.example.', 'internal')]);
    assert.equal(partial.match(encodeQuery('www.example.com', Type.A)).pool, 'default');
    assert.deepEqual(
      partial.routes.map((r) => [r.zone, r.pool]),
      [
        ['corp.example.', 'internal'],
        ['.', 'default'],
      ],
    );
  });
});

function refusal(yaml: string): ConfigError {
  try {
    parseConfig(yaml, 'signalbox.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail('the config was accepted');
}

const withDns = (body: string) => `engines:\n  dns:\n${body}`;

describe('dns routing config', () => {
  it('keeps a config of one upstream list working: it is the default pool', () => {
    const config = dnsConfig.parse({ upstreams: ['127.0.0.1:53'] });
    assert.deepEqual([config.pools, config.routes], [{}, []]);
  });

  it('refuses a route to a pool that does not exist, naming the key, the line and the pools', () => {
    const err = refusal(withDns('    pools:\n      internal: { upstreams: ["10.0.0.1:53"] }\n    routes:\n      - { zone: corp.example., pool: internl }\n'));
    assert.equal(err.code, 'E_CONFIG_VALUE');
    assert.equal(err.key, 'engines.dns.routes[0].pool');
    assert.equal(err.line, 6);
    assert.match(err.message, /no pool "internl": the pools are default, internal/);
  });

  it('refuses a zone routed twice, in any letter case', () => {
    const err = refusal(withDns('    routes:\n      - { zone: corp.example., pool: default }\n      - { zone: CORP.example., pool: default }\n'));
    assert.equal(err.key, 'engines.dns.routes[1].zone');
    assert.match(err.message, /routed twice \(also routes\[0\]\)/);
  });

  it('refuses a zone that is not fully qualified', () => {
    const err = refusal(withDns('    routes:\n      - { zone: corp.example, pool: default }\n'));
    assert.equal(err.key, 'engines.dns.routes[0].zone');
    assert.match(err.message, /ending in a dot/);
    assert.equal(refusal(withDns('    routes:\n      - { zone: "bad..name.", pool: default }\n')).key, 'engines.dns.routes[0].zone');
  });

  it('refuses a pool named default and a pool without upstreams', () => {
    assert.equal(refusal(withDns('    pools:\n      default: { upstreams: ["10.0.0.1:53"] }\n')).key, 'engines.dns.pools.default');
    assert.equal(refusal(withDns('    pools:\n      internal: { upstreams: [] }\n')).key, 'engines.dns.pools.internal.upstreams');
  });

  it('takes tls:// upstreams with the name to check and refuses one without it', () => {
    const config = dnsConfig.parse({
      upstreams: ['tls://1.1.1.1:853#cloudflare-dns.com', { address: 'tls://10.0.0.53:853#dns.corp.example', caFile: '/etc/corp-ca.pem' }],
    });
    assert.equal(config.upstreams.length, 2);
    const err = refusal(withDns('    upstreams: ["tls://1.1.1.1:853"]\n'));
    assert.equal(err.key, 'engines.dns.upstreams[0]');
    assert.match(err.message, /tls:\/\/ADDRESS:PORT#NAME/);
    assert.equal(refusal(withDns('    upstreams: [{ address: "10.0.0.1:53", caFile: /etc/ca.pem }]\n')).key, 'engines.dns.upstreams[0].caFile');
  });
});
