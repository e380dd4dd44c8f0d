// Response rate limiting over real UDP from several 127.0.0.x clients, with Knot DNS upstream.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DnsStats } from '../../../../engine/api/dns.ts';
import type { RunningEngine } from '../../../../engine/api/engine.ts';
import { dnsEngine } from '../../../../engine/dns/engine.ts';
import { Type } from '../../../../engine/dns/wire.ts';
import { askUdp, encodeQuery, floodUdp } from '../../../helpers/dns.ts';
import { quietLog, tempDir } from '../../../helpers/host.ts';
import { freePort, kdig, startKnot, type Knot } from '../../../helpers/knot.ts';

let knot: Knot;
let engine: RunningEngine;
let port: number;

before(async () => {
  knot = await startKnot();
  port = await freePort();
  engine = await dnsEngine.start({
    config: {
      listen: [`127.0.0.1:${port}`],
      upstreams: [`127.0.0.1:${knot.port}`],
      rrl: { enabled: true, responsesPerSecond: 5, window: 5, slip: 2, exempt: ['127.0.0.9'] },
    },
    dataDir: tempDir('dns'),
    log: quietLog,
  });
});
after(async () => {
  await engine?.stop();
  await knot?.stop();
});

describe('dns rrl over UDP from 127.0.0.x clients (knot, kdig)', () => {
  it('limits a flood from one /24 to the rate, slipping every 2nd limited answer as TC=1', async () => {
    const tally = await floodUdp(port, encodeQuery('www.example.test', Type.A), 100, '127.0.0.5');
    // 5 a second, plus at most one token earned while the burst was sent.
    assert.ok(tally.answered >= 5 && tally.answered <= 6, JSON.stringify(tally));
    const limited = 100 - tally.answered;
    assert.ok(Math.abs(tally.truncated - limited / 2) <= 1, JSON.stringify(tally));
    const { rrl } = (await engine.procedures['dns.stats']!({})) as DnsStats;
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
