// Trust folders for tests, written to a temp dir in either layout TrustStore reads: ours
// (trust.json) with a few platforms, or cfssl's (ca-bundle.crt.metadata + per-platform keystores).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Certificate } from '../../../engine/bundler/certificate.ts';
import { tempDir } from '../../helpers/host.ts';

const pem = (certs: readonly Certificate[]) => certs.map((c) => c.pem).join('');

/** A temp folder removed when the test process exits. */
function trustTempDir(prefix: string): string {
  const dir = tempDir(prefix);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function write(dir: string, file: string, text: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

export interface TestPlatform {
  name: string;
  weight: number;
  roots: readonly Certificate[];
}

/** Our layout: each platform's keystore holds `roots`; `intermediates` is the pool. */
export function ourTrustDir(platforms: readonly TestPlatform[], intermediates: readonly Certificate[] = []): string {
  const dir = trustTempDir('bundler-trust');
  platforms.forEach((p, i) => write(dir, `roots/p${i}.pem`, pem(p.roots)));
  write(dir, 'intermediates.pem', pem(intermediates));
  write(
    dir,
    'trust.json',
    JSON.stringify({
      name: 'test',
      date: '2024-01-01',
      intermediates: ['intermediates.pem'],
      platforms: platforms.map((p, i) => ({
        name: p.name,
        weight: p.weight,
        hash_algo: 'SHA2',
        key_algo: 'ECDSA521',
        keystore: `roots/p${i}.pem`,
        date: '2024-01-01',
      })),
    }),
  );
  return dir;
}

/**
 * cfssl's layout with cfssl's own metadata (platform names, weights, limits); `keystores` gives
 * the roots of each keystore file the metadata names.
 */
export function cfsslTrustDir(
  metadata: string,
  keystores: ReadonlyMap<string, readonly Certificate[]>,
  anchors: readonly Certificate[],
  intermediates: readonly Certificate[],
): string {
  const dir = trustTempDir('bundler-cfssl-trust');
  write(dir, 'ca-bundle.crt.metadata', metadata);
  for (const [file, roots] of keystores) write(dir, file, pem(roots));
  write(dir, 'ca-bundle.crt', pem(anchors));
  write(dir, 'int-bundle.crt', pem(intermediates));
  return dir;
}
