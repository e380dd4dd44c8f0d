// DNS cookies with real clients: two dig processes (each its own random client cookie) and one BIND
// resolver (named) in front of Signalbox, Signalbox in front of knot with cookies on. Each client
// must get back its own client cookie with our server cookie, also from a cache hit another client
// filled: dig says "COOKIE mismatch" and named "bad cookie" (and retries, 2.4 s measured) otherwise.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startDnsEngine, startKnot, kdig, status, type DnsEngineUnderTest, type Knot } from '../../../helpers/knot.ts';
import { startNamed, type Named } from '../../../helpers/named.ts';

const run = promisify(execFile);

async function dig(port: number, args: string[]): Promise<string> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 5000 });
  return stdout;
}

const cookieOf = (output: string) => output.match(/; COOKIE: ([0-9a-f]+)/)?.[1];

let knot: Knot;
let dns: DnsEngineUnderTest;
let named: Named;
before(async () => {
  knot = await startKnot(undefined, { cookies: true });
  dns = await startDnsEngine([`127.0.0.1:${knot.port}`], { healthCheck: { enabled: false } });
  named = await startNamed(dns.port);
});
after(async () => {
  await named?.stop();
  await dns?.stop();
  await knot?.stop();
});

describe('dns cookies with dig and named clients (knot, dig, named)', () => {
  it('gives each dig its own client cookie back with a server cookie, also from a cache hit', async () => {
    const first = await dig(dns.port, ['+cookie', 'www.example.test', 'A']);
    const second = await dig(dns.port, ['+cookie', 'www.example.test', 'A']);
    for (const output of [first, second]) {
      assert.match(output, /status: NOERROR/);
      assert.match(output, /192\.0\.2\.10/);
      assert.doesNotMatch(output, /mismatch|BADCOOKIE/i);
      assert.equal(cookieOf(output)?.length, 48, output);
    }
    assert.notEqual(cookieOf(first)!.slice(0, 16), cookieOf(second)!.slice(0, 16), 'the two digs chose the same client cookie');
    // Sent back, our server cookie is valid: dig marks it "good" and the answer is a hit.
    const again = await dig(dns.port, [`+cookie=${cookieOf(second)}`, 'www.example.test', 'A']);
    assert.match(again, /; COOKIE: [0-9a-f]+ \(good\)/);
    assert.doesNotMatch(again, /mismatch/i);
    assert.equal((await dns.stats()).cache?.hits, 2);
  });

  it('serves a BIND resolver without a cookie error, from hits other clients filled and from misses', async () => {
    // Filled by a dig with its own cookie first (DO=1 and CD=1, as named asks, so that named's query is a hit), then asked by named with its own.
    assert.match(await dig(dns.port, ['+cookie', '+dnssec', '+cdflag', 'mail.example.test', 'A']), /192\.0\.2\.25/);
    const hitsBefore = (await dns.stats()).cache!.hits;
    for (const name of ['mail.example.test', 'www.example.test', 'txt.example.test', 'nope.example.test']) {
      const started = performance.now();
      const output = await kdig(named.port, [name, 'A']);
      const tookMs = performance.now() - started;
      assert.match(status(output) ?? '', name === 'nope.example.test' ? /NXDOMAIN/ : /NOERROR/, output);
      // A resolver that distrusts the answers retries for seconds (2.41 s measured); a good one answers at once.
      assert.ok(tookMs < 2000, `named took ${Math.round(tookMs)} ms for ${name}`);
    }
    assert.ok((await dns.stats()).cache!.hits > hitsBefore, 'named never hit an entry dig filled');
    assert.doesNotMatch(named.log(), /cookie/i, named.log());
    // And the other way round: what named filled, a dig reads with its own cookie.
    const after = await dig(dns.port, ['+cookie', '+dnssec', '+cdflag', 'txt.example.test', 'A']);
    assert.doesNotMatch(after, /mismatch/i);
  });
});
