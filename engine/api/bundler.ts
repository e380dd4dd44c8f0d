// bundler: from uploaded certificates, every chain to trusted roots, ranked as cfssl's bundler
// ranks them, explained, and the bundle to serve.
import { z } from 'zod';
import { procedure } from './contract.ts';

export const bundlerConfig = z
  .object({
    enabled: z.boolean().default(false),
    /** `current` (the 2025-2026 stores shipped in resources/trust), `cfssl-2017`, or a folder in either layout. */
    trust: z.string().min(1).default('current'),
    /** Platform weights by name, replacing the shipped ones (for `current`). */
    weights: z.record(z.string(), z.number().min(0).max(1000)).optional(),
  })
  .strict();
export type BundlerConfig = z.infer<typeof bundlerConfig>;

export const bundleFlavor = z.enum(['ubiquitous', 'optimal', 'force']);

/**
 * The caps on one call's uploads: in the schemas below (one file, how many), in the engine's reader
 * (engine/bundler/input/read.ts: one file, all together) and in the console's upload panel.
 */
export const bundlerLimits = { maxFileBytes: 1024 * 1024, maxFiles: 32, maxTotalBytes: 8 * 1024 * 1024 } as const;

/**
 * The order the ubiquitous flavor compares chains in (cfssl's, specs/bundler-ranking.md); optimal
 * compares length, earliestExpiry, cryptoQuality. The names are the keys of a chain's `scores`.
 */
export const rankOrder = {
  ubiquitous: ['coverage', 'sha2BelowRoot', 'length', 'hashUbiquity', 'keyUbiquity', 'expiryLevels', 'earliestExpiry', 'cryptoQuality'],
  optimal: ['length', 'earliestExpiry', 'cryptoQuality'],
} as const;
export type RankCriterion = (typeof rankOrder.ubiquitous)[number];

/** One dropped or chosen file; text pasted into the page comes as a file named "pasted". */
const upload = z
  .object({
    name: z.string().min(1).max(255),
    /** The file's bytes, base64; at most 1 MiB decoded. */
    base64: z
      .string()
      .max(Math.ceil(bundlerLimits.maxFileBytes / 3) * 4)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
    /** For PKCS#12 files and encrypted keys. */
    password: z.string().max(1024).optional(),
  })
  .strict();

export const bundleRequest = z
  .object({
    files: z.array(upload).min(1).max(bundlerLimits.maxFiles),
    flavor: bundleFlavor.default('ubiquitous'),
    /** Validate at this time instead of now (ISO 8601). */
    at: z.iso.datetime({ offset: true }).optional(),
    /** Check the leaf is valid for this host name. */
    domain: z.string().min(1).max(253).optional(),
    /** Put the root in the PEM bundle too (cfssl leaves it out). */
    includeRoot: z.boolean().default(false),
    /** Accept SHA-1 signatures below the root, for legacy clients only (every current browser refuses them). */
    allowSha1: z.boolean().default(false),
    /** The n-th uploaded certificate (1-based, in upload order) is the leaf, instead of the one the rule picks. */
    leaf: z.number().int().min(1).max(2000).optional(),
  })
  .strict();
export type BundleRequest = z.infer<typeof bundleRequest>;

export const certificateCard = z.object({
  fingerprint: z.string(),
  subject: z.string(),
  issuer: z.string(),
  commonName: z.string().nullable(),
  serialNumber: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  key: z.string(),
  signatureAlgorithm: z.string(),
  isCA: z.boolean(),
  selfIssued: z.boolean(),
  sans: z.array(z.string()),
  /** Where it came from: an uploaded file (`name#n`), else `intermediate pool` or `root store`. */
  source: z.string(),
});
export type CertificateCard = z.infer<typeof certificateCard>;

const problem = z.object({ code: z.number().int(), name: z.string(), message: z.string(), source: z.string() });

export const rankedChain = z.object({
  id: z.string(),
  rank: z.number().int(),
  /** Leaf first, root last. */
  certs: z.array(certificateCard),
  /** Per-criterion scores, named as in the ranking README (coverage, hash, key, length, ...). */
  scores: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  /** Why this chain lost to the one above it; null for the chosen one. */
  lostAt: z.object({ step: z.string(), reason: z.string() }).nullable(),
  explanations: z.array(z.string()),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  /** Platforms whose stores trust the root (current names). */
  trustedBy: z.array(z.string()),
});
export type RankedChainView = z.infer<typeof rankedChain>;

export const bundleResult = z.object({
  leaf: certificateCard,
  /** Which upload the leaf is and why (the uploaded key's, valid for the domain, the first non-CA, chosen). */
  leafChoice: z.object({ source: z.string(), reason: z.string() }),
  /** Every certificate read from the uploads, in upload order. */
  uploaded: z.array(certificateCard),
  key: z.enum(['matched', 'no-key', 'mismatch']),
  flavor: bundleFlavor,
  at: z.string(),
  chains: z.array(rankedChain),
  /** The PEM bundle of the chosen chain (root left out unless asked); empty when no chain. */
  bundlePem: z.string(),
  /**
   * cfssl's JSON report keys (bundle, root, crt, key_type, ..., status) plus ours (flavor, validated_at,
   * trust, chains, problems); without a bundle, cfssl's error shape {code, message} plus ours.
   */
  report: z.record(z.string(), z.unknown()),
  /** What could not be read or used, with cfssl's codes where they exist. */
  problems: z.array(problem),
  trust: z.object({ name: z.string(), dataDate: z.string(), roots: z.number().int(), intermediates: z.number().int() }),
  elapsedMs: z.number(),
});
export type BundleResult = z.infer<typeof bundleResult>;

export const bundlerApi = {
  procedures: {
    'bundler.bundle': procedure(
      'Reads the uploads, builds every chain from the leaf to trusted roots, ranks them and returns the bundle.',
      bundleRequest,
      bundleResult,
      'operator',
    ),
    'bundler.trust': procedure(
      'The trust data in use: its name and date, root stores with their weights, the intermediate pool.',
      z.object({}).strict(),
      z.object({
        name: z.string(),
        dataDate: z.string(),
        platforms: z.array(z.object({ name: z.string(), weight: z.number(), roots: z.number().int() })),
        intermediates: z.number().int(),
      }),
      'viewer',
    ),
  },
  streams: {},
} as const;
