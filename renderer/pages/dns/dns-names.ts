// Names for the numbers of the DNS wire format (IANA DNS parameters), and how the query log writes
// its times.

const qtypeNames: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  13: 'HINFO',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  35: 'NAPTR',
  39: 'DNAME',
  41: 'OPT',
  43: 'DS',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  50: 'NSEC3',
  52: 'TLSA',
  59: 'CDS',
  60: 'CDNSKEY',
  64: 'SVCB',
  65: 'HTTPS',
  99: 'SPF',
  251: 'IXFR',
  252: 'AXFR',
  255: 'ANY',
  257: 'CAA',
};

/** The types an operator filters on most, in the order the filter offers them. */
export const commonQtypes = [1, 28, 5, 15, 16, 2, 6, 12, 33, 65, 64, 257, 43, 48, 255];

const qtypeByName = new Map(Object.entries(qtypeNames).map(([code, name]) => [name, Number(code)]));

/** "A", "HTTPS", or RFC 3597's TYPEnnn for the rest. */
export function qtypeName(qtype: number): string {
  return qtypeNames[qtype] ?? `TYPE${qtype}`;
}

/** A type as an operator types it: "aaaa", "TYPE65" or "65"; undefined when it is none of these. */
export function parseQtype(text: string): number | undefined {
  const upper = text.trim().toUpperCase();
  if (upper === '') return undefined;
  const named = qtypeByName.get(upper);
  if (named !== undefined) return named;
  const numeric = /^(?:TYPE)?(\d{1,5})$/.exec(upper)?.[1];
  const value = numeric === undefined ? NaN : Number(numeric);
  return value >= 0 && value <= 65535 ? value : undefined;
}

export const rcodeNames: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  6: 'YXDOMAIN',
  7: 'YXRRSET',
  8: 'NXRRSET',
  9: 'NOTAUTH',
  10: 'NOTZONE',
};

/** The mnemonic of an rcode; for an answer rrl slipped or dropped, the rcode it would have had (its `rrl` column says which). */
export function rcodeName(rcode: number): string {
  return rcodeNames[rcode] ?? `RCODE${rcode}`;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** Local time to the millisecond for the query log; the zone is written once, in the column header. */
export function formatLogTime(epochMs: number): string {
  return `${clock.format(epochMs)}.${String(Math.floor(epochMs % 1000)).padStart(3, '0')}`;
}

/** The short name of the local time zone ("CET", "GMT+2"), for column headers. */
export function localZoneName(): string {
  const part = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(Date.now()).find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'local';
}
