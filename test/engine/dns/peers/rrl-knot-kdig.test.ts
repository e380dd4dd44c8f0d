// Response rate limiting over real UDP from several 127.0.0.x clients, with Knot DNS upstream.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Type } from '../../../../engine/dns/wire.ts';
import { askUdp, encodeQuery, floodUdp } from '../../../helpers/dns.ts';
import { kdig, startDnsBehindKnot, type DnsBehindKnot } from '../../../helpers/knot.ts';

let dns: DnsBehindKnot;
let port: number;

before(async () => {
  dns = await startDnsBehindKnot({ rrl: { enabled: true, responsesPerSecond: 5, window: 5, slip: 2, exempt: ['127.0.0.9'] } });
  port = dns.port;
});
after(() => dns?.stop());

describe('dns rrl over UDP from 127.0.0.x clients (knot, kdig)', () => {
  it('limits a flood from one /24 to the rate, slipping every 2nd limited answer as TC=1', async () => {
    const tally = await floodUdp(port, encodeQuery('www.example.test', Type.A), 100, '127.0.0.5');
    // 5 a second, plus at most one token earned while the burst was sent.
    assert.ok(tally.answered >= 5 && tally.answered <= 6, JSON.stringify(tally));
    const limited = 100 - tally.answered;
    assert.ok(Math.abs(tally.truncated - limited / 2) <= 1, JSON.stringify(tally));
    const { rrl } = await dns.stats();
    assert.equal(rrl!.slipped, tally.truncated);
  });

  it('leaves a client in another /24 unaffected, and never limits TCP', async () => {
    const reply = (await askUdp(port, encodeQuery('www.example.test', Type.A), { from: '127.0.1.5' }))!;
    assert.equal(reply.readUInt16BE(2) & 0x0200, 0);
    assert.equal(reply.readUInt16BE(6), 1);
    assert.match(await kdig(port, ['+tcp', '-b', '127.0.0.5', 'www.example.test', 'A']), /192\.0\.2\.10/);
  });

  it('does not limit an exempt client', async () => {
    const tally = await floodUdp(port, encodeQuery('www.example.test', Type.A), 40, '127.0.0.9');
    assert.deepEqual(tally, { answered: 40, truncated: 0, silent: 0 });
  });
});
