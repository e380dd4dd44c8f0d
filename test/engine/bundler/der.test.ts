// The bundler's one DER/BER reader (engine/bundler/der.ts), shared by certificates (strict DER) and uploads (BER).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BER, DerError, children, content, octets, readOid, readSmallInt, readTime, readTlv, readWhole, whole } from '../../../engine/bundler/der.ts';

const bytes = (hexText: string) => Buffer.from(hexText, 'hex');
const isDerError = (kind: DerError['kind'], message?: RegExp) => (err: unknown) =>
  err instanceof DerError && err.kind === kind && (!message || message.test(err.message));

describe('bundler DER reader', () => {
  it('reads BER indefinite lengths and constructed OCTET STRINGs when asked to', () => {
    // SEQUENCE (indefinite) { OID 1.2.840.113549.1.7.1, OCTET STRING (constructed, indefinite) { "ab", "c" } }
    const ber = bytes('3080' + '06092a864886f70d010701' + '2480' + '04026162' + '040163' + '0000' + '0000');
    const top = readTlv(ber, 0, ber.length, BER);
    assert.equal(top.end, ber.length);
    assert.equal(top.contentEnd, ber.length - 2);
    const [id, data] = children(ber, top);
    assert.equal(readOid(ber, id!), '1.2.840.113549.1.7.1');
    assert.equal(octets(ber, data!).toString(), 'abc');
  });

  it('refuses indefinite lengths by default, as DER requires, at the top and inside', () => {
    assert.throws(() => readTlv(bytes('30800500' + '0000')), isDerError('malformed', /BER/));
    // A definite-length SEQUENCE read as DER holding an indefinite one: its children stay DER.
    const nested = bytes('3006' + '3080' + '0500' + '0000');
    assert.throws(() => children(nested, readTlv(nested)), isDerError('malformed', /BER/));
    assert.equal(children(nested, readTlv(nested, 0, nested.length, BER)).length, 1);
  });

  it('tells a cut element from a malformed one', () => {
    assert.throws(() => readTlv(bytes('3082ffff3000')), isDerError('truncated'));
    assert.throws(() => readTlv(bytes('30')), isDerError('truncated'));
    assert.throws(() => readTlv(bytes('3080' + '0500'), 0, 4, BER), isDerError('truncated'));
    assert.throws(() => readTlv(bytes('3f0100')), isDerError('malformed'));
    assert.throws(() => readTlv(bytes('3085010000000000')), isDerError('malformed'));
    assert.throws(() => readTlv(bytes('0480'), 0, 2, BER), isDerError('malformed'));
    assert.throws(() => readWhole(bytes('050000')), isDerError('malformed', /1 bytes follow/));
    assert.throws(() => children(bytes('0400'), readTlv(bytes('0400'))), isDerError('malformed', /constructed/));
  });

  it('stops BER nesting deeper than 32 levels', () => {
    let deep = bytes('0500');
    for (let i = 0; i < 40; i++) deep = Buffer.concat([bytes('3080'), deep, bytes('0000')]);
    assert.throws(() => readTlv(deep, 0, deep.length, BER), isDerError('malformed', /deeper/));
  });

  it('never reads past the parent, even when the buffer goes on', () => {
    // SEQUENCE of 3 bytes whose child claims 4: the bytes after the parent must not count.
    const buf = bytes('3003' + '0404616263' + '64');
    assert.throws(() => children(buf, readTlv(buf)), isDerError('truncated'));
  });

  it('gives views of the original bytes, not copies', () => {
    const backing = bytes('ff' + '0403616263' + 'ff').subarray(1, 6);
    const tlv = readTlv(backing);
    const inner = content(backing, tlv);
    const all = whole(backing, tlv);
    assert.equal(inner.toString(), 'abc');
    assert.equal(all.toString('hex'), '0403616263');
    assert.equal(inner.buffer, backing.buffer);
    assert.equal(all.buffer, backing.buffer);
    assert.equal(all.byteOffset, backing.byteOffset);
  });

  it('reads OIDs, small integers and both time forms', () => {
    assert.equal(readOid(bytes('0603551d0e'), readTlv(bytes('0603551d0e'))), '2.5.29.14');
    assert.equal(readOid(bytes('0603883703'), readTlv(bytes('0603883703'))), '2.999.3');
    assert.throws(() => readOid(bytes('0602559d'), readTlv(bytes('0602559d'))), isDerError('malformed', /truncated/));
    assert.throws(() => readOid(bytes('0600'), readTlv(bytes('0600'))), isDerError('malformed'));
    assert.equal(readSmallInt(bytes('020200ff'), readTlv(bytes('020200ff'))), 255);
    assert.throws(() => readSmallInt(bytes('0201ff'), readTlv(bytes('0201ff'))), isDerError('malformed'));
    const utc = Buffer.from('170d3439313233313233353935395a', 'hex'); // UTCTime 491231235959Z
    assert.equal(readTime(utc, readTlv(utc)).toISOString(), '2049-12-31T23:59:59.000Z');
    const utc50 = Buffer.concat([bytes('170d'), Buffer.from('500101000000Z')]);
    assert.equal(readTime(utc50, readTlv(utc50)).toISOString(), '1950-01-01T00:00:00.000Z');
    const gen = Buffer.concat([bytes('180f'), Buffer.from('20500101000000Z')]);
    assert.equal(readTime(gen, readTlv(gen)).toISOString(), '2050-01-01T00:00:00.000Z');
  });
});
