// Validates one candidate chain (leaf first, trust anchor last) at a chosen time, step by step
// (RFC 5280 §6.1, with the Web PKI's EKU nesting). Every check leaves a record, passed or not, so
// a person can see why a chain is valid or which step breaks it.
import { EKU, EXT, type Certificate } from '../certificate.ts';
import { CODES, E_CA_EKU, E_INCOMPATIBLE_USAGE, E_UNKNOWN_AUTHORITY, type CheckCode } from './codes.ts';
import { checkHostname, constrainedNames, nameConstraintViolation, namesMatch } from './names.ts';
import { profileViolations } from './webpki.ts';

export type Severity = 'error' | 'warning' | 'info';

export interface Check {
  /** Which rule: signature, validity, ca, pathLen, keyUsage, eku, nameConstraints, criticalExtensions, hostname, encoding, crypto, leaf. */
  check: CheckCode;
  ok: boolean;
  severity: Severity;
  message: string;
  /** cfssl's numeric code for a failed check, where cfssl has one. */
  cfsslCode?: number;
}

export type Role = 'leaf' | 'intermediate' | 'root';
export type Source = 'leaf' | 'uploaded' | 'pool' | 'anchor';

export interface Step {
  cert: Certificate;
  role: Role;
  source: Source;
  checks: Check[];
}

export interface ValidationOptions {
  /** The time to validate at (default: now). */
  at?: Date;
  /** A DNS name or IP address the leaf must be valid for. */
  hostname?: string;
  /** The EKU every certificate must allow (default serverAuth); null skips EKU checks. */
  eku?: string | null;
  /**
   * Accept SHA-1 signatures below the root, for legacy clients (the page's toggle, `allowSha1`):
   * every current browser refuses them (Chrome, Firefox and Microsoft since 2017) and so does Go's
   * verifier (cfssl: 1220). Off by default, for bundling as for x509-limbo. MD2/MD5 signatures are
   * refused either way.
   */
  allowSha1?: boolean;
}

/** Critical extensions this validator processes; any other critical extension fails the chain (RFC 5280 §4.2). */
const HANDLED_CRITICAL = new Set<string>([
  EXT.basicConstraints,
  EXT.keyUsage,
  EXT.extKeyUsage,
  EXT.subjectAltName,
  EXT.nameConstraints,
  EXT.subjectKeyId,
  EXT.authorityKeyId,
  EXT.certificatePolicies,
]);

const MAX_CONSTRAINT_COMPARISONS = 250_000;

export function validateChain(certs: Certificate[], sources: Source[], options: ValidationOptions = {}): Step[] {
  // RFC 5280 §4.1.2.5: validity has one-second granularity, so compare at whole seconds.
  const at = new Date(Math.floor((options.at ?? new Date()).getTime() / 1000) * 1000);
  const eku = options.eku === undefined ? EKU.serverAuth : options.eku;
  const last = certs.length - 1;
  const steps: Step[] = certs.map((cert, i) => ({
    cert,
    role: i === 0 ? 'leaf' : i === last ? 'root' : 'intermediate',
    source: sources[i] ?? 'pool',
    checks: [],
  }));

  const add = (i: number, check: CheckCode, ok: boolean, message: string, severity: Severity = ok ? 'info' : 'error', code = CODES[check]) => {
    steps[i]!.checks.push({ check, ok, severity, message, ...(ok || severity !== 'error' ? {} : { cfsslCode: code }) });
  };

  certs.forEach((cert, i) => {
    const isLeaf = i === 0;
    const isRoot = i === last;
    const issuer = certs[i + 1];

    // Encoding: anything we could not decode means we cannot vouch for the rest.
    const problems = cert.problems;
    if (problems.length > 0) add(i, 'encoding', false, `malformed: ${problems.join('; ')}`);

    // Signature (the anchor is trusted as given, RFC 5280 §6.1.1 d).
    if (issuer) {
      const signed = cert.verifySignedBy(issuer);
      add(
        i,
        'signature',
        signed,
        signed ? `signed by ${issuer.subject} (${cert.signatureAlgorithm})` : `the signature does not verify with ${issuer.subject}'s key`,
      );
      if (!namesMatch(cert.issuerDer, issuer.subjectDer)) {
        add(i, 'nameChaining', false, `issuer name "${cert.issuer}" is not the subject of the next certificate ("${issuer.subject}")`);
      }
    } else {
      add(i, 'signature', true, 'trust anchor: trusted as given, its own signature is not checked');
    }

    // Validity at the chosen time (RFC 5280 §6.1.3 a.2); expired anchors do not anchor anything.
    const nb = cert.notBefore.getTime();
    const na = cert.notAfter.getTime();
    if (Number.isNaN(nb) || Number.isNaN(na)) add(i, 'validity', false, 'the validity dates cannot be read');
    else if (at.getTime() < nb) add(i, 'validity', false, `not valid before ${cert.notBefore.toISOString()} (checked at ${at.toISOString()})`);
    else if (at.getTime() > na) add(i, 'validity', false, `expired on ${cert.notAfter.toISOString()} (checked at ${at.toISOString()})`);
    else add(i, 'validity', true, `valid ${cert.notBefore.toISOString().slice(0, 10)} .. ${cert.notAfter.toISOString().slice(0, 10)}`);
    if (!Number.isNaN(nb) && !Number.isNaN(na) && na < nb) add(i, 'validity', false, 'notAfter is before notBefore');

    // Issuers must be CAs allowed to sign certificates (RFC 5280 §6.1.4 k, n).
    if (!isLeaf) {
      if (cert.hasBasicConstraints && cert.isCA) add(i, 'ca', true, 'a CA (basicConstraints cA=TRUE)');
      else if (cert.hasBasicConstraints) add(i, 'ca', false, 'basicConstraints says this is not a CA, yet it issued the certificate below');
      else if (isRoot)
        add(i, 'ca', true, `a root without basicConstraints (X.509 v${cert.version}); accepted as a trust anchor, as Go and cfssl do`, 'warning');
      else add(i, 'ca', false, 'no basicConstraints extension, so it is not a CA');
      const ku = cert.keyUsage;
      if (ku && !ku.includes('keyCertSign')) add(i, 'keyUsage', false, `key usage (${ku.join(', ') || 'none'}) lacks keyCertSign`);
      else if (ku) add(i, 'keyUsage', true, 'key usage includes keyCertSign');
    }

    // Path length: count the non-self-issued intermediates below this CA (RFC 5280 §6.1.4 l-m).
    if (!isLeaf && cert.pathLen !== null) {
      let below = 0;
      for (let j = 1; j < i; j++) if (!certs[j]!.selfIssued) below++;
      add(
        i,
        'pathLen',
        below <= cert.pathLen,
        below <= cert.pathLen
          ? `path length ${below} within its limit ${cert.pathLen}`
          : `${below} intermediate certificate(s) below it, but its pathLenConstraint is ${cert.pathLen}`,
      );
    }

    // EKU: the leaf must allow it, and so must every CA that restricts its own EKU (nested, as Go, Chrome and Windows do).
    if (eku) {
      const list = cert.extKeyUsage;
      const allowed = list === null || list.includes(eku) || list.includes(EKU.any);
      const name = eku === EKU.serverAuth ? 'serverAuth' : eku;
      if (list === null) {
        if (isLeaf) add(i, 'eku', true, 'no extended key usage: any usage', 'info');
      } else {
        add(
          i,
          'eku',
          allowed,
          allowed
            ? `extended key usage allows ${name}`
            : `extended key usage (${list.join(', ')}) does not allow ${name}${isLeaf ? '' : ', so nothing below it may be used for it'}`,
          allowed ? 'info' : 'error',
          isLeaf ? E_INCOMPATIBLE_USAGE : E_CA_EKU,
        );
      }
    }

    // Name constraints of this CA apply to every certificate below it, except self-issued intermediates (RFC 5280 §6.1.3 b).
    if (!isLeaf && cert.nameConstraints) {
      let violation: string | null = null;
      const nc = cert.nameConstraints;
      const subtrees = nc.permitted.length + nc.excluded.length;
      let comparisons = 0;
      for (let j = 0; j < i; j++) comparisons += subtrees * constrainedNames(certs[j]!).length;
      // Go's limit (maxConstraintComparisons): quadratic checks are refused, not run (x509-limbo nc-dos).
      if (comparisons > MAX_CONSTRAINT_COMPARISONS) violation = `${comparisons} name constraint comparisons exceed the limit of ${MAX_CONSTRAINT_COMPARISONS}`;
      for (let j = 0; j < i && !violation; j++) {
        if (j > 0 && certs[j]!.selfIssued) continue;
        const v = nameConstraintViolation(cert, certs[j]!);
        if (v) violation = j === 0 ? v : `${v} (in ${certs[j]!.subject})`;
      }
      add(i, 'nameConstraints', violation === null, violation ?? 'every name below is within its name constraints');
    }

    // Unknown critical extensions (RFC 5280 §4.2: a certificate with one MUST be rejected).
    const unknown = cert.criticalExtensions.filter((oid) => !HANDLED_CRITICAL.has(oid));
    if (unknown.length > 0) add(i, 'criticalExtensions', false, `critical extension(s) not understood: ${unknown.join(', ')}`);

    // Certificate profile (RFC 5280 §4, CA/Browser Forum): rules for the CA that issued it, which
    // Go's verifier (cfssl) and Chrome's do not enforce: warnings (test/limbo/baseline.json lists them).
    for (const rule of profileViolations(cert, i, certs.length)) add(i, 'profile', false, rule, 'warning');

    // Keys: what no browser can verify fails the chain; what only the CA/Browser Forum forbids warns.
    const key = keyStrength(cert);
    if (key) add(i, 'crypto', false, key.message, key.fatal ? 'error' : 'warning');
    // A broken signature hash below the root fails the chain (RFC 5280 §6.1.1 d: a root's own signature is not checked).
    const hash = cert.signatureHash;
    if (!isRoot && (hash === 'md2' || hash === 'md5' || (hash === 'sha1' && !options.allowSha1))) {
      add(
        i,
        'crypto',
        false,
        hash === 'sha1'
          ? `signed with ${cert.signatureAlgorithm}: browsers and Go's verifier refuse SHA-1 signatures below the root (since 2017); allow SHA-1 only for legacy clients (the Bundler page's "Allow SHA-1" option, allowSha1 in bundler.bundle)`
          : `signed with ${cert.signatureAlgorithm}, which anyone can forge`,
        'error',
        E_UNKNOWN_AUTHORITY,
      );
    } else if (!isRoot && (hash === 'sha1' || hash === 'unknown')) {
      add(
        i,
        'crypto',
        false,
        hash === 'sha1' ? `signed with ${cert.signatureAlgorithm} (allowed for legacy clients)` : `signed with ${cert.signatureAlgorithm}`,
        'warning',
      );
    }

    if (isLeaf) {
      // Below a root, a self-signed leaf shares that root's key (and name): accepted when the path verifies, as Go does.
      if (cert.selfSigned && !isRoot) add(i, 'leaf', false, "the leaf is self-signed (it shares its issuer's key)", 'warning');
      // Firefox refuses a CA certificate as the server's (mozilla::pkix ERROR_CA_CERT_USED_AS_END_ENTITY;
      // CABF 7.1.2.7.8), and Chrome a leaf whose key usage allows signing certificates without being a
      // CA (its verifier's "target certificate has inconsistent CA bits"; RFC 5280 §4.2.1.9).
      if (cert.isCA)
        add(
          i,
          'leaf',
          false,
          "the leaf is a CA certificate (basicConstraints cA=TRUE), which Firefox refuses as a server certificate: upload the server's own certificate, or choose it as the leaf",
        );
      else if (cert.keyUsage?.includes('keyCertSign'))
        add(
          i,
          'leaf',
          false,
          "the leaf's key usage includes keyCertSign although it is not a CA, which Chrome refuses: the CA must reissue it without keyCertSign",
        );
      if (options.hostname) {
        const result = checkHostname(cert, options.hostname);
        add(i, 'hostname', result.ok, result.ok ? `valid for ${options.hostname} (${result.matched})` : result.message);
      }
    }
  });
  return steps;
}

/**
 * A key browsers cannot use is fatal: DSA (no browser verifies it), EC other than the named curves
 * P-256, P-384 and P-521 (Chrome's and Firefox's verifiers; explicit parameters included), RSA below
 * 1,024 bits (Chrome's minimum). RSA below 2,048 bits or not a multiple of 8 breaks CABF 6.1.5 only.
 */
function keyStrength(cert: Certificate): { message: string; fatal: boolean } | null {
  const key = cert.publicKey;
  if (key.type === 'rsa' && key.bits < 1024) return { message: `RSA key of ${key.bits} bits, below the 1,024 that Chrome's verifier needs`, fatal: true };
  if (key.type === 'rsa' && (key.bits < 2048 || key.bits % 8 !== 0))
    return { message: `RSA key of ${key.bits} bits (the CA/Browser Forum requires 2,048 or more, a multiple of 8)`, fatal: false };
  if (key.type === 'dsa') return { message: `DSA key (${key.bits} bits), which no browser verifies`, fatal: true };
  if (key.type === 'ec' && key.curve !== 'P-256' && key.curve !== 'P-384' && key.curve !== 'P-521') {
    return {
      message: `EC key on ${key.curve === 'explicit' ? 'explicit curve parameters' : (key.curve ?? 'an unknown curve')}: browsers accept only the named curves P-256, P-384 and P-521`,
      fatal: true,
    };
  }
  if (key.type === 'unknown') return { message: `unknown key algorithm ${key.oid}`, fatal: false };
  return null;
}

/** A chain is valid when no check failed with severity error. */
export function isValid(steps: Step[]): boolean {
  return steps.every((step) => step.checks.every((c) => c.ok || c.severity !== 'error'));
}

export function failures(steps: Step[]): { step: number; check: Check }[] {
  const out: { step: number; check: Check }[] = [];
  steps.forEach((step, i) =>
    step.checks.forEach((check) => {
      if (!check.ok) out.push({ step: i, check });
    }),
  );
  return out;
}
