// Real inputs made by openssl (the peer these tests talk to) in a temp dir: an RSA and an EC
// CA -> intermediate -> leaf, and every file format the Bundler accepts, written the way operators'
// tools write them. Made once per test process.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../helpers/host.ts';

export const password = 'correct horse';

export interface Fixtures {
  dir: string;
  read(name: string): Buffer;
  /** DER of each certificate, by name: ca, int, leaf, ec-ca, ec-int, ec-leaf. */
  der: Record<string, Buffer>;
}

let made: Fixtures | undefined;

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const caExt = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
const leafExt = [
  '-addext',
  'basicConstraints=critical,CA:FALSE',
  '-addext',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  '-addext',
  'extendedKeyUsage=serverAuth',
  '-addext',
  'subjectAltName=DNS:www.example.test',
];

function chain(dir: string, prefix: string, keyArgs: string[]): void {
  for (const name of ['ca', 'int', 'leaf']) openssl(dir, 'genpkey', ...keyArgs, '-out', `${prefix}${name}.key`);
  openssl(dir, 'req', '-x509', '-new', '-key', `${prefix}ca.key`, '-subj', `/CN=Test ${prefix}Root`, '-days', '30', ...caExt, '-out', `${prefix}ca.pem`);
  openssl(
    dir,
    'req',
    '-x509',
    '-new',
    '-key',
    `${prefix}int.key`,
    '-subj',
    `/CN=Test ${prefix}Intermediate`,
    '-days',
    '30',
    '-CA',
    `${prefix}ca.pem`,
    '-CAkey',
    `${prefix}ca.key`,
    ...caExt,
    '-out',
    `${prefix}int.pem`,
  );
  openssl(
    dir,
    'req',
    '-x509',
    '-new',
    '-key',
    `${prefix}leaf.key`,
    '-subj',
    '/CN=www.example.test',
    '-days',
    '30',
    '-CA',
    `${prefix}int.pem`,
    '-CAkey',
    `${prefix}int.key`,
    ...leafExt,
    '-out',
    `${prefix}leaf.pem`,
  );
  for (const name of ['ca', 'int', 'leaf']) openssl(dir, 'x509', '-in', `${prefix}${name}.pem`, '-outform', 'DER', '-out', `${prefix}${name}.der`);
}

export function fixtures(): Fixtures {
  if (made) return made;
  const dir = tempDir('bundler-input');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const read = (name: string) => readFileSync(join(dir, name));
  const write = (name: string, data: string | Buffer) => writeFileSync(join(dir, name), data);

  chain(dir, '', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
  chain(dir, 'ec-', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);

  // A bundle in the wrong order, with the junk people paste around blocks.
  const pem = (name: string) => read(`${name}.pem`).toString();
  write(
    'bundle.pem',
    `# chain for www.example.test\nsubject=CN = Test Intermediate\n${pem('int')}\nsome notes here\n${pem('leaf')}\n\n${pem('ca')}-- end --\n`,
  );
  write('chain.pem', pem('int') + pem('ca'));
  openssl(dir, 'crl2pkcs7', '-nocrl', '-certfile', 'bundle.pem', '-out', 'chain.p7b');
  openssl(dir, 'crl2pkcs7', '-nocrl', '-certfile', 'bundle.pem', '-outform', 'DER', '-out', 'chain.p7c');

  // PKCS#12: OpenSSL 3's default (PBES2, AES-256-CBC, SHA-256 MAC), -legacy (RC2-40 + 3DES, SHA-1 MAC), empty password.
  openssl(dir, 'pkcs12', '-export', '-in', 'leaf.pem', '-inkey', 'leaf.key', '-certfile', 'chain.pem', '-passout', `pass:${password}`, '-out', 'modern.p12');
  openssl(
    dir,
    'pkcs12',
    '-export',
    '-legacy',
    '-in',
    'leaf.pem',
    '-inkey',
    'leaf.key',
    '-certfile',
    'chain.pem',
    '-passout',
    `pass:${password}`,
    '-out',
    'legacy.pfx',
  );
  openssl(dir, 'pkcs12', '-export', '-in', 'ec-leaf.pem', '-inkey', 'ec-leaf.key', '-passout', 'pass:', '-out', 'ec-empty.p12');
  openssl(
    dir,
    'pkcs12',
    '-export',
    '-legacy',
    '-iter',
    '150000',
    '-in',
    'ec-leaf.pem',
    '-inkey',
    'ec-leaf.key',
    '-passout',
    `pass:${password}`,
    '-out',
    'slow.p12',
  );

  // Keys in every form: PKCS#8 (genpkey's own), PKCS#1, SEC1, encrypted PKCS#8, legacy encrypted PEM; PEM and DER.
  openssl(dir, 'pkey', '-in', 'leaf.key', '-outform', 'DER', '-out', 'leaf.pkcs8.der');
  openssl(dir, 'rsa', '-in', 'leaf.key', '-traditional', '-out', 'leaf.pkcs1.pem');
  openssl(dir, 'rsa', '-in', 'leaf.key', '-traditional', '-outform', 'DER', '-out', 'leaf.pkcs1.der');
  openssl(dir, 'pkcs8', '-topk8', '-in', 'leaf.key', '-passout', `pass:${password}`, '-out', 'leaf.enc.pem');
  openssl(dir, 'pkcs8', '-topk8', '-in', 'leaf.key', '-passout', `pass:${password}`, '-outform', 'DER', '-out', 'leaf.enc.der');
  openssl(dir, 'rsa', '-in', 'leaf.key', '-traditional', '-aes128', '-passout', `pass:${password}`, '-out', 'leaf.legacy-enc.pem');
  openssl(dir, 'ec', '-in', 'ec-leaf.key', '-out', 'ec-leaf.sec1.pem');
  openssl(dir, 'ec', '-in', 'ec-leaf.key', '-outform', 'DER', '-out', 'ec-leaf.sec1.der');
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-out', 'ecparam-genkey.pem');
  openssl(dir, 'genpkey', '-algorithm', 'ED25519', '-out', 'ed25519.key');
  openssl(dir, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1', '-out', 'secp256k1.key');
  write('dsa.key', generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));

  // Things that are not bundle input.
  openssl(dir, 'req', '-new', '-key', 'leaf.key', '-subj', '/CN=www.example.test', '-out', 'leaf.csr');
  openssl(dir, 'req', '-in', 'leaf.csr', '-outform', 'DER', '-out', 'leaf.csr.der');
  openssl(dir, 'pkey', '-in', 'leaf.key', '-pubout', '-out', 'leaf.pub.pem');

  const der: Record<string, Buffer> = {};
  for (const prefix of ['', 'ec-']) for (const name of ['ca', 'int', 'leaf']) der[prefix + name] = read(`${prefix}${name}.der`);
  made = { dir, read, der };
  return made;
}
