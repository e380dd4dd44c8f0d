// Finds every chain from a leaf to a trust anchor: depth-first with backtracking over issuers
// found by name and key identifier, each edge confirmed by its signature. A CA already in the path
// (same subject and key) is not used again, a trust anchor ends the path, and depth, signature
// checks, visited nodes, chains and wall time are all bounded, so a pathological pool (cycles,
// thousands of cross-signs) returns quickly with `truncated` set.
import type { Certificate } from '../certificate.ts';
import { CertificateIndex, subjectAndKey } from '../trust/index.ts';
import type { TrustStore } from '../trust/store.ts';
import { E_EXPIRED, E_SELF_SIGNED, E_UNKNOWN_AUTHORITY } from './codes.ts';
import { failures, isValid, validateChain, type Source, type Step, type ValidationOptions } from './validate.ts';

export interface ChainSources {
  anchors: CertificateIndex;
  /** Pools searched for intermediates, in preference order (uploaded before the directory). */
  pools: { index: CertificateIndex; source: Source }[];
  /** The anchor a certificate stands for (same DER, or a twin with the same subject and key). */
  anchorFor?: (cert: Certificate) => Certificate | undefined;
}

export interface SearchLimits {
  /** Most certificates in a chain, leaf and root included (default 20: Go verifies 16-certificate chains). */
  maxDepth?: number;
  /** Most signature verifications (default 2,000). */
  maxSignatureChecks?: number;
  /** Most search nodes expanded (default 20,000). */
  maxNodes?: number;
  /** Most chains kept, valid or not (default 64); invalid ones are capped at a quarter of it. */
  maxChains?: number;
  /** Wall-clock budget in ms (default 1,000). */
  timeBudgetMs?: number;
}

export interface Chain {
  certs: Certificate[];
  root: Certificate;
  sources: Source[];
  steps: Step[];
  valid: boolean;
  /** Fingerprints leaf to root, joined: a stable identity and the final tie-breaker. */
  id: string;
}

export interface BuildError {
  code: number;
  message: string;
}

export interface BuildResult {
  /** Valid chains first, in search order (uploaded certificates preferred), then invalid ones. */
  chains: Chain[];
  error: BuildError | null;
  stats: {
    signatureChecks: number;
    nodes: number;
    ms: number;
    /** The limit that stopped the whole search early, or null. */
    truncated: string | null;
    /** Where the depth limit cut a path that had issuers to go on with (the search went on elsewhere), or null. */
    depthCut: string | null;
  };
}

export type BuildOptions = ValidationOptions & SearchLimits;

/** The first pass of the search goes this deep (the old limit, which real chains rarely pass). */
const firstDepth = 10;

/** Sources for a leaf: the uploaded certificates first, then the store's intermediates and anchors. */
export function sourcesFromStore(store: TrustStore, uploaded: Certificate[] = []): ChainSources {
  return {
    anchors: store.anchors,
    pools: [
      { index: new CertificateIndex(uploaded), source: 'uploaded' },
      { index: store.intermediates, source: 'pool' },
    ],
    anchorFor: (cert) => store.anchorFor(cert),
  };
}

export function buildChains(leaf: Certificate, sources: ChainSources, options: BuildOptions = {}): BuildResult {
  const started = performance.now();
  const at = options.at ?? new Date();
  const maxDepth = options.maxDepth ?? 20;
  let depth = maxDepth;
  const maxChecks = options.maxSignatureChecks ?? 2000;
  const maxNodes = options.maxNodes ?? 20000;
  const maxChains = options.maxChains ?? 64;
  const maxInvalid = Math.max(1, Math.floor(maxChains / 4));
  const deadline = started + (options.timeBudgetMs ?? 1000);
  const anchorFor = sources.anchorFor ?? ((c: Certificate) => sources.anchors.byFingerprint(c.fingerprint));

  const stats = { signatureChecks: 0, nodes: 0, ms: 0, truncated: null as string | null, depthCut: null as string | null };
  const chains: Chain[] = [];
  let invalid = 0;
  const checked = new Map<string, boolean>();
  const signs = (child: Certificate, issuer: Certificate): boolean => {
    const key = `${child.fingerprint}>${issuer.spkiFingerprint}`;
    const cached = checked.get(key);
    if (cached !== undefined) return cached;
    stats.signatureChecks++;
    const ok = child.verifySignedBy(issuer);
    checked.set(key, ok);
    return ok;
  };
  const stop = (): boolean => {
    if (stats.truncated) return true;
    if (stats.signatureChecks >= maxChecks) stats.truncated = `signature check limit (${maxChecks}) reached`;
    else if (stats.nodes >= maxNodes) stats.truncated = `search node limit (${maxNodes}) reached`;
    else if (chains.length - invalid >= maxChains) stats.truncated = `chain limit (${maxChains}) reached`;
    else if ((stats.nodes & 63) === 0 && performance.now() > deadline) stats.truncated = `time budget (${options.timeBudgetMs ?? 1000} ms) spent`;
    return stats.truncated !== null;
  };

  // cfssl refuses a self-signed leaf outright (errors.SelfSigned), unless a trust anchor with its
  // name and key issued it: a leaf that shares its root's subject and key is accepted when the path
  // to that root verifies, as Go (alreadyInChain tells the two apart by their SANs) and cfssl do.
  const anchoredTwin = (): boolean => sources.anchors.issuersOf(leaf).some((a) => a.fingerprint !== leaf.fingerprint && signs(leaf, a));
  if (leaf.selfIssued && signs(leaf, leaf) && (leaf.isCA || !anchoredTwin())) {
    stats.ms = performance.now() - started;
    return {
      chains: [],
      error: {
        code: E_SELF_SIGNED,
        message: `the certificate ${leaf.subject} is self-signed: browsers trust it only where it was installed by hand; a server must present a certificate issued by a CA (upload that one, with its intermediates)`,
      },
      stats,
    };
  }

  const seenChains = new Set<string>();
  const path: Certificate[] = [leaf];
  const pathSources: Source[] = ['leaf'];
  const inPath = new Set<string>([subjectAndKey(leaf)]);

  const record = (anchor: Certificate) => {
    const certs = [...path, anchor];
    const id = certs.map((c) => c.fingerprint).join(':');
    if (seenChains.has(id)) return;
    seenChains.add(id);
    const chainSources: Source[] = [...pathSources, 'anchor'];
    const steps = validateChain(certs, chainSources, options);
    const valid = isValid(steps);
    if (!valid) {
      if (invalid >= maxInvalid) return;
      invalid++;
    }
    chains.push({ certs, root: anchor, sources: chainSources, steps, valid, id });
  };

  // Locally good candidates first (valid now, a CA, the later notAfter), so the budget goes to likely chains.
  const rank = (c: Certificate): number => {
    const t = at.getTime();
    let score = 0;
    if (t >= c.notBefore.getTime() && t <= c.notAfter.getTime()) score += 2;
    if (c.isCA) score += 1;
    return score;
  };

  const visit = (cert: Certificate): void => {
    stats.nodes++;
    if (stop()) return;
    // Anchors that issued `cert` end a chain here.
    for (const anchor of sources.anchors.issuersOf(cert)) {
      if (stop()) return;
      if (inPath.has(subjectAndKey(anchor)) && path.length > 1) continue;
      if (signs(cert, anchor)) record(anchor);
    }
    const candidates: { cert: Certificate; source: Source }[] = [];
    const seen = new Set<string>();
    for (const pool of sources.pools) {
      for (const c of pool.index.issuersOf(cert)) {
        if (seen.has(c.fingerprint)) continue;
        seen.add(c.fingerprint);
        if (inPath.has(subjectAndKey(c))) continue;
        if (anchorFor(c)) continue; // the anchor itself was tried above: stop at a trust anchor
        candidates.push({ cert: c, source: pool.source });
      }
    }
    if (candidates.length > 0 && path.length + 1 >= depth) {
      stats.depthCut ??= `the depth limit (${maxDepth} certificates) cut the path at ${cert.subject}, whose issuer ${cert.issuer} was found`;
      return;
    }
    candidates.sort(
      (a, b) =>
        (a.source === b.source ? 0 : a.source === 'uploaded' ? -1 : 1) || rank(b.cert) - rank(a.cert) || b.cert.notAfter.getTime() - a.cert.notAfter.getTime(),
    );
    for (const { cert: next, source } of candidates) {
      if (stop()) return;
      if (!signs(cert, next)) continue;
      const key = subjectAndKey(next);
      path.push(next);
      pathSources.push(source);
      inPath.add(key);
      visit(next);
      inPath.delete(key);
      path.pop();
      pathSources.pop();
    }
  };

  // A leaf that is itself an anchor needs no chain; report it as a one-certificate chain.
  // Otherwise iterative deepening: chains of up to 10 first, as before the limit was raised, so a
  // deep tangle of cross-signs cannot spend the budget before a short way out is tried; deeper only
  // when that found no valid chain, the depth cut a path, and an anchor is reachable within maxDepth
  // by issuer links (a tangle with no way out is not searched again). Signatures checked stay cached.
  // A non-CA leaf with an anchor's subject and key is not that anchor: it is chained to it.
  const leafAnchor = anchorFor(leaf);
  if (leafAnchor && (leafAnchor.fingerprint === leaf.fingerprint || leaf.isCA)) record(leafAnchor === leaf ? leaf : leafAnchor);
  else {
    depth = Math.min(firstDepth, maxDepth);
    visit(leaf);
    if (!chains.some((c) => c.valid) && stats.depthCut && !stats.truncated) {
      const nearest = shortestToAnchor(leaf, sources);
      if (nearest === null)
        stats.depthCut = null; // no way out at any depth: not the depth's fault
      else if (nearest > maxDepth)
        stats.depthCut = `the depth limit (${maxDepth} certificates) is below the ${nearest} the nearest trust anchor needs from ${leaf.subject}`;
      else if (maxDepth > depth) {
        depth = maxDepth;
        stats.depthCut = null;
        visit(leaf);
      }
    }
  }

  chains.sort((a, b) => Number(b.valid) - Number(a.valid));
  stats.ms = performance.now() - started;
  return { chains, error: chains.some((c) => c.valid) ? null : explain(leaf, chains, stats, sources), stats };
}

/**
 * The fewest certificates from `leaf` to an anchor by issuer links alone (names and key
 * identifiers, no signatures), or null when none is reachable: breadth-first, each subject and key
 * once, so it costs one walk of the pools at most.
 */
function shortestToAnchor(leaf: Certificate, sources: ChainSources): number | null {
  let frontier = [leaf];
  const seen = new Set([subjectAndKey(leaf)]);
  for (let length = 2; frontier.length > 0; length++) {
    const next: Certificate[] = [];
    for (const cert of frontier) {
      if (sources.anchors.issuersOf(cert).length > 0) return length;
      for (const pool of sources.pools) {
        for (const issuer of pool.index.issuersOf(cert)) {
          const key = subjectAndKey(issuer);
          if (seen.has(key)) continue;
          seen.add(key);
          next.push(issuer);
        }
      }
    }
    frontier = next;
  }
  return null;
}

function explain(leaf: Certificate, chains: Chain[], stats: BuildResult['stats'], sources: ChainSources): BuildError {
  // A bound that stopped the search is the reason, not a missing issuer: say which and where.
  if (chains.length === 0 && (stats.truncated || stats.depthCut)) {
    return {
      code: E_UNKNOWN_AUTHORITY,
      message: `no chain from ${leaf.subject} to a trusted root was found before a search bound: ${stats.depthCut ?? `the search stopped (${stats.truncated})`}; a chain this long or this tangled is not built`,
    };
  }
  if (chains.length === 0) {
    const aia = leaf.caIssuersUrls[0];
    // The issuer is there, but nothing above it is trusted: say that, not that it is missing.
    const found = sources.pools.find((pool) => pool.index.issuersOf(leaf).length > 0);
    if (found) {
      return {
        code: E_UNKNOWN_AUTHORITY,
        message: `no chain from ${leaf.subject} to a trusted root: its issuer "${leaf.issuer}" is ${found.source === 'uploaded' ? 'uploaded' : 'in the intermediate directory'}, but no path from it ends at a root the trust data holds`,
      };
    }
    return {
      code: E_UNKNOWN_AUTHORITY,
      message: `no chain from ${leaf.subject} to a trusted root: its issuer "${leaf.issuer}" is neither uploaded, in the intermediate directory, nor a trusted root${aia ? ` — the issuer can be fetched from ${aia}` : ' — upload the intermediate certificates'}`,
    };
  }
  // Report the chain with the fewest failures; prefer expiry when it is among them, as cfssl does.
  const best = chains
    .map((c) => ({ chain: c, errors: failures(c.steps).filter((f) => f.check.severity === 'error') }))
    .sort((a, b) => a.errors.length - b.errors.length)[0]!;
  const first = best.errors.find((e) => e.check.cfsslCode === E_EXPIRED) ?? best.errors[0]!;
  const cert = best.chain.certs[first.step]!;
  return { code: first.check.cfsslCode ?? 1200, message: `${cert.subject}: ${first.check.message}` };
}
