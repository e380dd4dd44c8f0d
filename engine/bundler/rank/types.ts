// Neutral inputs and outputs of the chain ranking. The bundler maps its certificate model onto
// RankedCert and its trust data onto Platform; nothing here parses certificates or reads files.

/** The hash of a certificate's own signature (made by its issuer; a root's is its self-signature). */
export type HashName = 'md2' | 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'unknown';

/** The subject public key. `bits` is the RSA/DSA modulus size or the curve size (256, 384, 521). */
export interface KeyInfo {
  type: 'rsa' | 'ec' | 'dsa' | 'ed25519' | 'unknown';
  bits: number;
  /** 'P-256' | 'prime256v1' | 'secp256r1' (and the 384/521 equivalents); another name is an unknown curve. */
  curve?: string;
}

export interface RankedCert {
  /** SHA-256 of the DER, hex (colons and case are ignored when ordering). */
  fingerprint: string;
  subject: string;
  hash: HashName;
  key: KeyInfo;
  notBefore: Date;
  notAfter: Date;
  /** The chain's trust anchor (the last certificate of a chain built to a root store). */
  isRoot: boolean;
  /** Subject key identifier, hex; cfssl lists it in status.expiring_SKIs. */
  ski?: string;
}

/** cfssl's platform metadata: `hash_algo` and `key_algo` are the strongest the platform understands. */
export type PlatformHashAlgo = 'SHA1' | 'SHA2';
export type PlatformKeyAlgo = 'RSA' | 'ECDSA256' | 'ECDSA384' | 'ECDSA521';

export interface Platform {
  name: string;
  /** Share of clients (cfssl's metadata sums to 181). */
  weight: number;
  hashAlgo: PlatformHashAlgo;
  keyAlgo: PlatformKeyAlgo;
  /**
   * Whether the platform's root store holds the root. cfssl matches by the SHA-1 of the public key, so a
   * re-issued root counts as the same root; the certificate is passed for lookups by key. A platform
   * without a root store of its own (cfssl's Chrome entries) trusts every root.
   */
  trusts(rootFingerprint: string, root: RankedCert): boolean;
}

export interface CandidateChain {
  /** Leaf first, root last. */
  certs: RankedCert[];
  /** This chain is exactly the uploaded certificates in the uploaded order (what `force` keeps). */
  uploadedOrder?: boolean;
}

export type Flavor = 'ubiquitous' | 'optimal' | 'force';

export interface RankOptions {
  /** `ubiquitous` (default), `optimal` or `force`; anything else is ranked as `ubiquitous`, as cfssl does. */
  flavor?: string;
  /** The validation time: expiry warnings and cfssl's SHA-1 deprecation policies are judged at it. */
  now: Date;
  /** Required by `force`: whether `issuer`'s key verifies `subject`'s signature. */
  signs?: (issuer: RankedCert, subject: RankedCert) => boolean;
}

/** One platform's view of one chain. */
export interface PlatformCoverage {
  name: string;
  weight: number;
  trustsRoot: boolean;
  /** The platform understands the chain's weakest hash (SHA-1-only platforms fail on any SHA-2). */
  handlesHash: boolean;
  /** The platform understands the chain's weakest key (RSA-only platforms fail on any ECDSA). */
  handlesKey: boolean;
  covered: boolean;
}

/** One level of the chain counted from the root (level 0 is the last certificate). */
export interface LevelLifetime {
  level: number;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** Validity counted in months the way cfssl counts them (see lifetime.ts). */
  months: number;
  /** The CA/Browser Forum maximum for the issue date: 39, 60 or 120 months. */
  maxMonths: 39 | 60 | 120;
  withinMax: boolean;
}

export interface ChainScores {
  /** Sum of the weights of the platforms that trust the root and handle the weakest hash and key. */
  coverage: number;
  /** Sum of all platform weights (the best coverage possible). */
  coverageMax: number;
  platforms: PlatformCoverage[];
  /** Weakest hash, root included: SHA-1 100, SHA-2 70, MD2/MD5/unknown 0. */
  hashUbiquity: number;
  /** Weakest key: RSA >= 1024 and DSA 100, P-256/P-384 70, P-521 30, anything else 0. */
  keyUbiquity: number;
  /** Every certificate below the root is signed with SHA-2. */
  sha2BelowRoot: boolean;
  length: number;
  /** The earliest notAfter of any certificate in the chain. */
  earliestExpiry: Date;
  /** cfssl's crypto suite: truncated average hash priority + truncated average key priority. */
  cryptoQuality: { hash: number; key: number; total: number };
  /** From the root down to the leaf. */
  levels: LevelLifetime[];
}

export type StepId =
  'force' | 'coverage' | 'sha2BelowRoot' | 'length' | 'hashUbiquity' | 'keyUbiquity' | 'expiryLevels' | 'earliestExpiry' | 'cryptoQuality' | 'fingerprints';

/** Where and why a chain lost to the winner, e.g. { step: 'coverage', reason: 'coverage 149 < 160' }. */
export interface Loss {
  step: StepId;
  reason: string;
}

export type WarningCode = 'W_EXPIRES_SOON' | 'W_EXPIRES_BEFORE_LEAF' | 'W_SHA1' | 'W_UNTRUSTED_PLATFORMS' | 'W_UNSUPPORTED_PLATFORMS' | 'W_NO_PLATFORMS';

export interface RankWarning {
  code: WarningCode;
  message: string;
  /** Positions in the chain (0 = leaf) the warning is about, when it is about certificates. */
  certs?: number[];
  /** Platform names, when it is about platforms. */
  platforms?: string[];
}

/** cfssl's `status` object, with its JSON key names. */
export interface CfsslStatus {
  /** Bit 1: a certificate expires within 30 days; bit 2: the chain is not ubiquitous. */
  code: number;
  expiring_SKIs: string[];
  untrusted_root_stores: string[];
  messages: string[];
}

export interface RankedChain {
  /** 1 is the chosen chain. */
  rank: number;
  chain: CandidateChain;
  scores: ChainScores;
  /** null for the winner. */
  lostAt: Loss | null;
  /** One line per score, for a person. */
  explanations: string[];
  warnings: RankWarning[];
  /** What cfssl would report had it chosen this chain. */
  status: CfsslStatus;
}

export interface RankResult {
  /** The flavor applied (an unknown flavor becomes 'ubiquitous'). */
  flavor: Flavor;
  requestedFlavor: string;
  /** The steps in the order they were applied, the final tie-breaker last. */
  steps: StepId[];
  /** Best first. */
  chains: RankedChain[];
}
