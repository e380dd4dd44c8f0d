// One bundle: the uploads read, the leaf picked, every chain to a trusted root built and validated,
// the valid ones ranked (cfssl's flavors), the chosen chain as a PEM bundle, and cfssl's JSON report
// with our explanations. Self-contained: the engine (bundleOffThread), the command line and the
// benchmark (bundleUploads, bundle) call this with a loaded TrustStore.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { BundleResult, bundleRequest, CertificateCard, RankedChainView } from '../api/bundler.ts';
import { ApiError } from '../api/errors.ts';
import { extraWarnings, rankedCert, rankPlatforms } from './candidates.ts';
import { certificateCard, isoTime, POOL_SOURCE, ROOT_STORE_SOURCE } from './cards.ts';
import { CertificateParseError, E_PARSE_FAILED, parseCertificate, type Certificate } from './certificate.ts';
import { DerError } from './der.ts';
import { CODE_NAMES, E_UNKNOWN_AUTHORITY, E_VERIFY_FAILED } from './chain/codes.ts';
import { buildChains, sourcesFromStore, type BuildResult, type Chain, type SearchLimits } from './chain/search.ts';
import { checkHostname } from './chain/names.ts';
import { failures, type ValidationOptions } from './chain/validate.ts';
import { matchKey, readUploads, readUploadsOffThread, type InputKey, type InputResult, type ReadLimits, type Upload } from './input/index.ts';
import { RankError, rankChains, type CandidateChain, type RankedChain, type RankResult } from './rank/rank.ts';
import { cfsslReport } from './report.ts';
import type { TrustStore } from './trust/store.ts';

/** The request as a caller writes it (flavor and includeRoot may be left out). */
export type BundleInput = z.input<typeof bundleRequest>;

export interface BundleSettings {
  flavor?: string;
  /** Validation time (default: now). */
  at?: Date;
  /** A host name the leaf must be valid for. */
  domain?: string;
  /** Keep the root in the PEM bundle. */
  includeRoot?: boolean;
  /** Accept SHA-1 signatures below the root, for legacy clients (chain/validate.ts); marked `allow_sha1` in the report. */
  allowSha1?: boolean;
  /** The n-th uploaded certificate (1-based, upload order) is the leaf, whatever pickLeaf would take. */
  leaf?: number;
}

export interface BundleOptions {
  /** Search limits (chain/README.md); defaults: depth 20, 2,000 signature checks, 1 s. */
  limits?: SearchLimits;
  /** Upload size caps (input/README.md). */
  readLimits?: ReadLimits;
  /** Put the matched private key's PEM in the report's `key`, as cfssl does (the API leaves it out). */
  includeKeyPem?: boolean;
}

export type Problem = BundleResult['problems'][number];

/** Nothing to bundle: no certificate could be read. An ApiError whose code is `E_BUNDLER_<cfssl code>` (engine/api/bundler-errors.ts). */
export class BundleError extends ApiError {
  override readonly name = 'BundleError';
  /** cfssl's numeric code (1002 when nothing was readable). */
  readonly cfsslCode: number;
  readonly problems: Problem[];

  constructor(cfsslCode: number, message: string, problems: Problem[] = []) {
    super(`E_BUNDLER_${cfsslCode}`, message);
    this.cfsslCode = cfsslCode;
    this.problems = problems;
  }
}

/** The API request: files as base64. Throws BundleError when no certificate can be read. */
export function bundle(request: BundleInput, store: TrustStore, options: BundleOptions = {}): BundleResult {
  const started = performance.now();
  const { uploads, settings } = fromRequest(request);
  return bundleInput(readUploads(uploads, options.readLimits), settings, store, options, started);
}

/**
 * The engine's bundle: as `bundle`, but PKCS#12 files and encrypted keys are decrypted on a worker
 * thread under a time allowance (input/offthread.ts), so the engine answers other calls meanwhile.
 */
export async function bundleOffThread(request: BundleInput, store: TrustStore, options: BundleOptions = {}): Promise<BundleResult> {
  const started = performance.now();
  const { uploads, settings } = fromRequest(request);
  return bundleInput(await readUploadsOffThread(uploads, options.readLimits), settings, store, options, started);
}

function fromRequest(request: BundleInput): { uploads: Upload[]; settings: BundleSettings } {
  const at = request.at === undefined ? new Date() : new Date(request.at);
  if (Number.isNaN(at.getTime())) throw new BundleError(1002, `at: "${request.at}" is not a date; write it as ISO 8601, e.g. 2024-06-01T00:00:00Z`);
  const uploads: Upload[] = request.files.map((f) => ({
    name: f.name,
    bytes: Buffer.from(f.base64, 'base64'),
    ...(f.password !== undefined ? { password: f.password } : {}),
  }));
  const settings = {
    flavor: request.flavor ?? 'ubiquitous',
    at,
    ...(request.domain ? { domain: request.domain } : {}),
    includeRoot: request.includeRoot ?? false,
    allowSha1: request.allowSha1 ?? false,
    ...(request.leaf !== undefined ? { leaf: request.leaf } : {}),
  };
  return { uploads, settings };
}

interface Uploaded {
  cert: Certificate;
  source: string;
}

/** One candidate with what ranking does not carry: the certificates, where each came from, the validation. */
interface Candidate {
  rank: CandidateChain;
  certs: Certificate[];
  sources: string[];
  chain: Chain | null;
}

/**
 * How every chain of a bundle is validated, whatever the flavor (flavors only rank valid chains):
 * the one policy, which the x509-limbo harness (test/limbo/harness.ts) runs too, so its score is
 * what users get.
 */
export function validationPolicy(settings: Pick<BundleSettings, 'at' | 'domain' | 'allowSha1'>): ValidationOptions {
  return { at: settings.at ?? new Date(), ...(settings.domain ? { hostname: settings.domain } : {}), allowSha1: settings.allowSha1 ?? false };
}

/** Raw uploads (bytes or text). Throws BundleError when no certificate can be read. */
export function bundleUploads(
  uploads: readonly Upload[],
  settings: BundleSettings,
  store: TrustStore,
  options: BundleOptions = {},
  started = performance.now(),
): BundleResult {
  return bundleInput(readUploads(uploads, options.readLimits), settings, store, options, started);
}

function bundleInput(input: InputResult, settings: BundleSettings, store: TrustStore, options: BundleOptions, started: number): BundleResult {
  const at = settings.at ?? new Date();
  const problems: Problem[] = input.problems.map((p) => ({ code: p.code, name: p.name, message: p.message, source: p.source }));

  const uploaded: Uploaded[] = [];
  for (const c of input.certificates) {
    try {
      const cert = parseCertificate(c.der);
      // Every lazy field decoded now: what is malformed becomes the certificate's problems here,
      // next to its file name, and the search and ranking read decoded values only.
      void cert.problems;
      uploaded.push({ cert, source: c.source });
    } catch (error) {
      if (!(error instanceof CertificateParseError) && !(error instanceof DerError)) throw error;
      const message = error instanceof CertificateParseError ? error.message : `a field cannot be decoded (${error.message})`;
      problems.push({ code: E_PARSE_FAILED, name: 'E_INPUT_PARSE', message: `${c.source}: ${message}`, source: c.source });
    }
  }
  if (uploaded.length === 0) throw noCertificate(problems, input.keys.length);

  const inputOrder = uploadOrder(uploaded.map((u) => u.cert));
  const { entry: leafEntry, reason: leafReason } = pickLeaf(uploaded, input.keys, settings);
  const leaf = leafEntry.cert;
  const sourceOf = new Map(uploaded.map((u) => [u.cert.fingerprint, u.source]));

  const keyMatch = matchKey(leaf.der, input.keys, leafEntry.source);
  if (keyMatch.status === 'mismatch') problems.push({ ...keyMatch.problem });

  const built = buildChains(
    leaf,
    sourcesFromStore(
      store,
      uploaded.filter((u) => u !== leafEntry).map((u) => u.cert),
    ),
    { ...validationPolicy(settings), ...options.limits },
  );

  const base = {
    leaf: certificateCard(leaf, leafEntry.source),
    leafChoice: { source: leafEntry.source, reason: leafReason },
    uploaded: uploaded.map((u) => certificateCard(u.cert, u.source)),
    key: keyMatch.status,
    at: isoTime(at),
    trust: { name: store.name, dataDate: store.dataDate, roots: store.anchors.size, intermediates: store.intermediates.size },
  };
  const flavorAsked = settings.flavor ?? 'ubiquitous';
  const legacy = settings.allowSha1 ? { allow_sha1: true } : {};
  const noBundle = (flavor: BundleResult['flavor'], chainProblems: Problem[]): BundleResult => {
    const all = [...problems, ...chainProblems];
    const main = chainProblems[0]!;
    return {
      ...base,
      flavor,
      chains: [],
      bundlePem: '',
      report: {
        code: main.code,
        message: main.message,
        problems: all,
        validated_at: base.at,
        flavor,
        trust: base.trust,
        leaf_choice: base.leafChoice,
        ...legacy,
      },
      problems: all,
      elapsedMs: performance.now() - started,
    };
  };

  const valid = built.chains.filter((c) => c.valid);
  const flavor = flavorAsked === 'optimal' || flavorAsked === 'force' ? flavorAsked : 'ubiquitous';
  if (valid.length === 0) {
    // A private or retired root uploaded with the chain does not make it trusted; say which one.
    const untrustedRoots = uploaded
      .filter((u) => u !== leafEntry && u.cert.isCA && u.cert.selfSigned && !store.anchorFor(u.cert))
      .map((u): Problem => ({
        code: E_UNKNOWN_AUTHORITY,
        name: 'E_UNKNOWN_AUTHORITY',
        source: u.source,
        message: `the uploaded root ${u.cert.subject} is not in the trust data (${store.name}, ${store.dataDate}): a bundle must end at a root the platforms trust; bundle against a trust folder that has it (--trust DIR) if it is your own CA`,
      }));
    // With no chain at all, an uploaded root the trust data lacks is the reason: it comes first.
    return noBundle(flavor, built.chains.length === 0 ? [...untrustedRoots, ...chainProblems(built)] : [...chainProblems(built), ...untrustedRoots]);
  }

  const candidates: Candidate[] = valid.map((chain) => ({
    rank: { certs: chain.certs.map((c, i) => rankedCert(c, i === chain.certs.length - 1)), uploadedOrder: isUploadedChain(chain.certs, inputOrder) },
    certs: chain.certs,
    sources: chain.certs.map((c, i) => sourceLabel(c, chain.sources[i]!, sourceOf)),
    chain,
  }));
  // force without a matching chain: the uploaded certificates as they are (cfssl's partialVerify only).
  if (flavor === 'force' && !candidates.some((c) => c.rank.uploadedOrder)) {
    const anchored = store.anchorFor(inputOrder.at(-1)!) !== undefined;
    candidates.push({
      rank: { certs: inputOrder.map((c, i) => rankedCert(c, anchored && i === inputOrder.length - 1)), uploadedOrder: true },
      certs: inputOrder,
      sources: inputOrder.map((c) => sourceOf.get(c.fingerprint) ?? ROOT_STORE_SOURCE),
      chain: null,
    });
  }

  const byFingerprint = new Map<string, Certificate>();
  for (const c of candidates) for (const cert of c.certs) byFingerprint.set(cert.fingerprint, cert);
  const byRank = new Map(candidates.map((c) => [c.rank, c]));
  let ranked: RankResult;
  try {
    ranked = rankChains(
      candidates.map((c) => c.rank),
      rankPlatforms(store, leaf, byFingerprint),
      {
        flavor,
        now: at,
        signs: (issuer, subject) => {
          const s = byFingerprint.get(subject.fingerprint);
          const i = byFingerprint.get(issuer.fingerprint);
          return s !== undefined && i !== undefined && s.verifySignedBy(i);
        },
      },
    );
  } catch (error) {
    if (!(error instanceof RankError)) throw error;
    return noBundle(flavor, [{ code: error.code, name: CODE_NAMES[error.code] ?? 'E_VERIFY_FAILED', message: error.message, source: 'chain' }]);
  }

  const chains = ranked.chains.map((r) => chainView(r, byRank.get(r.chain)!, store, at));
  if (built.stats.truncated) {
    chains[0]!.warnings.push({ code: 'W_SEARCH_TRUNCATED', message: `the search stopped early (${built.stats.truncated}): there may be other chains` });
  } else if (built.stats.depthCut) {
    chains[0]!.warnings.push({ code: 'W_SEARCH_TRUNCATED', message: `${built.stats.depthCut}: there may be longer chains` });
  }
  const chosen = byRank.get(ranked.chains[0]!.chain)!;
  const bundled = bundleCertificates(chosen, settings.includeRoot ?? false);
  const root = chosen.rank.certs.at(-1)!.isRoot ? chosen.certs.at(-1)! : null;
  const report = {
    ...cfsslReport({
      leaf: chosen.certs[0]!,
      chain: chosen.certs,
      bundle: bundled,
      root,
      status: ranked.chains[0]!.status,
      uploaded: inputOrder,
      at,
      key: options.includeKeyPem && keyMatch.status === 'matched' ? keyMatch.key.key : null,
    }),
    flavor: ranked.flavor,
    validated_at: base.at,
    trust: base.trust,
    leaf_choice: base.leafChoice,
    ...legacy,
    chains: chains.map((c) => ({
      rank: c.rank,
      path: c.certs.map((card) => card.subject),
      root: c.certs.at(-1)!.subject,
      lost_at: c.lostAt,
      trusted_by: c.trustedBy,
      explanations: c.explanations,
      warnings: c.warnings,
    })),
    problems,
  };
  return {
    ...base,
    flavor: ranked.flavor,
    chains,
    bundlePem: bundled.map((c) => c.pem).join(''),
    report,
    problems,
    elapsedMs: performance.now() - started,
  };
}

/**
 * The leaf, and why (the report says it): the n-th uploaded certificate when the caller chose one;
 * else the one the uploaded private key belongs to; else the first non-CA certificate valid for
 * `domain`; else the first non-CA certificate in upload order; else (only CAs were uploaded) the
 * first one no other uploaded certificate names as its issuer (by name or key identifier; linear,
 * so a thousand uploaded CAs cost nothing).
 */
function pickLeaf(uploaded: readonly Uploaded[], keys: readonly InputKey[], settings: BundleSettings): { entry: Uploaded; reason: string } {
  if (settings.leaf !== undefined) {
    const chosen = uploaded[settings.leaf - 1];
    if (!chosen) {
      throw new BundleError(
        E_VERIFY_FAILED,
        `leaf ${settings.leaf}: only ${uploaded.length} certificate${uploaded.length === 1 ? ' was' : 's were'} read from the uploads; choose a number from 1 to ${uploaded.length}`,
      );
    }
    return { entry: chosen, reason: `chosen: certificate ${settings.leaf} of the uploads` };
  }
  const keyed = keys.length > 0 ? uploaded.find((u) => matchKey(u.cert.der, keys).status === 'matched') : undefined;
  if (keyed) return { entry: keyed, reason: 'the uploaded private key belongs to it' };
  const leaves = uploaded.filter((u) => !u.cert.isCA);
  const named = settings.domain ? leaves.find((u) => checkHostname(u.cert, settings.domain!).ok) : undefined;
  if (named) return { entry: named, reason: `the first certificate uploaded that is not a CA and is valid for ${settings.domain}` };
  if (leaves[0]) return { entry: leaves[0], reason: 'the first certificate uploaded that is not a CA' };
  const issuerNames = new Set<string>();
  const issuerKeyIds = new Set<string>();
  for (const { cert } of uploaded) {
    if (cert.selfIssued) continue;
    issuerNames.add(cert.issuerKey);
    if (cert.authorityKeyId) issuerKeyIds.add(cert.authorityKeyId);
  }
  const end = uploaded.find(({ cert }) => !issuerNames.has(cert.subjectKey) && !(cert.subjectKeyId && issuerKeyIds.has(cert.subjectKeyId)));
  return end
    ? { entry: end, reason: 'only CA certificates were uploaded: the first that issued none of the others' }
    : { entry: uploaded[0]!, reason: 'only CA certificates were uploaded, each issuing another: the first one' };
}

/** The uploaded certificates in upload order, flipped when they were uploaded root first (cfssl does the same). */
function uploadOrder(certs: Certificate[]): Certificate[] {
  const signedInOrder = (list: Certificate[]) => list.every((c, i) => i === list.length - 1 || c.verifySignedBy(list[i + 1]!));
  if (certs.length < 2 || signedInOrder(certs)) return certs;
  const reversed = [...certs].reverse();
  return signedInOrder(reversed) ? reversed : certs;
}

/** The chain is what was uploaded, in that order, with or without its root (cfssl's forceChains). */
function isUploadedChain(chain: readonly Certificate[], inputOrder: readonly Certificate[]): boolean {
  const same = (a: readonly Certificate[]) => a.length === inputOrder.length && a.every((c, i) => c.fingerprint === inputOrder[i]!.fingerprint);
  return same(chain) || same(chain.slice(0, -1));
}

function sourceLabel(cert: Certificate, source: string, uploaded: ReadonlyMap<string, string>): string {
  const fromUpload = uploaded.get(cert.fingerprint);
  if (fromUpload) return fromUpload;
  return source === 'anchor' ? ROOT_STORE_SOURCE : POOL_SOURCE;
}

/**
 * The PEM bundle: the root is left out (cfssl), unless asked for, or for a non-CA leaf with an OCSP
 * URL and a chain of two or fewer certificates (cfssl keeps the issuer then, so OCSP responses
 * can be checked). A forced chain that does not end at a trust anchor is kept whole.
 */
function bundleCertificates(chosen: Candidate, includeRoot: boolean): Certificate[] {
  const certs = chosen.certs;
  const leaf = certs[0]!;
  const endsAtRoot = chosen.rank.certs.at(-1)!.isRoot;
  const ocspException = !leaf.isCA && leaf.ocspUrls.length > 0 && certs.length <= 2;
  if (includeRoot || !endsAtRoot || ocspException || certs.length === 1) return certs;
  return certs.slice(0, -1);
}

function chainView(r: RankedChain, candidate: Candidate, store: TrustStore, at: Date): RankedChainView {
  const s = r.scores;
  const certs: CertificateCard[] = candidate.certs.map((c, i) => certificateCard(c, candidate.sources[i]!));
  return {
    id: createHash('sha256')
      .update(candidate.certs.map((c) => c.fingerprint).join(':'))
      .digest('hex')
      .slice(0, 16),
    rank: r.rank,
    certs,
    scores: {
      coverage: s.coverage,
      coverageMax: s.coverageMax,
      sha2BelowRoot: s.sha2BelowRoot,
      length: s.length,
      hashUbiquity: s.hashUbiquity,
      keyUbiquity: s.keyUbiquity,
      earliestExpiry: isoTime(s.earliestExpiry),
      cryptoQuality: s.cryptoQuality.total,
      cryptoHash: s.cryptoQuality.hash,
      cryptoKey: s.cryptoQuality.key,
      statusCode: r.status.code,
    },
    lostAt: r.lostAt,
    explanations: r.explanations,
    warnings: [...r.warnings.map((w) => ({ code: w.code, message: w.message })), ...extraWarnings(candidate.certs, candidate.chain?.steps ?? null, store, at)],
    trustedBy: s.platforms.filter((p) => p.trustsRoot).map((p) => p.name),
  };
}

/** No valid chain: the search's verdict first, then every other failure of the closest chain. */
function chainProblems(built: BuildResult): Problem[] {
  const error = built.error ?? { code: E_VERIFY_FAILED, message: 'no valid chain' };
  const closest = built.chains
    .map((chain) => ({ chain, errors: failures(chain.steps).filter((f) => f.check.severity === 'error') }))
    .sort((a, b) => a.errors.length - b.errors.length)[0];
  const path = closest?.chain.certs.map((c) => c.commonName ?? c.subject).join(' → ');
  const shown = path ? ` (closest chain: ${path})` : '';
  // Without any chain the verdict itself names the bound (chain/search.ts explain).
  const bound = built.stats.truncated ? `the search stopped early: ${built.stats.truncated}` : built.stats.depthCut;
  const truncated = closest && bound ? ` (${bound})` : '';
  const out: Problem[] = [{ code: error.code, name: CODE_NAMES[error.code] ?? 'E_VERIFY_FAILED', message: error.message + truncated + shown, source: 'chain' }];
  if (closest) {
    const seen = new Set([error.message]);
    for (const f of closest.errors) {
      const message = `${closest.chain.certs[f.step]!.subject}: ${f.check.message}`;
      if (seen.has(message)) continue;
      seen.add(message);
      const code = f.check.cfsslCode ?? E_VERIFY_FAILED;
      out.push({ code, name: CODE_NAMES[code] ?? 'E_VERIFY_FAILED', message: `${message} (closest chain: ${path})`, source: 'chain' });
    }
  }
  return out;
}

function noCertificate(problems: Problem[], keys: number): BundleError {
  if (problems.length === 0) {
    const what = keys > 0 ? 'only private keys' : 'nothing';
    return new BundleError(1002, `no certificate in the uploads (${what} found): add the certificate to bundle, as PEM, DER, PKCS#7 or PKCS#12`);
  }
  const first = problems[0]!;
  const rest = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new BundleError(first.code, `no certificate could be read: ${first.message}${rest}`, problems);
}
