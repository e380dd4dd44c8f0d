// Certificates indexed the two ways an issuer is looked up: by subject name (exact DER) and by
// subject key identifier. Both reads are cheap on a lazily parsed Certificate.
import type { Certificate } from '../certificate.ts';

export class CertificateIndex {
  readonly all: Certificate[] = [];
  readonly #byFingerprint = new Map<string, Certificate>();
  readonly #bySubject = new Map<string, Certificate[]>();
  readonly #bySki = new Map<string, Certificate[]>();
  readonly #bySubjectAndKey = new Map<string, Certificate>();

  constructor(certs: Iterable<Certificate> = []) {
    for (const cert of certs) this.add(cert);
  }

  /** Adds a certificate unless the same DER is already there; returns the one kept. */
  add(cert: Certificate): Certificate {
    const existing = this.#byFingerprint.get(cert.fingerprint);
    if (existing) return existing;
    this.#byFingerprint.set(cert.fingerprint, cert);
    this.all.push(cert);
    push(this.#bySubject, cert.subjectKey, cert);
    const ski = cert.subjectKeyId;
    if (ski) push(this.#bySki, ski, cert);
    return cert;
  }

  get size(): number {
    return this.all.length;
  }

  byFingerprint(fingerprint: string): Certificate | undefined {
    return this.#byFingerprint.get(fingerprint);
  }

  bySubject(subjectKey: string): readonly Certificate[] {
    return this.#bySubject.get(subjectKey) ?? [];
  }

  bySki(ski: string): readonly Certificate[] {
    return this.#bySki.get(ski) ?? [];
  }

  /** A certificate with the same subject and the same key (a twin: re-issue or cross-sign), if any. */
  bySubjectAndKey(cert: Certificate): Certificate | undefined {
    if (this.#bySubjectAndKey.size === 0 && this.all.length > 0) {
      for (const c of this.all) this.#bySubjectAndKey.set(subjectAndKey(c), c);
    }
    return this.#bySubjectAndKey.get(subjectAndKey(cert));
  }

  /**
   * Candidate issuers of `cert`: every certificate named as its issuer, then those whose subject
   * key identifier matches its authority key identifier (a differently encoded name). Those
   * whose SKI matches the AKI come first; the signature decides in the end.
   */
  issuersOf(cert: Certificate): Certificate[] {
    const byName = this.bySubject(cert.issuerKey);
    const aki = cert.authorityKeyId;
    const byKey = aki ? this.bySki(aki) : [];
    if (byKey.length === 0) return [...byName];
    const seen = new Set<Certificate>();
    const out: Certificate[] = [];
    for (const c of byName)
      if (c.subjectKeyId === aki) {
        seen.add(c);
        out.push(c);
      }
    for (const c of byKey)
      if (!seen.has(c)) {
        seen.add(c);
        out.push(c);
      }
    for (const c of byName)
      if (!seen.has(c)) {
        seen.add(c);
        out.push(c);
      }
    return out;
  }
}

/** Subject + SubjectPublicKeyInfo: RFC 4158's "same certificate authority". */
export function subjectAndKey(cert: Certificate): string {
  return `${cert.subjectKey}/${cert.spkiFingerprint}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
