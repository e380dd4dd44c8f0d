// A trust store loaded from a directory: trust anchors, the platforms (root stores) that trust
// them with their weights, and the intermediate pool. Two layouts are read:
//  - ours (`trust.json`, resources/trust/current): cfssl's metadata fields plus a date, an
//    intermediate list and Chrome's additional anchors; anchors are every platform's roots;
//  - cfssl's (`ca-bundle.crt.metadata` + `ca-bundle.crt` + `int-bundle.crt`, resources/trust/cfssl-2017
//    or any cfssl_trust checkout); anchors are ca-bundle.crt, as `cfssl bundle -ca-bundle` uses it.
// Loading splits PEM text, base64-decodes and indexes by a cheap DER walk; nothing is fully
// parsed up front (see certificate.ts).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Certificate, CertificateParseError, parseCertificate } from '../certificate.ts';
import { CertificateIndex, subjectAndKey } from './index.ts';
import { decodeBase64, findPemBlocks } from '../input/pem.ts';

export type HashAlgo = 'SHA1' | 'SHA2';
export type KeyAlgo = 'RSA' | 'ECDSA256' | 'ECDSA384' | 'ECDSA521';

export interface Platform {
  /** The label shown to people and in cfssl's `untrusted_root_stores`. */
  name: string;
  /** Which root program the list comes from (`chrome`, `apple_ios18`, ...; trust.json `store`), null in cfssl's layout. */
  store: string | null;
  weight: number;
  /** The strongest hash the platform handles: SHA1 means it cannot verify SHA-2 signatures. */
  hashAlgo: HashAlgo;
  /** The strongest key it handles, in cfssl's order RSA < ECDSA256 < ECDSA384 < ECDSA521. */
  keyAlgo: KeyAlgo;
  /** The keystore file, relative to the store directory; null = trusts every anchor (cfssl's Chrome entries). */
  keystore: string | null;
  /** When the platform's root list was taken, when known. */
  date: string | null;
  /** Fingerprints (SHA-256 of DER) of the roots it trusts; null = every anchor. */
  roots: ReadonlySet<string> | null;
}

export interface TrustStoreOptions {
  /** Platform weights by name, replacing the file's. */
  weights?: Record<string, number>;
}

interface Metadata {
  name?: string;
  label?: string;
  date?: string;
  intermediates?: string[];
  additional_anchors?: { file: string; platforms: string[] }[];
  platforms: { name: string; store?: string; weight: number; hash_algo?: string; key_algo?: string; keystore?: string; date?: string }[];
}

export class TrustStoreError extends Error {
  override readonly name = 'TrustStoreError';
  readonly code = 'E_TRUST_STORE';
}

const here = dirname(fileURLToPath(import.meta.url));
/** resources/trust, found from this file in the source tree and beside the built engine. */
export const TRUST_ROOT =
  [resolve(here, '../../../resources/trust'), resolve(here, '../../resources/trust'), resolve(here, '../resources/trust')].find((dir) => existsSync(dir)) ??
  resolve(here, '../../../resources/trust');
export const DEFAULT_TRUST_DIR = join(TRUST_ROOT, 'current');
export const CFSSL_TRUST_DIR = join(TRUST_ROOT, 'cfssl-2017');

/** The folder a trust setting names: `current`, `cfssl-2017` (the shipped sets) or a path. */
export function trustDirFor(setting: string): string {
  if (setting === 'current') return DEFAULT_TRUST_DIR;
  if (setting === 'cfssl-2017') return CFSSL_TRUST_DIR;
  return resolve(setting);
}

export class TrustStore {
  readonly dir: string;
  /** `signalbox` (trust.json) or `cfssl` (ca-bundle.crt.metadata). */
  readonly layout: 'signalbox' | 'cfssl';
  readonly name: string;
  readonly label: string;
  /** The date of the data, for the UI (ISO date, or a year when only that is known). */
  readonly dataDate: string;
  readonly platforms: readonly Platform[];
  readonly anchors: CertificateIndex;
  readonly intermediates: CertificateIndex;
  /** Intermediates some platforms also accept as anchors (Chrome's tls_trust_anchor list), by fingerprint. */
  readonly additionalAnchors: ReadonlyMap<string, readonly string[]>;
  /** Milliseconds the load took. */
  readonly loadMs: number;
  readonly #platformsByFingerprint = new Map<string, Platform[]>();
  readonly #platformsBySubjectKey = new Map<string, Platform[]>();
  #chromeCutoffs: Map<string, Date> | null = null;

  private constructor(init: {
    dir: string;
    layout: 'signalbox' | 'cfssl';
    name: string;
    label: string;
    dataDate: string;
    platforms: Platform[];
    anchors: CertificateIndex;
    intermediates: CertificateIndex;
    additionalAnchors: Map<string, string[]>;
    loadMs: number;
  }) {
    this.dir = init.dir;
    this.layout = init.layout;
    this.name = init.name;
    this.label = init.label;
    this.dataDate = init.dataDate;
    this.platforms = init.platforms;
    this.anchors = init.anchors;
    this.intermediates = init.intermediates;
    this.additionalAnchors = init.additionalAnchors;
    this.loadMs = init.loadMs;
    for (const platform of init.platforms) {
      if (!platform.roots) continue;
      for (const fp of platform.roots) push(this.#platformsByFingerprint, fp, platform);
    }
  }

  /** Loads a store directory (default: resources/trust/current). Throws TrustStoreError with the file at fault. */
  static load(dir: string = DEFAULT_TRUST_DIR, options: TrustStoreOptions = {}): TrustStore {
    const started = performance.now();
    const ours = join(dir, 'trust.json');
    const cfssl = join(dir, 'ca-bundle.crt.metadata');
    let layout: 'signalbox' | 'cfssl';
    let meta: Metadata;
    if (existsSync(ours)) {
      layout = 'signalbox';
      meta = readJson(ours) as Metadata;
    } else if (existsSync(cfssl)) {
      layout = 'cfssl';
      meta = { platforms: readJson(cfssl) as Metadata['platforms'] };
    } else {
      throw new TrustStoreError(
        `trust: ${dir} has neither trust.json nor ca-bundle.crt.metadata — point --trust at resources/trust/current or a cfssl_trust folder`,
      );
    }
    if (!Array.isArray(meta.platforms)) throw new TrustStoreError(`trust: ${layout === 'cfssl' ? cfssl : ours} has no platform list`);

    // One Certificate per distinct PEM body across every file: the platform stores overlap heavily.
    const byBody = new Map<string, Certificate>();
    const certsOf = (file: string): Certificate[] => {
      const path = join(dir, file);
      let text: string;
      try {
        text = readFileSync(path, 'latin1');
      } catch (error) {
        throw new TrustStoreError(`trust: cannot read ${path}: ${(error as Error).message}`);
      }
      const out: Certificate[] = [];
      for (const block of findPemBlocks(text)) {
        if (block.label !== 'CERTIFICATE' || !block.complete) continue;
        const body = block.base64;
        let cert = byBody.get(body);
        if (!cert) {
          const der = decodeBase64(body);
          if (!der) continue;
          try {
            cert = parseCertificate(der);
          } catch (error) {
            if (error instanceof CertificateParseError) continue; // one bad block does not sink the store
            throw error;
          }
          byBody.set(body, cert);
        }
        out.push(cert);
      }
      return out;
    };

    const anchors = new CertificateIndex();
    const platforms: Platform[] = [];
    for (const p of meta.platforms) {
      let roots: Set<string> | null = null;
      if (p.keystore) {
        roots = new Set();
        for (const cert of certsOf(p.keystore)) {
          roots.add(cert.fingerprint);
          if (layout === 'signalbox') anchors.add(cert);
        }
      }
      platforms.push({
        name: p.name,
        store: p.store ?? null,
        weight: options.weights?.[p.name] ?? p.weight ?? 0,
        hashAlgo: p.hash_algo === 'SHA1' ? 'SHA1' : 'SHA2',
        keyAlgo: (['RSA', 'ECDSA256', 'ECDSA384', 'ECDSA521'] as const).find((k) => k === p.key_algo) ?? 'RSA',
        keystore: p.keystore ?? null,
        date: p.date ?? null,
        roots,
      });
    }
    if (layout === 'cfssl') for (const cert of certsOf('ca-bundle.crt')) anchors.add(cert);

    const intermediates = new CertificateIndex();
    for (const file of layout === 'cfssl' ? ['int-bundle.crt'] : (meta.intermediates ?? [])) {
      for (const cert of certsOf(file)) intermediates.add(cert);
    }
    const additionalAnchors = new Map<string, string[]>();
    for (const extra of meta.additional_anchors ?? []) {
      for (const cert of certsOf(extra.file)) {
        intermediates.add(cert);
        additionalAnchors.set(cert.fingerprint, extra.platforms);
      }
    }

    return new TrustStore({
      dir,
      layout,
      name: meta.name ?? (layout === 'cfssl' ? 'cfssl' : dir),
      label: meta.label ?? (layout === 'cfssl' ? 'cfssl_trust (per-platform stores from 2017)' : dir),
      dataDate: meta.date ?? (layout === 'cfssl' ? '2017' : 'unknown'),
      platforms,
      anchors,
      intermediates,
      additionalAnchors,
      loadMs: performance.now() - started,
    });
  }

  /** The trust anchor `cert` is, or stands for: the same DER, or (our layout) the same subject and key. */
  anchorFor(cert: Certificate): Certificate | undefined {
    return this.anchors.byFingerprint(cert.fingerprint) ?? (this.layout === 'signalbox' ? this.anchors.bySubjectAndKey(cert) : undefined);
  }

  /**
   * The platforms that trust `root`. cfssl compares whole certificates; in our layout a root with
   * the same subject and key as a platform's root counts too, as a verifier stops at the trusted key
   * (shared/pki/trust README, step 4). Platforms without a keystore trust every anchor.
   */
  platformsTrusting(root: Certificate): Platform[] {
    const out = new Set<Platform>(this.#platformsByFingerprint.get(root.fingerprint) ?? []);
    if (this.layout === 'signalbox') {
      const key = subjectAndKey(root);
      if (this.#platformsBySubjectKey.size === 0) {
        for (const platform of this.platforms) {
          for (const fp of platform.roots ?? []) {
            const anchor = this.anchors.byFingerprint(fp);
            if (anchor) push(this.#platformsBySubjectKey, subjectAndKey(anchor), platform);
          }
        }
      }
      for (const platform of this.#platformsBySubjectKey.get(key) ?? []) out.add(platform);
    }
    const isAnchor = this.anchors.byFingerprint(root.fingerprint) !== undefined;
    for (const platform of this.platforms) if (!platform.roots && isAnchor) out.add(platform);
    return this.platforms.filter((p) => out.has(p));
  }

  /**
   * Chrome's per-root cut-off (root_store.textproto `sct_not_after`, column `chrome_sct_not_after` of
   * roots/roots.csv): Chrome rejects certificates from this root whose SCTs are later, i.e. issued
   * after it. Null when the root has none or the store has no roots.csv (cfssl's layout). Read on
   * first use; a twin (same subject and key) of a listed root shares its date.
   */
  chromeCutoff(root: Certificate): Date | null {
    if (this.#chromeCutoffs === null) this.#chromeCutoffs = readChromeCutoffs(join(this.dir, 'roots', 'roots.csv'));
    if (this.#chromeCutoffs.size === 0) return null;
    const listed = this.#chromeCutoffs.get(root.fingerprint);
    if (listed || this.layout !== 'signalbox') return listed ?? null;
    const twin = this.anchors.bySubjectAndKey(root);
    return (twin && this.#chromeCutoffs.get(twin.fingerprint)) ?? null;
  }

  /** A short summary for the UI and logs. */
  describe(): {
    name: string;
    label: string;
    dataDate: string;
    anchors: number;
    intermediates: number;
    platforms: { name: string; weight: number; date: string | null; roots: number | null }[];
  } {
    return {
      name: this.name,
      label: this.label,
      dataDate: this.dataDate,
      anchors: this.anchors.size,
      intermediates: this.intermediates.size,
      platforms: this.platforms.map((p) => ({ name: p.name, weight: p.weight, date: p.date, roots: p.roots?.size ?? null })),
    };
  }
}

/** fingerprint -> Chrome's sct_not_after from roots.csv; empty when the file or the column is missing. */
function readChromeCutoffs(path: string): Map<string, Date> {
  const out = new Map<string, Date>();
  if (!existsSync(path)) return out;
  const [header, ...rows] = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map(csvFields);
  const fp = header?.indexOf('sha256') ?? -1;
  const cutoff = header?.indexOf('chrome_sct_not_after') ?? -1;
  if (fp < 0 || cutoff < 0) return out;
  for (const row of rows) {
    const date = new Date(row[cutoff] ?? '');
    if (row[fp] && !Number.isNaN(date.getTime())) out.set(row[fp]!.toLowerCase(), date);
  }
  return out;
}

/** One CSV line (RFC 4180: quoted fields, "" inside quotes). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TrustStoreError(`trust: ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
