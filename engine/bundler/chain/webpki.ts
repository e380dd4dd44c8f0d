// Profile rules beyond path validation: what RFC 5280 §4 says a conforming certificate MUST look
// like and what the CA/Browser Forum Baseline Requirements (§7.1) add. They are rules for the CA
// that issues, which Go's verifier (cfssl) and Chrome's do not enforce, and real roots from 2017
// break several of them: warnings (W_PROFILE), listed in test/limbo/baseline.json.
import { EXT, type Certificate } from '../certificate.ts';
import { validDnsName } from './names.ts';

/** Every profile rule `cert` breaks in position `index` of a chain of `length`. */
export function profileViolations(cert: Certificate, index: number, length: number): string[] {
  const out: string[] = [];
  const isLeaf = index === 0;
  const isRoot = index === length - 1;
  const isCA = !isLeaf;
  const ext = (oid: string) => cert.extension(oid);

  // RFC 5280 §4.2.1.1-2: AKI and SKI are never critical; AKI is in every certificate but a
  // self-signed root; SKI is in every CA certificate.
  if (ext(EXT.authorityKeyId)?.critical) out.push('authorityKeyIdentifier is marked critical');
  if (ext(EXT.subjectKeyId)?.critical) out.push('subjectKeyIdentifier is marked critical');
  if (!isRoot && !ext(EXT.authorityKeyId)) out.push('no authorityKeyIdentifier');
  if (isCA && !ext(EXT.subjectKeyId)) out.push('a CA certificate without subjectKeyIdentifier');
  // CABF 7.1.2.1.3: a root's AKI, when present, has only a keyIdentifier, equal to its SKI.
  if (isRoot && length > 1 && cert.selfIssued) {
    const aki = cert.authorityKeyIdFields;
    if (aki && (!aki.keyId || aki.hasIssuer || aki.hasSerial || aki.keyId !== cert.subjectKeyId)) {
      out.push("the root's authorityKeyIdentifier must hold only a keyIdentifier equal to its subjectKeyIdentifier");
    }
  }

  // RFC 5280 §4.2.1.9: CAs mark basicConstraints critical. §4.2.1.3: keyCertSign only in CA certificates.
  if (isCA && cert.hasBasicConstraints && !ext(EXT.basicConstraints)?.critical) out.push('basicConstraints is not critical in a CA certificate');
  // (keyCertSign in a leaf that is not a CA: validate.ts, a leaf check that fails the chain.)
  // RFC 5280 §4.2.1.10: name constraints only in CA certificates; DNS constraints have no leading period.
  if (isLeaf && ext(EXT.nameConstraints)) out.push('nameConstraints in an end-entity certificate');
  const nc = cert.nameConstraints;
  if (nc) {
    for (const s of [...nc.permitted, ...nc.excluded]) {
      if (s.type === 'dns' && s.value.startsWith('.')) out.push(`dNSName constraint "${s.value}" starts with a period`);
    }
  }
  // RFC 5280 §4.1.2.6: a CA's subject is never empty. §4.2.1.6: with an empty subject the SAN is critical.
  if (isCA && cert.subjectEmpty) out.push('a CA certificate with an empty subject');
  const san = ext(EXT.subjectAltName);
  if (cert.subjectEmpty && san && !san.critical) out.push('subjectAltName must be critical when the subject is empty');
  // CABF 7.1.2.7.12: the SAN is critical only when the subject is empty.
  if (isLeaf && !cert.subjectEmpty && san?.critical) out.push('subjectAltName is critical although the subject is not empty');

  if (isLeaf) {
    const sans = cert.subjectAltNames;
    for (const name of sans.dns) {
      if (!validDnsName(name.toLowerCase().replace(/\.$/, ''), true)) out.push(`subjectAltName dNSName "${name}" is not a valid host name`);
    }
  }
  return out;
}
