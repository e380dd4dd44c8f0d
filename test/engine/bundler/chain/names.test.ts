import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { bundle } from '../../../../engine/bundler/bundle.ts';
import { ipBytes, matchHostname, nameConstraintViolation, namesMatch } from '../../../../engine/bundler/chain/names.ts';
import { TrustStore } from '../../../../engine/bundler/trust/store.ts';
import { ourTrustDir } from '../trust-dir.ts';
import { dn, ext, makeCert, name, SERVER_AUTH, seq, tlv } from './certs.ts';

test('hostname matching follows RFC 6125: exact, case-insensitive, one left-most whole-label wildcard', () => {
  assert.ok(matchHostname('www.example.com', 'WWW.example.com.'));
  assert.ok(matchHostname('*.example.com', 'a.example.com'));
  assert.ok(!matchHostname('*.example.com', 'example.com'));
  assert.ok(!matchHostname('*.example.com', 'a.b.example.com'));
  assert.ok(!matchHostname('w*.example.com', 'www.example.com'));
  assert.ok(!matchHostname('*.com', 'example.com'));
  assert.ok(!matchHostname('foo_bar.example.com', 'foo_bar.example.com'));
});

test('IP literals parse to bytes (v4, v6 with ::, bracketed)', () => {
  assert.deepEqual(ipBytes('192.0.2.1'), Uint8Array.of(192, 0, 2, 1));
  assert.deepEqual(Buffer.from(ipBytes('[2001:db8::1]')!).toString('hex'), '20010db8000000000000000000000001');
  assert.equal(ipBytes('example.com'), null);
});

test('names match byte for byte or after case folding and space collapsing (RFC 5280 §7.1)', () => {
  assert.ok(namesMatch(name('Example CA'), name('Example CA')));
  assert.ok(namesMatch(name('Example  CA'), name('example ca')));
  assert.ok(!namesMatch(name('Example CA'), name('Other CA')));
});

// Issue 16 item 2: Go's MultipleConstraints case (Virginia Tech's CA under GlobalSign, 2013): the
// constraint writes C/ST/L/O as PrintableString, the leaf as UTF8String. OpenSSL, Go and cfssl
// accept it; comparing encoded bytes refused it with 1212.
describe('directoryName constraints compare names as RFC 5280 §7.1 says', () => {
  const [C, ST, L, O, OU, CN] = ['2.5.4.6', '2.5.4.8', '2.5.4.7', '2.5.4.10', '2.5.4.11', '2.5.4.3'];
  const PRINTABLE = 0x13;
  const UTF8 = 0x0c;
  const vt = 'Virginia Polytechnic Institute and State University';
  const permitted = dn([C, 'US', PRINTABLE], [ST, 'Virginia', PRINTABLE], [L, 'Blacksburg', PRINTABLE], [O, vt, PRINTABLE]);
  const root = makeCert({ subject: 'GlobalSign-like Root', ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
  const ca = makeCert({
    subject: 'Virginia Tech Global Qualified Server CA',
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
    issuer: root,
    extraExtensions: [ext('2.5.29.30', true, seq(tlv(0xa0, seq(tlv(0x82, Buffer.from('vt.edu'))), seq(tlv(0xa4, permitted)))))],
  });
  const leafNamed = (...attributes: [string, string, number][]) =>
    makeCert({
      subject: 'www.vt.edu',
      subjectName: dn(...attributes),
      ca: false,
      dns: ['www.vt.edu'],
      eku: [SERVER_AUTH],
      issuer: ca,
    });

  it('permits a UTF8String subject under a PrintableString constraint, whatever the case and spacing', () => {
    const leaf = leafNamed(
      [C, 'US', PRINTABLE],
      [ST, 'Virginia', UTF8],
      [L, 'Blacksburg', UTF8],
      [O, vt, UTF8],
      [OU, 'Middleware-Client', UTF8],
      [CN, 'www.vt.edu', UTF8],
    );
    assert.equal(nameConstraintViolation(ca.cert, leaf.cert), null);
    const spaced = leafNamed([C, 'us', UTF8], [ST, ' VIRGINIA ', UTF8], [L, 'Blacksburg', UTF8], [O, vt.replace(/ /g, '  '), UTF8], [CN, 'www.vt.edu', UTF8]);
    assert.equal(nameConstraintViolation(ca.cert, spaced.cert), null);
    const store = TrustStore.load(ourTrustDir([{ name: 'VT Platform', weight: 1, roots: [root.cert] }]));
    const result = bundle(
      { files: [{ name: 'vt.pem', base64: Buffer.from(leaf.cert.pem + ca.cert.pem).toString('base64') }], at: '2025-06-01T00:00:00Z', domain: 'www.vt.edu' },
      store,
    );
    assert.equal(result.bundlePem, leaf.cert.pem + ca.cert.pem, JSON.stringify(result.problems));
  });

  it('still refuses a subject outside the subtree: another O, or the RDNs in another order', () => {
    const other = leafNamed(
      [C, 'US', PRINTABLE],
      [ST, 'Virginia', UTF8],
      [L, 'Blacksburg', UTF8],
      [O, 'Virginia State University', UTF8],
      [CN, 'www.vt.edu', UTF8],
    );
    assert.match(nameConstraintViolation(ca.cert, other.cert) ?? '', /^dn .* is outside the permitted subtrees/);
    const reordered = leafNamed([C, 'US', PRINTABLE], [L, 'Blacksburg', UTF8], [ST, 'Virginia', UTF8], [O, vt, UTF8], [CN, 'www.vt.edu', UTF8]);
    assert.match(nameConstraintViolation(ca.cert, reordered.cert) ?? '', /outside the permitted subtrees/);
  });
});
