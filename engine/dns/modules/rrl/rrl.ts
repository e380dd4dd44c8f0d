// rrl: response rate limiting as BIND 9 does it. Responses are counted per account — the client's
// network (/24, /56) and the kind of response: an answer (per name and type), NODATA or NXDOMAIN
// (per zone, so random-subdomain floods share one account) or an error. Each account earns `rate`
// tokens a second, holds at most `rate`, and sinks to at most -window*rate, so a client that
// floods stays limited until it has been quiet for `window` seconds. Of limited responses the
// first and every `slip`-th after goes out as an empty TC=1 answer (a real client retries over
// TCP; a spoofed victim gets little); the rest are dropped. TCP is never limited.
import { BlockList, isIPv4 } from 'node:net';
import { expandIPv6, unmapped } from '../../ip.ts';
import type { DnsTransport } from '../../../api/dns.ts';
import type { DnsModule, Next, NextNow, QueryContext } from '../../pipeline.ts';
import { emptyResponse, ExtendedRcode, isAuthoritative, Rcode, readName, scanResponse } from '../../wire.ts';

export type ResponseKind = 'answer' | 'nodata' | 'nxdomain' | 'error';
export type RrlAction = 'slip' | 'drop';

export interface RrlOptions {
  responsesPerSecond: number;
  /** 0 means: as responsesPerSecond (BIND's default). */
  nodataPerSecond: number;
  nxdomainsPerSecond: number;
  errorsPerSecond: number;
  /** A cap on all responses to one client network together; 0 disables. */
  allPerSecond: number;
  window: number;
  slip: number;
  ipv4PrefixLength: number;
  ipv6PrefixLength: number;
  /** Addresses or CIDR blocks never limited. */
  exempt: string[];
  /** Count and log what would be limited, but answer normally. */
  logOnly: boolean;
  /** Accounts kept at most; the oldest go first. */
  maxAccounts: number;
  now?: () => number;
}

interface Account {
  balance: number;
  updatedAt: number;
  limitedCount: number;
}

export interface RrlStats {
  accounts: number;
  limited: Record<ResponseKind | 'all', number>;
  slipped: number;
  dropped: number;
  wouldLimit: number;
}

export class ResponseRateLimit implements DnsModule {
  readonly name = 'rrl';
  private readonly options: RrlOptions;
  private readonly accounts = new Map<string, Account>();
  private readonly exempt = new BlockList();
  private readonly now: () => number;
  private readonly counters: RrlStats = {
    accounts: 0,
    limited: { answer: 0, nodata: 0, nxdomain: 0, error: 0, all: 0 },
    slipped: 0,
    dropped: 0,
    wouldLimit: 0,
  };

  constructor(options: RrlOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now() / 1000);
    for (const entry of options.exempt) {
      const [address, bits] = entry.split('/');
      const type = isIPv4(address!) ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.exempt.addAddress(address!, type);
      else this.exempt.addSubnet(address!, Number(bits), type);
    }
  }

  async handle(ctx: QueryContext, next: Next): Promise<Buffer | null> {
    return this.limit(ctx, await next(ctx));
  }

  handleNow(ctx: QueryContext, next: NextNow): Buffer | null | undefined {
    const answer = next(ctx);
    return answer === undefined ? undefined : this.limit(ctx, answer);
  }

  /**
   * Whether an answer the server makes itself (FORMERR, NOTIMP, BADVERS) may go out: it is debited
   * from the client network's error account like any error. As BIND 9 does for such errors, a
   * limited one is dropped, never slipped (a TC=1 copy of an error says nothing a client can use).
   */
  admitOwnError(client: { address: string }, transport: DnsTransport): boolean {
    // Only UDP can be spoofed: TCP, DoT and DoH clients completed a handshake.
    if (transport !== 'udp' || this.isExempt(client.address)) return true;
    const network = networkOf(client.address, this.options.ipv4PrefixLength, this.options.ipv6PrefixLength);
    if (!this.debit(`${network}|error|`, this.rateOf('error'), this.now())) return true;
    if (this.options.logOnly) {
      this.counters.wouldLimit++;
      return true;
    }
    this.counters.limited.error++;
    this.counters.dropped++;
    return false;
  }

  /**
   * The answer as rate limiting lets it out: unchanged, an empty TC=1 (slip), or null (drop). A
   * valid server cookie proves the client's address as TCP does, so such queries are not limited
   * (BIND 9); a query with only a client cookie is slipped as BADCOOKIE carrying our server
   * cookie rather than TC=1 (BIND 9, RFC 7873 §5.2.3): the client retries over UDP with it.
   */
  private limit(ctx: QueryContext, answer: Buffer | null): Buffer | null {
    if (!answer || ctx.transport !== 'udp' || ctx.cookie?.valid || this.isExempt(ctx.client.address)) return answer;
    const network = networkOf(ctx.client.address, this.options.ipv4PrefixLength, this.options.ipv6PrefixLength);
    const { kind, subject } = classify(answer, ctx);
    const now = this.now();
    let limitedBy: ResponseKind | 'all' | null = this.debit(`${network}|${kind}|${subject}`, this.rateOf(kind), now) ? kind : null;
    if (this.options.allPerSecond > 0 && this.debit(`${network}|all`, this.options.allPerSecond, now)) limitedBy ??= 'all';
    if (limitedBy === null) return answer;

    const account = this.accounts.get(limitedBy === 'all' ? `${network}|all` : `${network}|${kind}|${subject}`)!;
    const action: RrlAction = this.options.slip > 0 && account.limitedCount++ % this.options.slip === 0 ? 'slip' : 'drop';
    if (this.options.logOnly) {
      this.counters.wouldLimit++;
      return answer;
    }
    this.counters.limited[limitedBy]++;
    ctx.meta.rrl = action;
    ctx.meta.limitedRcode = answer[3]! & 0xf;
    if (action === 'drop') {
      this.counters.dropped++;
      return null;
    }
    this.counters.slipped++;
    if (ctx.cookie) {
      ctx.meta.extendedRcode = ExtendedRcode.badCookie;
      return emptyResponse(ctx.query, ctx.parsed, ExtendedRcode.badCookie);
    }
    // BIND 9: the slip is NOERROR whatever the answer was; only AA is kept from it.
    return emptyResponse(ctx.query, ctx.parsed, Rcode.noError, { truncated: true, authoritative: isAuthoritative(answer) });
  }

  /** Debits one response; true when the account is overdrawn (the response is limited). */
  private debit(key: string, rate: number, now: number): boolean {
    let account = this.accounts.get(key);
    if (!account) {
      account = { balance: rate, updatedAt: now, limitedCount: 0 };
      this.accounts.set(key, account);
      if (this.accounts.size > this.options.maxAccounts) this.accounts.delete(this.accounts.keys().next().value!);
    } else {
      account.balance = Math.min(rate, account.balance + (now - account.updatedAt) * rate);
      account.updatedAt = now;
    }
    if (account.balance >= 1) account.limitedCount = 0;
    account.balance = Math.max(-this.options.window * rate, account.balance - 1);
    return account.balance < 0;
  }

  private rateOf(kind: ResponseKind): number {
    const { responsesPerSecond, nodataPerSecond, nxdomainsPerSecond, errorsPerSecond } = this.options;
    if (kind === 'nodata') return nodataPerSecond || responsesPerSecond;
    if (kind === 'nxdomain') return nxdomainsPerSecond || responsesPerSecond;
    if (kind === 'error') return errorsPerSecond || responsesPerSecond;
    return responsesPerSecond;
  }

  private isExempt(address: string): boolean {
    const v4 = unmapped(address);
    return isIPv4(v4) ? this.exempt.check(v4, 'ipv4') : this.exempt.check(address, 'ipv6');
  }

  stats(): RrlStats {
    return { ...this.counters, limited: { ...this.counters.limited }, accounts: this.accounts.size };
  }
}

/** The kind of a response and what its account is about (name+type, zone, or nothing). */
function classify(answer: Buffer, ctx: QueryContext): { kind: ResponseKind; subject: string } {
  const scanned = scanResponse(answer);
  const qname = ctx.parsed.name.toLowerCase();
  if (!scanned) return { kind: 'error', subject: '' };
  const zone = () => (scanned.soaOwnerOffset === null ? qname : (readName(answer, scanned.soaOwnerOffset)?.name.toLowerCase() ?? qname));
  if (scanned.rcode === Rcode.nxDomain) return { kind: 'nxdomain', subject: zone() };
  if (scanned.rcode !== Rcode.noError) return { kind: 'error', subject: '' };
  if (scanned.answerCount === 0) return { kind: 'nodata', subject: zone() };
  return { kind: 'answer', subject: `${qname}/${ctx.parsed.type}` };
}

/** The client's network: the address with all but the prefix bits cleared. */
export function networkOf(address: string, v4Bits: number, v6Bits: number): string {
  const v4 = unmapped(address);
  if (isIPv4(v4)) {
    const value = v4.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
    const mask = v4Bits === 0 ? 0 : (0xffffffff << (32 - v4Bits)) >>> 0;
    return `${((value & mask) >>> 0).toString(16)}/${v4Bits}`;
  }
  const groups = expandIPv6(address);
  let bits = v6Bits;
  return (
    groups
      .map((group) => {
        const keep = Math.max(0, Math.min(16, bits));
        bits -= 16;
        return keep === 0 ? 0 : group & ((0xffff << (16 - keep)) & 0xffff);
      })
      .join(':') + `/${v6Bits}`
  );
}
