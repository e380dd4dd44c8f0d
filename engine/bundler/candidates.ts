// The bundler's certificates and trust data as the rank module's neutral inputs: RankedCert from the
// certificate model, rank Platforms from the trust store (with Chrome's per-root cut-off applied to
// this leaf), and the warnings ranking cannot see (validation warnings, EKU, Chrome cut-offs).
import type { Certificate } from './certificate.ts';
import type { Step } from './chain/validate.ts';
import { RSA_PSS } from './oids.ts';
import type { HashName, KeyInfo, Platform, RankedCert } from './rank/rank.ts';
import type { TrustStore } from './trust/store.ts';

export interface ChainWarning {
  code: string;
  message: string;
}

const RANK_HASHES = new Set<string>(['md2', 'md5', 'sha1', 'sha256', 'sha384', 'sha512']);

/**
 * cfssl scores RSA-PSS and Ed25519 signatures as an unknown hash (its ubiquity tables predate them),
 * so they map to `unknown` (rank/README.md); SHA-224 has no Go signature algorithm at all.
 */
export function rankHash(cert: Certificate): HashName {
  const oid = cert.signatureAlgorithmOid;
  if (oid === RSA_PSS || oid === '1.3.101.112' || oid === '1.3.101.113') return 'unknown';
  const hash = cert.signatureHash;
  return RANK_HASHES.has(hash) ? (hash as HashName) : 'unknown';
}

export function rankKey(cert: Certificate): KeyInfo {
  const key = cert.publicKey;
  const type = key.type === 'ed448' ? 'unknown' : key.type;
  return { type, bits: key.bits, ...(key.curve ? { curve: key.curve } : {}) };
}

export function rankedCert(cert: Certificate, isRoot: boolean): RankedCert {
  const ski = cert.subjectKeyId;
  return {
    fingerprint: cert.fingerprint,
    subject: cert.subject,
    hash: rankHash(cert),
    key: rankKey(cert),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    isRoot,
    ...(ski ? { ski } : {}),
  };
}

/**
 * The store's platforms for ranking the chains of `leaf`. A platform trusts a root when its store
 * holds it (trust/README.md); Chrome also needs the leaf issued no later than the root's
 * `sct_not_after` (the leaf's notBefore stands in for its SCT time). `certs` resolves the
 * fingerprints rankChains passes back to certificates.
 */
export function rankPlatforms(store: TrustStore, leaf: Certificate, certs: ReadonlyMap<string, Certificate>): Platform[] {
  const trusting = new Map<string, ReadonlySet<string>>();
  const platformsFor = (fingerprint: string): ReadonlySet<string> => {
    let names = trusting.get(fingerprint);
    if (!names) {
      const root = certs.get(fingerprint);
      names = new Set(
        root
          ? store
              .platformsTrusting(root)
              .filter((p) => !(p.store === 'chrome' && issuedAfterChromeCutoff(store, root, leaf)))
              .map((p) => p.name)
          : [],
      );
      trusting.set(fingerprint, names);
    }
    return names;
  };
  return store.platforms.map((p) => ({
    name: p.name,
    weight: p.weight,
    hashAlgo: p.hashAlgo,
    keyAlgo: p.keyAlgo,
    trusts: (fingerprint) => platformsFor(fingerprint).has(p.name),
  }));
}

function issuedAfterChromeCutoff(store: TrustStore, root: Certificate, leaf: Certificate): boolean {
  const cutoff = store.chromeCutoff(root);
  return cutoff !== null && leaf.notBefore.getTime() > cutoff.getTime();
}

/**
 * What ranking does not say about a chain: the validator's warnings (profile, weak crypto below
 * SHA-1, a root without basicConstraints), a leaf without serverAuth in its EKU, and Chrome's
 * cut-off for the root.
 */
export function extraWarnings(certs: readonly Certificate[], steps: readonly Step[] | null, store: TrustStore, at: Date): ChainWarning[] {
  const out: ChainWarning[] = [];
  const label = (i: number) => `#${i + 1} ${certs[i]!.subject}`;
  if (steps === null) {
    out.push({
      code: 'W_NOT_VALIDATED',
      message: 'the uploaded chain as given (flavor force): its signatures were checked, nothing else; no other chain matches it',
    });
  }
  steps?.forEach((step, i) => {
    for (const check of step.checks) {
      if (check.ok || check.severity !== 'warning') continue;
      // SHA-1 below the root is the rank module's W_SHA1 already.
      if (check.check === 'crypto' && certs[i]!.signatureHash === 'sha1') continue;
      out.push({ code: `W_${check.check.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, message: `${label(i)}: ${check.message}` });
    }
  });
  const leaf = certs[0]!;
  if (leaf.extKeyUsage === null && !leaf.isCA) {
    // Apple requires serverAuth in the EKU of TLS certificates issued from 2019-07-01; the BRs require the extension.
    out.push({
      code: 'W_NO_SERVER_AUTH',
      message: `${label(0)} has no extended key usage extension: serverAuth is required by the CA/Browser Forum and by Apple platforms (certificates issued from 2019-07-01)`,
    });
  }
  const root = certs.at(-1)!;
  const cutoff = store.chromeCutoff(root);
  if (cutoff) {
    const date = cutoff.toISOString().slice(0, 10);
    if (leaf.notBefore.getTime() > cutoff.getTime()) {
      out.push({
        code: 'W_CHROME_DISTRUSTED',
        message: `Chrome distrusts certificates from ${root.subject} issued after ${date}; this leaf was issued ${leaf.notBefore.toISOString().slice(0, 10)}, so Chrome rejects this chain`,
      });
    } else if (leaf.notAfter.getTime() > at.getTime()) {
      out.push({
        code: 'W_CHROME_PHASE_OUT',
        message: `Chrome accepts new certificates from ${root.subject} only until ${date}: this leaf stays trusted, but a renewal from the same CA after that date will not be`,
      });
    }
  }
  return out;
}
