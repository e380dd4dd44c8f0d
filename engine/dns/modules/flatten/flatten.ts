// flatten: CNAME flattening. For configured names, an A or AAAA query whose answer is a CNAME
// chain is answered with the chain's final records, owned by the queried name, no CNAME, and the
// smallest TTL met along the chain. Parts of the chain missing from the answer are resolved
// through the rest of the pipeline (the forward pool), with loop and length limits.
import type { DnsModule, Next, QueryContext } from '../../pipeline.ts';
import { answerWith, encodeName, parseQuery, Rcode, readAnswers, Type, type AnswerRecord } from '../../wire.ts';

export interface FlattenOptions {
  /** Names to flatten (case-insensitive, exact; "*.example.com" covers names below it). */
  names: string[];
  /** CNAMEs followed at most, across every lookup of one query. */
  maxChain: number;
}

export class Flatten implements DnsModule {
  readonly name = 'flatten';
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly maxChain: number;

  constructor(options: FlattenOptions) {
    for (const name of options.names) {
      const clean = name.toLowerCase().replace(/\.$/, '');
      if (clean.startsWith('*.')) this.suffixes.push(clean.slice(1));
      else this.exact.add(clean);
    }
    this.maxChain = options.maxChain;
  }

  applies(name: string): boolean {
    const lower = name.toLowerCase();
    return this.exact.has(lower) || this.suffixes.some((suffix) => lower.endsWith(suffix));
  }

  async handle(ctx: QueryContext, next: Next): Promise<Buffer | null> {
    const { parsed } = ctx;
    if ((parsed.type !== Type.A && parsed.type !== Type.AAAA) || !this.applies(parsed.name)) return next(ctx);
    const answer = await next(ctx);
    const rcode = answer ? answer[3]! & 0xf : null;
    if (!answer || (rcode !== Rcode.noError && rcode !== Rcode.nxDomain)) return answer;
    const records = readAnswers(answer);
    if (!records || !records.some((r) => r.type === Type.CNAME)) return answer;
    // A chain that ends in a name that does not exist: the flattened name exists but has no data.
    if (rcode === Rcode.nxDomain) {
      ctx.meta.flattened = true;
      return answerWith(ctx.query, parsed, []);
    }

    let name = parsed.name.toLowerCase();
    let minTtl = Infinity;
    let pool = records;
    const seen = new Set<string>([name]);
    for (let hops = 0, lookups = 0; ; ) {
      const finals = pool.filter((r) => r.name === name && r.type === parsed.type);
      if (finals.length > 0) {
        ctx.meta.flattened = true;
        const ttl = Math.min(minTtl, ...finals.map((r) => r.ttl));
        return answerWith(ctx.query, parsed, finals.map((r) => ({ type: r.type, ttl, rdata: r.rdata })));
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

/** A query for `name` with the flags (and EDNS record) of the client's query. */
function encodeQuestion(name: string, type: number, original: Buffer): Buffer {
  const originalParsed = parseQuery(original)!;
  const header = Buffer.from(original.subarray(0, 12));
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, encodeName(name), tail, original.subarray(originalParsed.questionEnd)]);
}
