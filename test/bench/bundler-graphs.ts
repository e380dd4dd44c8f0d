// Synthetic PKIs for the bundler benchmark (issue 16): a 16-certificate chain (Go's long-chain case)
// and a Federal Bridge-like graph (a bridge CA cross-certified both ways with the one trusted root
// and with member PKIs that also cross-certify each other in a ring), written as cfssl's trust layout
// (ca-bundle.crt, int-bundle.crt, metadata) that both `cfssl bundle` and `signalbox bundle --trust`
// read. Certificates are valid from a day ago for a year, since cfssl validates at the current time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCert, newKey, SERVER_AUTH, type Key, type Made } from '../engine/bundler/chain/certs.ts';

export interface Graph {
  /** The trust set's name in the tables. */
  trust: string;
  /** What it is, for the report. */
  description: string;
  /** cfssl-layout trust folder. */
  trustDir: string;
  /** The upload: leaf first, then what a server would send. */
  leafFile: string;
  leafPem: string;
}

const now = Date.now();
const validity = { notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 365 * 86_400_000) };
const CA_USAGE: ('keyCertSign' | 'cRLSign')[] = ['keyCertSign', 'cRLSign'];
const pem = (made: readonly Made[]) => made.map((m) => m.cert.pem).join('');

function writeGraph(dir: string, trust: string, description: string, root: Made, pool: Made[], upload: Made[]): Graph {
  const trustDir = join(dir, trust);
  mkdirSync(trustDir, { recursive: true });
  writeFileSync(join(trustDir, 'roots.pem'), pem([root]));
  writeFileSync(join(trustDir, 'ca-bundle.crt'), pem([root]));
  writeFileSync(join(trustDir, 'int-bundle.crt'), pem(pool));
  writeFileSync(
    join(trustDir, 'ca-bundle.crt.metadata'),
    JSON.stringify([{ name: 'Bench Platform', weight: 100, hash_algo: 'SHA2', key_algo: 'ECDSA256', keystore: 'roots.pem' }]),
  );
  const leafFile = join(dir, `${trust}.pem`);
  writeFileSync(leafFile, pem(upload));
  return { trust, description, trustDir, leafFile, leafPem: pem(upload) };
}

/** Root, 14 intermediates each under the one above, the leaf: 16 certificates; the site sends all 14. */
export function longChain(dir: string): Graph {
  const root = makeCert({ subject: 'Bench Long Root', ca: true, keyUsage: CA_USAGE, ...validity });
  const cas = [root];
  for (let i = 1; i <= 14; i++) cas.push(makeCert({ subject: `Bench Long Intermediate ${i}`, ca: true, keyUsage: CA_USAGE, issuer: cas[i - 1]!, ...validity }));
  const leaf = makeCert({ subject: 'long.bench.example', ca: false, dns: ['long.bench.example'], eku: [SERVER_AUTH], issuer: cas.at(-1)!, ...validity });
  return writeGraph(
    dir,
    'long-16',
    'root, 14 intermediates each signed by the one above, leaf (16 certificates); the upload is the leaf and the 14 intermediates, the pool is empty',
    root,
    [],
    [leaf, ...cas.slice(1).reverse()],
  );
}

/**
 * A Federal Bridge-like graph: the trusted Common Policy root and a Bridge CA cross-certify each
 * other; 8 member PKIs, each a self-signed root the platforms do not trust, cross-certify with the
 * Bridge both ways and with the next member in a ring (both ways); each member root has 2 issuing
 * CAs. The leaf is under member 0's first issuing CA; the upload is the leaf and that issuing CA, and
 * every other certificate (53: cross-certificates, member roots, issuing CAs) is in the pool.
 */
export function bridgeGraph(dir: string): Graph {
  const MEMBERS = 8;
  const entity = (subject: string): { subject: string; key: Key } => ({ subject, key: newKey() });
  const policy = entity('Bench Common Policy CA');
  const bridge = entity('Bench Federal Bridge CA');
  const members = Array.from({ length: MEMBERS }, (_, i) => entity(`Bench Member ${i} Root CA`));
  const cross = (subject: { subject: string; key: Key }, issuer: { subject: string; key: Key }) =>
    makeCert({ subject: subject.subject, key: subject.key, ca: true, keyUsage: CA_USAGE, issuer, ...validity });
  const root = cross(policy, policy);
  const pool: Made[] = [cross(bridge, policy), cross(policy, bridge)];
  for (const [i, member] of members.entries()) {
    const next = members[(i + 1) % MEMBERS]!;
    pool.push(cross(member, member), cross(member, bridge), cross(bridge, member), cross(member, next), cross(next, member));
  }
  const issuing = members.map((member, i) =>
    [1, 2].map((n) => makeCert({ subject: `Bench Member ${i} Issuing CA ${n}`, ca: true, keyUsage: CA_USAGE, issuer: member, ...validity })),
  );
  const ca = issuing[0]![0]!;
  pool.push(...issuing.flat().filter((c) => c !== ca));
  const leaf = makeCert({ subject: 'bridge.bench.example', ca: false, dns: ['bridge.bench.example'], eku: [SERVER_AUTH], issuer: ca, ...validity });
  return writeGraph(
    dir,
    'bridge',
    `a Federal Bridge-like graph: the trusted root and a bridge CA cross-certified both ways, ${MEMBERS} member PKIs (untrusted self-signed roots) cross-certified with the bridge both ways and with the next member in a ring, 2 issuing CAs each; upload: leaf + its issuing CA; pool: the other ${pool.length} certificates`,
    root,
    pool,
    [leaf, ca],
  );
}
