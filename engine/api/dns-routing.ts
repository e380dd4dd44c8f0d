// dns routing: where the forward module sends a query. Upstreams are grouped in pools (each with
// its own policy and health checks); routes pick a pool by the longest zone the query name is in,
// as CoreDNS server blocks and dnsdist's SuffixMatchNode do. The top-level `upstreams`, `policy`
// and `healthCheck` keys are the pool named `default`, so a config written before pools existed
// keeps its meaning; names no route covers go there too.
import { z } from 'zod';
import { hostPort } from './address.ts';

/** The pool the top-level `upstreams`, `policy` and `healthCheck` keys make. */
export const defaultPool = 'default';

/** `tls://ADDR:PORT#NAME` -> its parts (DNS over TLS to ADDR:PORT, certificate checked for NAME); null otherwise. */
export function parseTlsUpstream(value: string): { address: string; name: string } | null {
  const match = /^tls:\/\/([^#]+)#(.+)$/.exec(value);
  if (!match || !hostPort.safeParse(match[1]).success || !isHostName(match[2]!)) return null;
  return { address: match[1]!, name: match[2]!.replace(/\.$/, '') };
}

const label = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** A host name as a certificate names it: LDH labels (and `_`), at most 253 characters. */
function isHostName(name: string): boolean {
  const bare = name.replace(/\.$/, '');
  return bare.length > 0 && bare.length <= 253 && bare.split('.').every((part) => label.test(part));
}

/** "corp.example." or "." — absolute (RFC 1034 §3.1: a name ending in a dot), labels of 1-63 octets, 255 octets in all. */
export function isFqdn(zone: string): boolean {
  if (zone === '.') return true;
  return (
    zone.endsWith('.') &&
    zone.length <= 254 &&
    zone
      .slice(0, -1)
      .split('.')
      .every((part) => label.test(part))
  );
}

/**
 * An upstream: ADDR:PORT (UDP, TCP after TC=1) or tls://ADDR:PORT#NAME (DNS over TLS, RFC 7858,
 * the certificate checked for NAME: RFC 8310's strict profile).
 */
export const upstreamAddress = z
  .string()
  .refine(
    (value) => (value.startsWith('tls://') ? parseTlsUpstream(value) !== null : hostPort.safeParse(value).success),
    'write it as ADDRESS:PORT, e.g. 127.0.0.1:53, or tls://ADDRESS:PORT#NAME for DNS over TLS with the name its certificate must carry, e.g. tls://1.1.1.1:853#cloudflare-dns.com',
  );

export const upstreamEntry = z.union([
  upstreamAddress,
  z
    .object({
      address: upstreamAddress,
      weight: z.number().min(0.01).max(1000).default(1),
      /** tls:// only: PEM file of the CAs that may sign its certificate (a private CA); default: Node's bundled roots. */
      caFile: z.string().min(1).optional(),
      /** tls:// only: the connection is closed after this long without a query waiting. */
      idleTimeoutMs: z.number().int().min(100).max(600_000).optional(),
    })
    .strict()
    .refine((entry) => entry.address.startsWith('tls://') || (entry.caFile === undefined && entry.idleTimeoutMs === undefined), {
      message: 'caFile and idleTimeoutMs apply to DNS over TLS upstreams only: write the address as tls://ADDRESS:PORT#NAME, or remove them',
      path: ['caFile'],
    }),
]);

export const upstreamPolicy = z.enum(['round-robin', 'least-outstanding', 'weighted-random', 'first-available']);

export const healthCheck = z
  .object({
    enabled: z.boolean().default(true),
    intervalMs: z.number().int().min(100).max(600_000).default(2000),
    /** Asked as NS; any answer, even REFUSED, counts as alive. */
    probeName: z.string().min(1).max(255).default('.'),
    failsToDown: z.number().int().min(1).max(100).default(3),
    successesToUp: z.number().int().min(1).max(100).default(2),
  })
  .strict()
  .prefault({});

/** A named pool: its own upstreams, selection policy and health checks. */
export const upstreamPool = z
  .object({
    upstreams: z.array(upstreamEntry).min(1),
    policy: upstreamPolicy.default('round-robin'),
    healthCheck,
  })
  .strict();

export const route = z
  .object({
    /** A fully qualified zone: the route takes this name and every name under it. */
    zone: z.string().refine(isFqdn, 'write the zone fully qualified, ending in a dot, e.g. corp.example. or . for every name'),
    pool: z.string().min(1),
    /** Whether answers of this route are cached (and served from the cache). */
    cache: z.boolean().default(true),
    /** Whether answers of this route are rate limited (when rrl is on). */
    rrl: z.boolean().default(true),
  })
  .strict();
export type Route = z.infer<typeof route>;

/**
 * The checks that need the whole config: every route names a pool that exists, no zone is routed
 * twice (zones compare case-insensitively, RFC 4343), and `pools` does not redefine `default`.
 */
export function checkRouting(config: { pools: Record<string, unknown>; routes: Route[] }, ctx: z.RefinementCtx): void {
  const known = [defaultPool, ...Object.keys(config.pools)];
  if (Object.hasOwn(config.pools, defaultPool)) {
    ctx.addIssue({
      code: 'custom',
      path: ['pools', defaultPool],
      message: 'the default pool is made of the top-level upstreams, policy and healthCheck: give this pool another name',
    });
  }
  const seen = new Map<string, number>();
  config.routes.forEach(({ zone, pool }, index) => {
    if (!known.includes(pool)) {
      ctx.addIssue({
        code: 'custom',
        path: ['routes', index, 'pool'],
        message: `no pool "${pool}": the pools are ${known.join(', ')} — add it under pools, or route to one of them`,
      });
    }
    const key = zone.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined)
      ctx.addIssue({ code: 'custom', path: ['routes', index, 'zone'], message: `zone ${zone} is routed twice (also routes[${first}]): keep one of them` });
    else seen.set(key, index);
  });
}
