// Name checks: the hostname against the leaf's SANs (RFC 6125 §6.4, as browsers do it: SANs only,
// no CN fallback, one whole-label wildcard on the left), name chaining between certificates
// (RFC 5280 §7.1) and name constraints (RFC 5280 §4.2.1.10).
import { isIP } from 'node:net';
import type { Certificate, NameSubtree } from '../certificate.ts';
import { DerError, TAG, children, expectTag, readOid, readString, readTlv, whole } from '../der.ts';

function normalizeDns(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

// RFC 5280 §4.2.1.6 / RFC 1034 §3.5 preferred syntax: no underscores in a dNSName.
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function validDnsName(name: string, allowWildcard: boolean): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  return labels.every((label, i) => (allowWildcard && i === 0 && label === '*') || LABEL.test(label));
}

/** Does the SAN dNSName `pattern` cover `host`? */
export function matchHostname(pattern: string, host: string): boolean {
  const p = normalizeDns(pattern);
  const h = normalizeDns(host);
  if (!validDnsName(p, true) || !validDnsName(h, false)) return false;
  if (!p.startsWith('*.')) return p === h;
  // RFC 6125 §6.4.3: the wildcard is the whole left-most label and matches exactly one label;
  // "*.com" style patterns (a wildcard right above a single label) match nothing.
  const rest = p.slice(2);
  if (!rest.includes('.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === rest;
}

export function ipBytes(text: string): Uint8Array | null {
  const kind = isIP(text.replace(/^\[|\]$/g, ''));
  if (kind === 4) return Uint8Array.from(text.split('.').map(Number));
  if (kind === 6) {
    const clean = text.replace(/^\[|\]$/g, '');
    const [head = '', tail] = clean.split('::') as [string, string | undefined];
    const parse = (part: string): number[] => {
      if (!part) return [];
      const groups: number[] = [];
      for (const g of part.split(':')) {
        if (g.includes('.')) {
          const v4 = g.split('.').map(Number);
          groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        } else groups.push(parseInt(g, 16));
      }
      return groups;
    };
    const a = parse(head);
    const b = tail === undefined ? [] : parse(tail);
    const zeros = tail === undefined ? 0 : 8 - a.length - b.length;
    const groups = [...a, ...new Array<number>(zeros).fill(0), ...b];
    const out = new Uint8Array(16);
    groups.forEach((g, i) => {
      out[i * 2] = g >> 8;
      out[i * 2 + 1] = g & 0xff;
    });
    return out;
  }
  return null;
}

export type HostnameResult = { ok: true; matched: string } | { ok: false; message: string };

/** Checks `hostname` (a DNS name or an IP literal) against the leaf's SANs. */
export function checkHostname(leaf: Certificate, hostname: string): HostnameResult {
  const sans = leaf.subjectAltNames;
  const ip = ipBytes(hostname);
  if (ip) {
    const found = sans.ipBytes.findIndex((b) => b.length === ip.length && b.every((x, i) => x === ip[i]));
    if (found >= 0) return { ok: true, matched: sans.ip[found]! };
    return { ok: false, message: `${hostname} is not among the certificate's IP addresses (${sans.ip.join(', ') || 'none'})` };
  }
  const match = sans.dns.find((pattern) => matchHostname(pattern, hostname));
  if (match) return { ok: true, matched: match };
  if (sans.dns.length === 0) {
    return {
      ok: false,
      message: `the certificate has no DNS names in subjectAltName (the common name is not used, as in browsers), so it is not valid for ${hostname}`,
    };
  }
  return { ok: false, message: `${hostname} matches none of the certificate's names: ${sans.dns.slice(0, 8).join(', ')}${sans.dns.length > 8 ? ', …' : ''}` };
}

/** RFC 5280 §7.1 name comparison: the same DER, or the same RDNs after folding (foldedRdns). */
export function namesMatch(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0) return true;
  try {
    const x = foldedRdns(a);
    const y = foldedRdns(b);
    return x.length === y.length && x.every((rdn, i) => rdn === y[i]);
  } catch {
    return false;
  }
}

// The DirectoryString types (and IA5String, which email and DC attributes use): compared as text.
const textTags: ReadonlySet<number> = new Set([TAG.utf8String, TAG.printableString, TAG.t61String, TAG.ia5String, TAG.bmpString, TAG.universalString]);

/**
 * A Name as RFC 5280 §7.1 compares it, one string per RDN: each attribute as type=value, a text
 * value whatever string type encodes it (a PrintableString and a UTF8String of the same text are the
 * same), case-folded with inner white space collapsed and the ends trimmed (RFC 4518 §2.6, in
 * short, as OpenSSL's canonical encoding does); other values byte for byte; the attributes of a
 * multi-valued RDN in sorted order.
 */
function foldedRdns(der: Uint8Array): string[] {
  return children(der, expectTag(readTlv(der, 0), TAG.sequence, 'Name')).map((rdn) =>
    children(der, expectTag(rdn, TAG.set, 'RelativeDistinguishedName'))
      .map((atv) => {
        const [type, value] = children(der, expectTag(atv, TAG.sequence, 'AttributeTypeAndValue'));
        if (!type || !value) throw new DerError('AttributeTypeAndValue: incomplete');
        const text = textTags.has(value.tag) ? readString(der, value).trim().replace(/\s+/g, ' ').toLowerCase() : `#${whole(der, value).toString('hex')}`;
        return `${readOid(der, type)}=${text}`;
      })
      .sort()
      .join('+'),
  );
}

/** `name` is `constraint` or below it; a constraint starting with "." means strictly below. */
function dnsWithin(name: string, constraint: string): boolean {
  if (constraint === '') return true;
  if (constraint.startsWith('.')) return name.endsWith(constraint);
  return name === constraint || name.endsWith(`.${constraint}`);
}

/**
 * A dNSName against one subtree. A wildcard name stands for every name it can match: it is
 * inside a subtree only if all of them are, and it hits an excluded subtree if any of them does.
 */
function dnsMatches(name: string, constraint: string, forExclusion: boolean): boolean {
  const n = normalizeDns(name);
  const c = normalizeDns(constraint);
  if (!n.startsWith('*.')) return dnsWithin(n, c);
  const base = n.slice(2);
  // Every expansion "x.base" is within c when base itself is, or base is c for a "." constraint.
  if (dnsWithin(base, c) || (c.startsWith('.') && base === c.slice(1))) return true;
  if (!forExclusion) return false;
  // Some expansion falls inside c when c (or its parent for ".c") is exactly one label above base.
  const target = c.startsWith('.') ? c.slice(1) : c;
  const dot = target.indexOf('.');
  return dot > 0 && target.slice(dot + 1) === base;
}

function ipMatches(address: Uint8Array, subtree: NameSubtree): boolean {
  const base = subtree.address!;
  const mask = subtree.mask!;
  if (address.length !== base.length) return false;
  for (let i = 0; i < address.length; i++) if ((address[i]! & mask[i]!) !== (base[i]! & mask[i]!)) return false;
  return true;
}

function emailMatches(email: string, constraint: string): boolean {
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  const host = email.slice(at + 1).toLowerCase();
  const c = constraint.toLowerCase();
  if (c.includes('@')) return email.slice(0, at) === constraint.slice(0, constraint.lastIndexOf('@')) && host === c.slice(c.lastIndexOf('@') + 1);
  if (c.startsWith('.')) return host.endsWith(c);
  return host === c;
}

function uriHost(uri: string): string | null {
  try {
    const host = new URL(uri).hostname;
    return host && !isIP(host.replace(/^\[|\]$/g, '')) ? host.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** RFC 5280 §4.2.1.10: a directoryName is within a subtree when the subtree's RDNs begin it, compared as §7.1 says. */
function dnWithin(subject: Uint8Array, base: Uint8Array): boolean {
  const s = foldedRdns(subject);
  const b = foldedRdns(base);
  return b.length <= s.length && b.every((rdn, i) => rdn === s[i]);
}

export interface NameToCheck {
  type: 'dns' | 'ip' | 'email' | 'uri' | 'dn';
  value: string;
  bytes?: Uint8Array;
}

/** The names of `cert` that name constraints apply to (RFC 5280 §4.2.1.10, §6.1.3 b-c). */
export function constrainedNames(cert: Certificate): NameToCheck[] {
  const sans = cert.subjectAltNames;
  const out: NameToCheck[] = [];
  for (const v of sans.dns) out.push({ type: 'dns', value: v });
  sans.ip.forEach((v, i) => out.push({ type: 'ip', value: v, bytes: sans.ipBytes[i]! }));
  for (const v of sans.email) out.push({ type: 'email', value: v });
  for (const v of sans.uri) out.push({ type: 'uri', value: v });
  for (const dn of sans.dn) out.push({ type: 'dn', value: 'directoryName', bytes: dn });
  if (foldedRdns(cert.subjectDer).length > 0) out.push({ type: 'dn', value: cert.subject, bytes: cert.subjectDer });
  return out;
}

function subtreeMatches(name: NameToCheck, subtree: NameSubtree, forExclusion: boolean): boolean | null {
  switch (name.type) {
    case 'dns':
      return subtree.type === 'dns' ? dnsMatches(name.value, subtree.value, forExclusion) : null;
    case 'ip':
      return subtree.type === 'ip' ? ipMatches(name.bytes!, subtree) : null;
    case 'email':
      return subtree.type === 'email' ? emailMatches(name.value, subtree.value) : null;
    case 'uri': {
      if (subtree.type !== 'uri') return null;
      const host = uriHost(name.value);
      if (!host) return forExclusion; // a URI without a host name cannot be shown to be inside
      return dnsWithin(host, subtree.value.toLowerCase());
    }
    case 'dn':
      return subtree.type === 'dn' ? dnWithin(name.bytes!, subtree.bytes) : null;
  }
}

/** The first name of `cert` that `ca`'s name constraints forbid, with the reason; null when all pass. */
export function nameConstraintViolation(ca: Certificate, cert: Certificate): string | null {
  try {
    return firstViolation(ca, cert);
  } catch (error) {
    // The certificate model reports malformed names as problems; a name that still cannot be
    // compared is outside what can be shown to be permitted (RFC 5280 §6.1.3 b).
    if (!(error instanceof DerError)) throw error;
    return `its names cannot be read (${error.message}), so they cannot be checked against the name constraints`;
  }
}

function firstViolation(ca: Certificate, cert: Certificate): string | null {
  const nc = ca.nameConstraints;
  if (!nc) return null;
  // RFC 5280 §4.2.1.10: constraints on a name form we cannot process must reject names of that form.
  if (cert.subjectAltNames.other > 0 && [...nc.permitted, ...nc.excluded].some((s) => s.type === 'other')) {
    return 'it has subjectAltName forms (otherName, …) that the name constraints restrict and that cannot be checked';
  }
  for (const name of constrainedNames(cert)) {
    if (name.type === 'dns' && !validDnsName(normalizeDns(name.value), true) && (nc.permitted.length || nc.excluded.length)) {
      return `dNSName "${name.value}" is malformed, so it cannot be checked against the name constraints`;
    }
    for (const subtree of nc.excluded) {
      if (subtreeMatches(name, subtree, true) === true) return `${name.type} ${name.value} is in the excluded subtree ${subtree.type}:${subtree.value}`;
    }
    const sameType = nc.permitted.filter((s) => s.type === name.type);
    if (sameType.length > 0 && !sameType.some((s) => subtreeMatches(name, s, false) === true)) {
      return `${name.type} ${name.value} is outside the permitted subtrees (${sameType.map((s) => s.value).join(', ')})`;
    }
  }
  return null;
}
