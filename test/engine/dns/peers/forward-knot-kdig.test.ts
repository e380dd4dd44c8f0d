// The DNS engine between kdig and a real Knot DNS upstream, all on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Type } from '../../../../engine/dns/wire.ts';
import { askUdp, encodeQuery } from '../../../helpers/dns.ts';
import { flags, kdig, startDnsBehindKnot, startKnot, status, type DnsBehindKnot, type Knot } from '../../../helpers/knot.ts';

let dns: DnsBehindKnot;
let spare: Knot;
let port: number;

before(async () => {
  spare = await startKnot();
  dns = await startDnsBehindKnot({ cache: { enabled: false } }, [spare]);
  port = dns.port;
});
after(() => dns?.stop());

describe('dns forward through a real upstream (knot, kdig)', () => {
  it('answers A, AAAA, MX and TXT as the upstream does', async () => {
    assert.match(await kdig(port, ['www.example.test', 'A']), /www\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.10/);
    assert.match(await kdig(port, ['www.example.test', 'AAAA']), /IN\s+AAAA\s+2001:db8::10/);
    assert.match(await kdig(port, ['example.test', 'MX']), /IN\s+MX\s+10 mail\.example\.test\./);
    assert.match(await kdig(port, ['txt.example.test', 'TXT']), /IN\s+TXT\s+"hello world"/);
  });

  it('passes CNAME chains and NXDOMAIN through', async () => {
    const chain = await kdig(port, ['alias.example.test', 'A']);
    assert.match(chain, /alias\.example\.test\.\s+60\s+IN\s+CNAME\s+alias2\.example\.test\./);
    assert.match(chain, /alias2\.example\.test\.\s+120\s+IN\s+CNAME\s+www\.example\.test\./);
    assert.match(chain, /IN\s+A\s+192\.0\.2\.10/);
    const missing = await kdig(port, ['nope.example.test', 'A']);
    assert.equal(status(missing), 'NXDOMAIN');
    assert.match(missing, /SOA/);
  });

  it('echoes the ID and the letter case of the question (kdig lower-cases, so a raw client asks)', async () => {
    const query = encodeQuery('WwW.ExAmPlE.TeSt', Type.A, { id: 0xbeef });
    const answer = (await askUdp(port, query))!;
    assert.equal(answer.readUInt16BE(0), 0xbeef);
    assert.deepEqual(answer.subarray(12, query.length), query.subarray(12));
    assert.equal(answer.readUInt16BE(6), 1);
  });

  it('truncates a large answer over UDP (TC) and gives it whole over TCP', async () => {
    const udp = await kdig(port, ['big.example.test', 'TXT', '+notcp', '+ignore', '+bufsize=1232']);
    assert.ok(flags(udp).includes('tc'), `flags: ${flags(udp).join(' ')}`);
    const tcp = await kdig(port, ['big.example.test', 'TXT', '+tcp']);
    assert.equal(status(tcp), 'NOERROR');
    assert.match(tcp, /"11x{180}"/);
  });

  it('answers over TCP with several queries pipelined on one connection', async () => {
    const out = await kdig(port, ['+tcp', '+keepopen', 'www.example.test', 'A', 'txt.example.test', 'TXT', 'mail.example.test', 'A']);
    assert.match(out, /192\.0\.2\.10/);
    assert.match(out, /hello world/);
    assert.match(out, /192\.0\.2\.25/);
  });

  it('keeps answering from the other upstream when one is down', async () => {
    await spare.stop();
    for (let i = 0; i < 4; i++) assert.match(await kdig(port, ['www.example.test', 'A']), /192\.0\.2\.10/);
  });

  it('answers SERVFAIL (not silence) when every upstream is down, and counts it', async () => {
    await dns.knot.stop();
    const out = await kdig(port, ['www.example.test', 'A'], 3000);
    assert.equal(status(out), 'SERVFAIL');
    const stats = await dns.stats();
    assert.ok(stats.servfail >= 1);
    assert.ok((stats.moduleErrors.forward ?? 0) >= 1);
  });
});
