// A throwaway CA and a server certificate for DoT/DoH tests, made by openssl (from apt): the CA
// signs a certificate for the name dns.test and the address 127.0.0.1, as an operator's would be.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './host.ts';

export interface TestPki {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: Buffer;
}

export const serverName = 'dns.test';

/** A CA and a certificate it signs for `serverName` and 127.0.0.1 (EC P-256, valid a day). */
export function makePki(commonName = serverName): TestPki {
  const dir = tempDir('dns-tls');
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=Signalbox test CA',
  );
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
    '-subj',
    `/CN=${commonName}`,
  );
  writeExtensions(at('ext.cnf'), commonName);
  openssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('server.pem'),
    '-days',
    '1',
    '-extfile',
    at('ext.cnf'),
  );
  return { dir, caFile: at('ca.pem'), certFile: at('server.pem'), keyFile: at('server.key'), ca: readFileSync(at('ca.pem')) };
}

function writeExtensions(path: string, name: string): void {
  writeFileSync(path, `subjectAltName=DNS:${name},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
}
