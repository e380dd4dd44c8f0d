// Apex CNAME flattening (flatten.apex) through real peers: unbound serves apex.test, a zone whose
// apex holds a CNAME next to its SOA (Knot refuses such a zone, unbound serves it), and asks Knot
// for example.test, where the CNAME points; kdig asks the DNS engine.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kdig, startDnsEngine, startKnot, type DnsEngineUnderTest, type Knot } from '../../../helpers/knot.ts';
import { startUnbound, type Unbound } from '../../../helpers/unbound.ts';

let knot: Knot | undefined;
let unbound: Unbound | undefined;
let flattening: DnsEngineUnderTest | undefined;
let plain: DnsEngineUnderTest | undefined;

before(async () => {
  knot = await startKnot();
  unbound = await startUnbound({
    localZones: { 'apex.test.': 'static' },
    localData: [
      'apex.test. 3600 IN SOA ns1.apex.test. hostmaster.apex.test. 1 3600 600 86400 120',
      'apex.test. 45 IN CNAME www.example.test.',
      // A CNAME below the apex: not an apex, so flattened only when configured.
      'sub.apex.test. 30 IN CNAME www.example.test.',
    ],
    stubZones: [{ name: 'example.test.', port: knot.port }],
  });
  const upstreams = [`127.0.0.1:${unbound.port}`];
  // No cache, so that every query shows what flatten did; health probes ask a name unbound knows.
  const common = { cache: { enabled: false }, healthCheck: { probeName: 'apex.test' } };
  flattening = await startDnsEngine(upstreams, { ...common, flatten: { names: [], apex: true } });
  // A configured name keeps the flatten module in the pipeline, so this shows apex: false in it.
  plain = await startDnsEngine(upstreams, { ...common, flatten: { names: ['unrelated.example.test'], apex: false } });
});
after(async () => {
  await flattening?.stop();
  await plain?.stop();
  await unbound?.stop();
  await knot?.stop();
});

const answerLines = (output: string) =>
  output
    .split('\n')
    .filter((line) => /\sIN\s/.test(line) && !line.startsWith(';'))
    .map((line) => line.split(/\s+/).filter(Boolean));

describe('dns flatten apex: true (unbound, knot, kdig)', () => {
  it("answers an apex CNAME with the target's A records owned by the apex, TTL the chain minimum, no CNAME", async () => {
    const out = await kdig(flattening!.port, ['apex.test', 'A']);
    assert.deepEqual(answerLines(out), [['apex.test.', '45', 'IN', 'A', '192.0.2.10']], out);
    assert.ok((await flattening!.stats()).flattened >= 1);
  });

  it('flattens AAAA the same way', async () => {
    const out = await kdig(flattening!.port, ['apex.test', 'AAAA']);
    assert.deepEqual(answerLines(out), [['apex.test.', '45', 'IN', 'AAAA', '2001:db8::10']], out);
  });

  it('leaves a CNAME that is not at an apex alone when it is not among the names', async () => {
    for (const name of ['sub.apex.test', 'alias.example.test']) {
      const out = await kdig(flattening!.port, [name, 'A']);
      assert.equal(answerLines(out)[0]?.[0], `${name}.`, out);
      assert.equal(answerLines(out)[0]?.[3], 'CNAME', out);
    }
  });

  it('leaves ordinary answers and other types alone', async () => {
    assert.deepEqual(
      answerLines(await kdig(flattening!.port, ['www.example.test', 'A'])).map((rr) => rr[4]),
      ['192.0.2.10'],
    );
    assert.match(await kdig(flattening!.port, ['apex.test', 'TXT']), /apex\.test\.\s+\d+\s+IN\s+CNAME\s+www\.example\.test\./);
  });

  it('keeps the apex CNAME with apex: false', async () => {
    const out = await kdig(plain!.port, ['apex.test', 'A']);
    assert.deepEqual(answerLines(out)[0], ['apex.test.', '45', 'IN', 'CNAME', 'www.example.test.'], out);
  });
});
