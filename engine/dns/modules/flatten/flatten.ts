// flatten: CNAME flattening. For configured names, an A or AAAA query whose answer is a CNAME
// chain is answered with the chain's final records, owned by the queried name, no CNAME, and the
// smallest TTL met along the chain. Parts of the chain missing from the answer are resolved
// through the rest of the pipeline (the forward pool), with loop and length limits. With `apex`,
// every zone apex is flattened too: a name whose A/AAAA answer starts a CNAME chain is asked for
// its SOA once, and what that says is remembered for the SOA's (or the negative answer's) TTL.
import type { DnsModule, Next, QueryContext } from '../../pipeline.ts';
import { answerWith, encodeName, parseQuery, Rcode, readAnswers, readU16, scanResponse, skipName, Type, type AnswerRecord } from '../../wire.ts';

export interface FlattenOptions {
  /** Names to flatten (case-insensitive, exact; "*.example.com" covers names below it). */
  names: string[];
  /** CNAMEs followed at most, across every lookup of one query. */
  maxChain: number;
  /** Also flatten every zone apex: a name the upstream answers SOA for. */
  apex?: boolean;
  /** Names whose apex-ness is remembered at most (least recently used go first). */
  maxApexNames?: number;
  /** Seconds, for the apex memory; performance.now() by default. */
  now?: () => number;
}

/** How long "not an apex" is remembered when the SOA answer carries no TTL to go by. */
const apexFallbackTtl = 60;
/** An apex can stop being one; look again at least this often (seconds). */
const apexMaxTtl = 86_400;

export class Flatten implements DnsModule {
  /** Flattening rewrites what forward brings back: nothing to answer before it. */
  readonly handleNow = null;
  readonly name = 'flatten';
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly maxChain: number;
  private readonly apex: boolean;
  private readonly maxApexNames: number;
  private readonly now: () => number;
  /** Lower-cased name -> whether it is a zone apex, until when (seconds); Map order is LRU. */
  private readonly apexes = new Map<string, { apex: boolean; until: number }>();
  /** SOA lookups in flight, so that a burst of queries for one name asks once. */
  private readonly pendingApex = new Map<string, Promise<boolean>>();
  private readonly counters = { apexLookups: 0 };

  constructor(options: FlattenOptions) {
    for (const name of options.names) {
      const clean = name.toLowerCase().replace(/\.$/, '');
      if (clean.startsWith('*.')) this.suffixes.push(clean.slice(1));
      else this.exact.add(clean);
    }
    this.maxChain = options.maxChain;
    this.apex = options.apex ?? false;
    this.maxApexNames = options.maxApexNames ?? 10_000;
    this.now = options.now ?? (() => performance.now() / 1000);
  }

  applies(name: string): boolean {
    const lower = name.toLowerCase();
    return this.exact.has(lower) || this.suffixes.some((suffix) => lower.endsWith(suffix));
  }

  async handle(ctx: QueryContext, next: Next): Promise<Buffer | null> {
    const { parsed } = ctx;
    if (parsed.type !== Type.A && parsed.type !== Type.AAAA) return next(ctx);
    const configured = this.applies(parsed.name);
    if (!configured && !this.apex) return next(ctx);
    const answer = await next(ctx);
    const rcode = answer ? answer[3]! & 0xf : null;
    if (!answer || (rcode !== Rcode.noError && rcode !== Rcode.nxDomain)) return answer;
    // Ordinary answers (no CNAME at all) leave here without a decode or an extra lookup.
    if (!hasCname(answer)) return answer;
    const records = readAnswers(answer);
    if (!records) return answer;
    if (!configured) {
      const name = parsed.name.toLowerCase();
      if (!records.some((r) => r.type === Type.CNAME && r.name === name)) return answer;
      if (!(await this.isApex(name, ctx, next))) return answer;
    }
    // A chain that ends in a name that does not exist: the flattened name exists but has no data.
    if (rcode === Rcode.nxDomain) {
      ctx.meta.flattened = true;
      return answerWith(ctx.query, parsed, []);
    }

    let name = parsed.name.toLowerCase();
    let minTtl = Infinity;
    let pool = records;
    const seen = new Set<string>([name]);
    for (let hops = 0, lookups = 0; ;) {
      const finals = pool.filter((r) => r.name === name && r.type === parsed.type);
      if (finals.length > 0) {
        ctx.meta.flattened = true;
        const ttl = Math.min(minTtl, ...finals.map((r) => r.ttl));
        return answerWith(
          ctx.query,
          parsed,
          finals.map((r) => ({ type: r.type, ttl, rdata: r.rdata })),
        );
      }
      const cname = pool.find((r) => r.name === name && r.type === Type.CNAME);
      if (cname?.target) {
        if (++hops > this.maxChain || seen.has(cname.target)) throw new Error(`CNAME chain of ${parsed.name} loops or is longer than ${this.maxChain}`);
        seen.add(cname.target);
        minTtl = Math.min(minTtl, cname.ttl);
        name = cname.target;
        continue;
      }
      // The answer stops at a name it has no records for: ask for that name.
      if (pool !== records && pool.every((r) => r.name !== name)) {
        // The upstream has nothing for the chain's end: a dangling chain is NODATA.
        ctx.meta.flattened = true;
        return answerWith(ctx.query, parsed, []);
      }
      if (++lookups > this.maxChain) throw new Error(`CNAME chain of ${parsed.name} needs more than ${this.maxChain} lookups`);
      pool = await this.lookup(name, parsed.type, ctx, next);
    }
  }

  /** Whether `name` (lower-cased) is a zone apex, from memory or from an SOA query. */
  private async isApex(name: string, ctx: QueryContext, next: Next): Promise<boolean> {
    const known = this.apexes.get(name);
    if (known) {
      if (this.now() < known.until) {
        this.apexes.delete(name); // most recently used goes last
        this.apexes.set(name, known);
        return known.apex;
      }
      this.apexes.delete(name);
    }
    let lookup = this.pendingApex.get(name);
    if (!lookup) {
      lookup = this.lookupApex(name, ctx, next).finally(() => this.pendingApex.delete(name));
      this.pendingApex.set(name, lookup);
    }
    return lookup;
  }

  /**
   * Asks the SOA of `name`: a zone apex answers it with an SOA owned by the name; any other name
   * answers NODATA or NXDOMAIN (an SOA of its zone in the authority section), or a CNAME. When
   * the question cannot be answered the name is taken as no apex, not remembered, and the
   * client gets the answer as it was.
   */
  private async lookupApex(name: string, ctx: QueryContext, next: Next): Promise<boolean> {
    this.counters.apexLookups++;
    const query = encodeQuestion(name, Type.SOA, ctx.query);
    const parsed = parseQuery(query);
    if (!parsed) return false;
    let answer: Buffer | null;
    try {
      // Its own meta: the client's query log entry names the upstream of its own answer.
      answer = await next({ ...ctx, query, parsed, meta: {} });
    } catch {
      return false;
    }
    const rcode = answer ? answer[3]! & 0xf : null;
    if (!answer || (rcode !== Rcode.noError && rcode !== Rcode.nxDomain)) return false;
    const records = readAnswers(answer);
    const scanned = scanResponse(answer);
    if (!records || !scanned) return false;
    const soa = records.find((r) => r.type === Type.SOA && r.name === name);
    const ttl = soa ? soa.ttl : (scanned.negativeTtl ?? scanned.minTtl ?? apexFallbackTtl);
    this.remember(name, soa !== undefined, ttl);
    return soa !== undefined;
  }

  private remember(name: string, apex: boolean, ttl: number): void {
    if (ttl <= 0) return;
    this.apexes.set(name, { apex, until: this.now() + Math.min(ttl, apexMaxTtl) });
    for (const oldest of this.apexes.keys()) {
      if (this.apexes.size <= this.maxApexNames) break;
      this.apexes.delete(oldest);
    }
  }

  stats(): { apexNames: number; apexLookups: number } {
    return { apexNames: this.apexes.size, apexLookups: this.counters.apexLookups };
  }

  /** Resolves one name through the rest of the chain; an empty list when it has no records. */
  private async lookup(name: string, type: number, ctx: QueryContext, next: Next): Promise<AnswerRecord[]> {
    const query = encodeQuestion(name, type, ctx.query);
    const parsed = parseQuery(query);
    if (!parsed) throw new Error(`cannot ask for ${name}`);
    const answer = await next({ ...ctx, query, parsed, meta: ctx.meta });
    if (!answer) throw new Error(`no answer for ${name}`);
    const rcode = answer[3]! & 0xf;
    if (rcode === Rcode.nxDomain) return [];
    if (rcode !== Rcode.noError) throw new Error(`${name} answered rcode ${rcode}`);
    const records = readAnswers(answer);
    if (!records) throw new Error(`malformed answer for ${name}`);
    return records;
  }
}

/** Whether the answer section holds a CNAME, read in place (owner names are skipped, not decoded). */
function hasCname(buf: Buffer): boolean {
  if (buf.length < 12) return false;
  let pos = 12;
  for (let i = readU16(buf, 4); i > 0; i--) {
    const end = skipName(buf, pos);
    if (end === null) return false;
    pos = end + 4;
  }
  for (let i = readU16(buf, 6); i > 0; i--) {
    const end = skipName(buf, pos);
    if (end === null || end + 10 > buf.length) return false;
    if (readU16(buf, end) === Type.CNAME) return true;
    pos = end + 10 + readU16(buf, end + 8);
  }
  return false;
}

/** A query for `name` with the flags (and EDNS record) of the client's query. */
function encodeQuestion(name: string, type: number, original: Buffer): Buffer {
  const originalParsed = parseQuery(original)!;
  const header = Buffer.from(original.subarray(0, 12));
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, encodeName(name), tail, original.subarray(originalParsed.questionEnd)]);
}
