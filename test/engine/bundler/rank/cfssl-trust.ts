// cfssl's own trust data (resources/trust/cfssl-2017, the copy the bundler ships): its platform metadata and per-platform root
// stores, looked up the way cfssl does (by the SHA-1 of the root's public key), for the reference picks.
// Test-only: the bundler's trust loader lives in engine/bundler/trust.
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCfsslMetadata, platformsFromMetadata } from '../../../../engine/bundler/rank/platform.ts';
import type { HashName, KeyInfo, Platform, RankedCert } from '../../../../engine/bundler/rank/types.ts';

export const METADATA = fileURLToPath(new URL('../../../../resources/trust/cfssl-2017/ca-bundle.crt.metadata', import.meta.url));
const DIR = dirname(METADATA);

function pemCerts(file: string): X509Certificate[] {
  const blocks = readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

const spkiSha1 = (x: X509Certificate) =>
  createHash('sha1')
    .update(x.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
const spkiByFingerprint = new Map<string, string>();

export function metadataEntries() {
  return parseCfsslMetadata(JSON.parse(readFileSync(METADATA, 'utf8')), METADATA);
}

/** The 13 platforms with their real root stores. */
export function realPlatforms(): Platform[] {
  return platformsFromMetadata(metadataEntries(), (entry) => {
    const store = new Set(pemCerts(join(DIR, entry.keystore)).map(spkiSha1));
    return (fingerprint) => store.has(spkiByFingerprint.get(fingerprint) ?? '');
  });
}

const HASHES: Record<string, HashName> = {
  sha1WithRSAEncryption: 'sha1',
  sha256WithRSAEncryption: 'sha256',
  sha384WithRSAEncryption: 'sha384',
  sha512WithRSAEncryption: 'sha512',
  'ecdsa-with-SHA256': 'sha256',
  'ecdsa-with-SHA384': 'sha384',
};

function toRanked(x: X509Certificate, isRoot: boolean): RankedCert {
  const details = x.publicKey.asymmetricKeyDetails ?? {};
  const key: KeyInfo =
    x.publicKey.asymmetricKeyType === 'ec'
      ? { type: 'ec', bits: 0, ...(details.namedCurve ? { curve: details.namedCurve } : {}) }
      : { type: 'rsa', bits: details.modulusLength ?? 0 };
  spkiByFingerprint.set(x.fingerprint256, spkiSha1(x));
  return {
    fingerprint: x.fingerprint256,
    subject: x.subject.split('\n').join(', '),
    hash: HASHES[x.signatureAlgorithm ?? ''] ?? 'unknown',
    key,
    notBefore: x.validFromDate,
    notAfter: x.validToDate,
    isRoot,
  };
}

/**
 * The real certificates of a file whose subject and issuer match, as RankedCerts.
 * `file` is relative to cfssl_trust (ca-bundle.crt, int-bundle.crt, certdata/trusted_roots/nss.pem).
 */
export function realCerts(file: string, subject: RegExp, issuer: RegExp = /./): RankedCert[] {
  return pemCerts(join(DIR, file))
    .filter((x) => subject.test(x.subject) && issuer.test(x.issuer))
    .map((x) => toRanked(x, x.subject === x.issuer));
}

export function realCert(file: string, subject: RegExp, issuer?: RegExp): RankedCert {
  const found = realCerts(file, subject, issuer);
  if (found.length !== 1) throw new Error(`${file}: ${found.length} certificates match ${subject} (issuer ${issuer}), expected 1`);
  return found[0]!;
}
