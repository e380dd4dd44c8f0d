import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consoleCertificateNames, consoleCommonName } from '../../../engine/host/console-certificate.ts';

describe('console certificate names and subject', () => {
  it('covers the configured names first, then loopback, each once, never a wildcard listen address', () => {
    assert.deepEqual(consoleCertificateNames(['0.0.0.0', 'console.example.net', '10.0.0.5', 'localhost']), [
      'console.example.net',
      '10.0.0.5',
      'localhost',
      '127.0.0.1',
    ]);
    assert.deepEqual(consoleCertificateNames(['::']), ['localhost', '127.0.0.1']);
  });

  it('names the Signalbox console and its host names in at most 64 characters (RFC 5280 ub-common-name)', () => {
    assert.equal(consoleCommonName(['console.example.net', 'localhost', '127.0.0.1']), 'Signalbox console for console.example.net localhost 127.0.0.1');
    const many = ['edge-console-1.eu-west.example.net', 'edge-console-2.eu-west.example.net', 'localhost', '127.0.0.1'];
    assert.equal(consoleCommonName(many), 'Signalbox console for edge-console-1.eu-west.example.net +3 more');
    const long = 'a'.repeat(63);
    assert.equal(consoleCommonName([long, 'localhost']), 'Signalbox console +2 names');
    for (const names of [many, [long], ['x'.repeat(40), 'y'.repeat(3)]]) assert.ok(consoleCommonName(names).length <= 64, consoleCommonName(names));
  });
});
