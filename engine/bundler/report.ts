// cfssl's JSON report for a bundle (bundler/bundle.go, Bundle.MarshalJSON) with its key names and
// value formats, so `signalbox bundle --json` can be compared with `cfssl bundle`; our additions
// (ranked chains with explanations, problems, the validation time, the trust data) use keys cfssl
// does not have.
import type { KeyObject } from 'node:crypto';
import { isoTime } from './cards.ts';
import type { Certificate } from './certificate.ts';
import { nameAttributes } from './certificate/extensions.ts';
import { EXPIRING_WINDOW_MS, expiringMessage } from './rank/status.ts';
import type { CfsslStatus } from './rank/rank.ts';

/** Go's x509.SignatureAlgorithm names as cfssl's helpers.SignatureString prints them. */
const SIGNATURE_STRINGS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'MD2WithRSA',
  '1.2.840.113549.1.1.4': 'MD5WithRSA',
  '1.2.840.113549.1.1.5': 'SHA1WithRSA',
  '1.2.840.113549.1.1.11': 'SHA256WithRSA',
  '1.2.840.113549.1.1.12': 'SHA384WithRSA',
  '1.2.840.113549.1.1.13': 'SHA512WithRSA',
  '1.2.840.10040.4.3': 'DSAWithSHA1',
  '2.16.840.1.101.3.4.3.2': 'DSAWithSHA256',
  '1.2.840.10045.4.1': 'ECDSAWithSHA1',
  '1.2.840.10045.4.3.2': 'ECDSAWithSHA256',
  '1.2.840.10045.4.3.3': 'ECDSAWithSHA384',
  '1.2.840.10045.4.3.4': 'ECDSAWithSHA512',
  '1.3.101.112': 'PureEd25519',
};
const PSS_STRINGS: Record<string, string> = { sha256: 'SHA256WithRSAPSS', sha384: 'SHA384WithRSAPSS', sha512: 'SHA512WithRSAPSS' };

export function signatureString(cert: Certificate): string {
  if (cert.signatureAlgorithmOid === '1.2.840.113549.1.1.10') return PSS_STRINGS[cert.signatureHash] ?? 'Unknown Signature';
  return SIGNATURE_STRINGS[cert.signatureAlgorithmOid] ?? 'Unknown Signature';
}

/** cfssl's key_type and key_size (helpers.KeyLength: RSA modulus or curve size, else 0). */
export function keyTypeAndSize(cert: Certificate): { type: string; size: number } {
  const key = cert.publicKey;
  if (key.type === 'rsa') return { type: `${key.bits}-bit RSA`, size: key.bits };
  if (key.type === 'ec') return { type: `${key.bits}-bit ECDSA`, size: key.bits };
  if (key.type === 'dsa') return { type: 'DSA', size: 0 };
  if (key.type === 'ed25519') return { type: 'Ed25519', size: 0 };
  return { type: 'Unknown', size: 0 };
}

// cfssl's `names` marshaller: `/Type=value` per attribute in certificate order, named by the last
// arc of 2.5.4.x; other attributes (emailAddress, ...) get an empty name, as in cfssl.
const GO_NAMES: Record<string, string> = {
  '2.5.4.3': 'CommonName',
  '2.5.4.5': 'SerialNumber',
  '2.5.4.6': 'Country',
  '2.5.4.7': 'Locality',
  '2.5.4.8': 'Province',
  '2.5.4.9': 'StreetAddress',
  '2.5.4.10': 'Organization',
  '2.5.4.11': 'OrganizationalUnit',
  '2.5.4.17': 'PostalCode',
};

export function cfsslNames(der: Uint8Array): string {
  try {
    return nameAttributes(der)
      .map((a) => `/${GO_NAMES[a.oid] ?? ''}=${a.value}`)
      .join('');
  } catch {
    return '';
  }
}

/** Subject CN and DNS SANs, each once (cfssl builds a set; we keep the certificate's order). */
export function hostnames(cert: Certificate): string[] {
  return [...new Set([...(cert.commonName ? [cert.commonName] : []), ...cert.subjectAltNames.dns])];
}

/** PEM blocks back to back, trailing newline trimmed (cfssl's chain.MarshalJSON). */
export function pemOf(certs: readonly Certificate[]): string {
  return certs
    .map((c) => c.pem)
    .join('')
    .trimEnd();
}

export interface ReportInput {
  leaf: Certificate;
  /** The chosen chain, leaf first, root (if any) last. */
  chain: readonly Certificate[];
  /** What goes in the PEM bundle. */
  bundle: readonly Certificate[];
  /** The trust anchor of the chain, or null for a forced chain that does not end at one. */
  root: Certificate | null;
  /** The rank module's status for the chosen chain (computed on the chain with its root). */
  status: CfsslStatus;
  /** The uploaded certificates in their order (flipped when uploaded root first). */
  uploaded: readonly Certificate[];
  at: Date;
  /** The matched private key, when the caller wants it echoed as cfssl does. */
  key: KeyObject | null;
}

/**
 * cfssl's keys. Like cfssl: the expiring certificates are counted in the bundle (root left out),
 * empty lists are null, times are RFC 3339. Unlike cfssl, "expiring" is judged at the validation
 * time, not the wall clock, so `--at` shows what a bundle will report then.
 */
export function cfsslReport(input: ReportInput): Record<string, unknown> {
  const { leaf, bundle } = input;
  const key = keyTypeAndSize(leaf);
  const within30Days = (certs: readonly Certificate[]) => certs.flatMap((c, i) => (c.notAfter.getTime() - input.at.getTime() < EXPIRING_WINDOW_MS ? [i] : []));
  const expiring = within30Days(bundle);
  // The rank module's status counted the whole chain; cfssl counts the bundle.
  const chainExpiring = within30Days(input.chain);
  const messages = input.status.messages.filter((m) => chainExpiring.length === 0 || m !== expiringMessage(chainExpiring));
  if (expiring.length > 0) messages.unshift(expiringMessage(expiring));
  const code = (input.status.code & ~1) | (expiring.length > 0 ? 1 : 0);
  const expires = bundle.reduce((min, c) => (c.notAfter.getTime() < min.getTime() ? c.notAfter : min), leaf.notAfter);
  const ocsp = leaf.ocspUrls;
  return {
    bundle: pemOf(bundle),
    root: input.root ? pemOf([input.root]) : '',
    crt: pemOf([leaf]),
    key: input.key ? privateKeyPem(input.key) : '',
    key_type: key.type,
    key_size: key.size,
    issuer: cfsslNames(leaf.issuerDer),
    subject: cfsslNames(leaf.subjectDer),
    expires: isoTime(expires),
    leaf_expires: isoTime(leaf.notAfter),
    hostnames: hostnames(leaf),
    ocsp_support: ocsp.length > 0,
    crl_support: leaf.crlUrls.length > 0,
    ocsp: ocsp.length > 0 ? ocsp : null,
    signature: signatureString(leaf),
    status: {
      rebundled: !sameCertificates(bundle, input.uploaded),
      expiring_SKIs: expiring.length > 0 ? expiring.map((i) => (bundle[i]!.subjectKeyId ?? '').toUpperCase()) : null,
      // cfssl prints [] here when every store trusts the root (seen in test/bench's side-by-side runs).
      untrusted_root_stores: input.status.untrusted_root_stores,
      messages: messages.length > 0 ? messages : null,
      code,
    },
  };
}

/** PKCS#1 for RSA and SEC1 for EC, as cfssl writes them; PKCS#8 otherwise. */
function privateKeyPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === 'rsa' ? 'pkcs1' : key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs8';
  return String(key.export({ type, format: 'pem' })).trimEnd();
}

function sameCertificates(a: readonly Certificate[], b: readonly Certificate[]): boolean {
  return a.length === b.length && a.every((c, i) => c.fingerprint === b[i]!.fingerprint);
}
