// DNS type and rcode names (IANA DNS parameters) for what the history prints and exports: the CLI's
// CSV and the export files write "A" and "NXDOMAIN" alike. dns-packet's tables, plus the types it lacks.
import { createRequire } from 'node:module';

// dns-packet's own name tables; its index does not re-export them.
const require = createRequire(import.meta.url);
const rcodes = require('dns-packet/rcodes.js') as { toString(code: number): string; toRcode(name: string): number };
const types = require('dns-packet/types.js') as { toString(code: number): string; toType(name: string): number };

/** RFC 9460 (SVCB, HTTPS), newer than dns-packet's table. */
const moreTypes: Record<number, string> = { 64: 'SVCB', 65: 'HTTPS' };

/** A, HTTPS, or RFC 3597's TYPEnnn. */
export function typeName(code: number): string {
  const name = moreTypes[code] ?? types.toString(code);
  return name.startsWith('UNKNOWN') ? `TYPE${code}` : name;
}

/** NOERROR, NXDOMAIN, ...; DROPPED for a query RRL dropped unanswered (rcode -1). */
export function rcodeText(code: number): string {
  if (code < 0) return 'DROPPED';
  const name = rcodes.toString(code);
  return name.startsWith('RCODE_') ? `RCODE${code}` : name;
}

/** A type as written on the command line ("AAAA", "65"); undefined when it names none. */
export function typeCode(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const upper = text.toUpperCase();
  const more = Object.entries(moreTypes).find(([, name]) => name === upper);
  if (more) return Number(more[0]);
  // dns-packet answers 0 for a name it does not know.
  return types.toType(upper) || undefined;
}

export function rcodeCode(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const upper = text.toUpperCase();
  if (upper === 'NOERROR') return 0;
  if (upper === 'DROPPED') return -1;
  return rcodes.toRcode(upper) || undefined;
}

/** SQL that names a column's codes as the functions above do: CASE over the known codes. */
function caseSql(column: string, codes: number[], name: (code: number) => string, otherwise: string): string {
  return `CASE ${column} ${codes.map((code) => `WHEN ${code} THEN '${name(code)}'`).join(' ')} ELSE ${otherwise} END`;
}

const knownTypes = [...Array.from({ length: 300 }, (_, i) => i), 32768, 32769].filter((code) => !typeName(code).startsWith('TYPE'));
export const typeNameSql = caseSql('qtype', knownTypes, typeName, "'TYPE' || qtype");
export const rcodeNameSql = caseSql('rcode', [-1, ...Array.from({ length: 11 }, (_, i) => i)], rcodeText, "'RCODE' || rcode");
