// CNAME flattening through a real Knot DNS upstream, asked with kdig.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kdig, startDnsBehindKnot, status, type DnsBehindKnot } from '../../../helpers/knot.ts';

let dns: DnsBehindKnot;
before(async () => {
  dns = await startDnsBehindKnot({
    cache: { enabled: false },
    flatten: { names: ['alias.example.test', 'ext.example.test', 'ext-dangling.example.test', 'dangling.example.test', '*.example.test'] },
  });
});
after(() => dns?.stop());

const answerLines = (output: string) => output.split('\n').filter((line) => /\sIN\s/.test(line) && !line.startsWith(';'));

describe('dns flatten (knot, kdig)', () => {
  it('answers a CNAME chain with the final A records owned by the queried name, TTL the chain minimum', async () => {
    const out = await kdig(dns.port, ['alias.example.test', 'A']);
    assert.deepEqual(
      answerLines(out).map((line) => line.split(/\s+/).filter(Boolean)),
      [['alias.example.test.', '60', 'IN', 'A', '192.0.2.10']],
    );
  });

  it('flattens AAAA the same way', async () => {
    assert.match(await kdig(dns.port, ['alias.example.test', 'AAAA']), /alias\.example\.test\.\s+60\s+IN\s+AAAA\s+2001:db8::10/);
  });

  it('resolves the part of the chain the first answer lacks (a target in another zone)', async () => {
    const out = await kdig(dns.port, ['ext.example.test', 'A']);
    assert.deepEqual(
      answerLines(out).map((line) => line.split(/\s+/).filter(Boolean)),
      [['ext.example.test.', '90', 'IN', 'A', '192.0.2.77']],
    );
  });

  it('answers NODATA for a dangling chain, in the zone and outside it', async () => {
    for (const name of ['dangling.example.test', 'ext-dangling.example.test']) {
      const out = await kdig(dns.port, [name, 'A']);
      assert.equal(status(out), 'NOERROR', name);
      assert.deepEqual(answerLines(out), [], name);
    }
  });

  it('answers SERVFAIL for a CNAME loop', async () => {
    assert.equal(status(await kdig(dns.port, ['loop1.example.test', 'A'])), 'SERVFAIL');
  });

  it('leaves other types and plain names alone', async () => {
    assert.match(await kdig(dns.port, ['alias.example.test', 'TXT']), /CNAME/);
    assert.match(await kdig(dns.port, ['www.example.test', 'A']), /www\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.10/);
  });
});
