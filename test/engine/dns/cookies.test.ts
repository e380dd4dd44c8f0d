// SipHash-2-4 against the reference vectors and OpenSSL (a real peer), and the server cookies
// built on it against RFC 9018 Appendix A.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cookieMasterKey, ServerCookies } from '../../../engine/dns/cookies.ts';
import { siphash24 } from '../../../engine/dns/siphash.ts';
import { tempDir } from '../../helpers/host.ts';

const hex = (text: string) => Buffer.from(text, 'hex');
const referenceKey = Uint8Array.from({ length: 16 }, (_, i) => i);
const counting = (length: number) => Uint8Array.from({ length }, (_, i) => i);

/** The answer's COOKIE option data for a query carrying `cookie` (hex), from `address`, at `now`. */
function answerTo(cookies: ServerCookies, cookie: string, address: string) {
  const query = hex(cookie);
  const verdict = cookies.answer(query, 0, query.length, address);
  return { valid: verdict.valid, cookie: verdict.option.subarray(4).toString('hex') };
}

describe('dns cookies', () => {
  it('computes SipHash-2-4 as the reference vectors of the SipHash paper say', () => {
    // vectors.h of the reference implementation: key 00..0f, messages 00..(n-1).
    assert.equal(Buffer.from(siphash24(referenceKey, counting(0))).toString('hex'), '310e0edd47db6f72');
    assert.equal(Buffer.from(siphash24(referenceKey, counting(1))).toString('hex'), 'fd67dc93c539f874');
    assert.equal(Buffer.from(siphash24(referenceKey, counting(15))).toString('hex'), 'e545be4961ca29a1');
  });

  it('computes SipHash-2-4 as OpenSSL does, for every message length from 0 to 40 (openssl)', () => {
    const dir = tempDir('siphash');
    for (let length = 0; length <= 40; length++) {
      const file = join(dir, `m${length}`);
      writeFileSync(file, counting(length));
      const openssl = execFileSync(
        'openssl',
        ['mac', '-macopt', `hexkey:${Buffer.from(referenceKey).toString('hex')}`, '-macopt', 'size:8', '-in', file, 'SIPHASH'],
        { encoding: 'utf8' },
      ).trim();
      assert.equal(Buffer.from(siphash24(referenceKey, counting(length))).toString('hex'), openssl.toLowerCase(), `length ${length}`);
    }
  });

  it('makes the server cookies of RFC 9018 Appendix A', () => {
    let now = 1559731985;
    const cookies = new ServerCookies({ rotateSeconds: 86_400, now: () => now, secret: hex('e5e973e5a6b2a43f48e7dc849e37bfcf') });
    // A.1: a client cookie alone gets a new server cookie.
    assert.deepEqual(answerTo(cookies, '2464c4abcf10c957', '198.51.100.100'), { valid: false, cookie: '2464c4abcf10c957010000005cf79f111f8130c3eee29480' });
    // Echoed while it is less than half an hour old.
    now += 60;
    assert.deepEqual(answerTo(cookies, '2464c4abcf10c957010000005cf79f111f8130c3eee29480', '198.51.100.100'), {
      valid: true,
      cookie: '2464c4abcf10c957010000005cf79f111f8130c3eee29480',
    });
    // Not valid from another address: a fresh one for that address instead.
    assert.equal(answerTo(cookies, '2464c4abcf10c957010000005cf79f111f8130c3eee29480', '198.51.100.101').valid, false);
    // A.2: 40 minutes later the cookie is still valid, and renewed.
    now = 1559734385;
    assert.deepEqual(answerTo(cookies, '2464c4abcf10c957010000005cf79f111f8130c3eee29480', '198.51.100.100'), {
      valid: true,
      cookie: '2464c4abcf10c957010000005cf7a871d4a564a1442aca77',
    });
    // A.3: reserved octets set by another implementation are part of the hash (valid within its
    // hour); the example's reply comes 1h52m after it was made, so it is renewed, with zeros.
    now = 0x5cf78f71 + 60;
    assert.equal(answerTo(cookies, 'fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5', '203.0.113.203').valid, true);
    now = 1559734700;
    assert.deepEqual(answerTo(cookies, 'fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5', '203.0.113.203'), {
      valid: false,
      cookie: 'fc93fc62807ddb86010000005cf7a9acf73a7810aca2381e',
    });
    // Past its hour (RFC 9018 §4.3) a cookie is no longer valid.
    now = 1559731985 + 3601;
    assert.equal(answerTo(cookies, '2464c4abcf10c957010000005cf79f111f8130c3eee29480', '198.51.100.100').valid, false);
  });

  it('accepts cookies of the previous secret after a rotation and renews them (RFC 9018 A.4, IPv6)', () => {
    let now = 1559741817;
    const cookies = new ServerCookies({ rotateSeconds: 3600, now: () => now, secret: hex('dd3bdf9344b678b185a6f5cb60fca715') });
    assert.equal(answerTo(cookies, '22681ab97d52c298010000005cf7c57926556bd0934c72f8', '2001:db8:220:1:59de:d0f4:8769:82b8').valid, true);
    now += 3600;
    const renewed = answerTo(cookies, '22681ab97d52c298010000005cf7c57926556bd0934c72f8', '2001:db8:220:1:59de:d0f4:8769:82b8');
    assert.equal(renewed.valid, true);
    assert.notEqual(renewed.cookie, '22681ab97d52c298010000005cf7c57926556bd0934c72f8');
    // The renewed one is made with the new secret, so it is valid too.
    assert.equal(answerTo(cookies, renewed.cookie, '2001:db8:220:1:59de:d0f4:8769:82b8').valid, true);
  });

  it('makes and accepts the same cookies in every process that shares the key file, across rotations', () => {
    const file = join(tempDir('cookie-key'), 'dns-cookie.key');
    const key = cookieMasterKey(file)!;
    assert.equal(key.length, 32);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(cookieMasterKey(file), key, 'a second process reads the same key');
    let now = 1_800_001_000;
    const [one, other] = [
      new ServerCookies({ rotateSeconds: 3600, now: () => now, master: key }),
      new ServerCookies({ rotateSeconds: 3600, now: () => now, master: cookieMasterKey(file)! }),
    ];
    const made = answerTo(one, '0102030405060708', '192.0.2.1');
    assert.equal(answerTo(other, made.cookie, '192.0.2.1').valid, true);
    // Into the next period: made with the previous secret, still valid (and renewed) in both.
    now = Math.ceil(now / 3600) * 3600 + 10;
    for (const cookies of [one, other]) assert.equal(answerTo(cookies, made.cookie, '192.0.2.1').valid, true);
    const stranger = new ServerCookies({ rotateSeconds: 3600, now: () => now, master: Buffer.alloc(32, 9) });
    assert.equal(answerTo(stranger, made.cookie, '192.0.2.1').valid, false, 'another key makes other cookies');
  });
});
