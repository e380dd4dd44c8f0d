// Platforms from cfssl's metadata file (ca-bundle.crt.metadata): a JSON array of
// { name, weight, hash_algo, key_algo, keystore? }. The root-store lookup stays with the caller.
import type { Platform, PlatformHashAlgo, PlatformKeyAlgo } from './types.ts';

export interface CfsslPlatformEntry {
  name: string;
  weight: number;
  hash_algo: PlatformHashAlgo;
  key_algo: PlatformKeyAlgo;
  /** Path relative to the metadata file; absent: the platform trusts every root (cfssl's Chrome entries). */
  keystore?: string;
}

const HASH_ALGOS: readonly string[] = ['SHA1', 'SHA2'];
const KEY_ALGOS: readonly string[] = ['RSA', 'ECDSA256', 'ECDSA384', 'ECDSA521'];

/**
 * Checks the metadata's shape. Like cfssl, one bad entry rejects the whole file: a partial platform
 * list would silently change every coverage score.
 */
export function parseCfsslMetadata(json: unknown, source = 'platform metadata'): CfsslPlatformEntry[] {
  if (!Array.isArray(json)) throw new TypeError(`${source}: expected a JSON array of platforms`);
  return json.map((entry: unknown, i): CfsslPlatformEntry => {
    const where = `${source}[${i}]`;
    if (typeof entry !== 'object' || entry === null) throw new TypeError(`${where}: expected an object`);
    const e = entry as Record<string, unknown>;
    if (typeof e.name !== 'string' || e.name === '') throw new TypeError(`${where}.name: expected a non-empty string`);
    if (typeof e.weight !== 'number' || !Number.isInteger(e.weight) || e.weight < 0) {
      throw new TypeError(`${where}.weight (${e.name}): expected a non-negative integer`);
    }
    if (typeof e.hash_algo !== 'string' || !HASH_ALGOS.includes(e.hash_algo)) {
      throw new TypeError(`${where}.hash_algo (${e.name}): ${JSON.stringify(e.hash_algo)} is not one of ${HASH_ALGOS.join(', ')}`);
    }
    if (typeof e.key_algo !== 'string' || !KEY_ALGOS.includes(e.key_algo)) {
      throw new TypeError(`${where}.key_algo (${e.name}): ${JSON.stringify(e.key_algo)} is not one of ${KEY_ALGOS.join(', ')}`);
    }
    if (e.keystore !== undefined && typeof e.keystore !== 'string') throw new TypeError(`${where}.keystore (${e.name}): expected a path`);
    return {
      name: e.name,
      weight: e.weight,
      hash_algo: e.hash_algo as PlatformHashAlgo,
      key_algo: e.key_algo as PlatformKeyAlgo,
      // cfssl treats an empty keystore path as none.
      ...(typeof e.keystore === 'string' && e.keystore !== '' ? { keystore: e.keystore } : {}),
    };
  });
}

/**
 * Platforms for rankChains. `trustsFor` gives the root-store lookup of an entry that names a keystore;
 * an entry without one trusts every root, as in cfssl.
 */
export function platformsFromMetadata(
  entries: readonly CfsslPlatformEntry[],
  trustsFor: (entry: CfsslPlatformEntry & { keystore: string }) => Platform['trusts'],
): Platform[] {
  return entries.map((e) => ({
    name: e.name,
    weight: e.weight,
    hashAlgo: e.hash_algo,
    keyAlgo: e.key_algo,
    trusts: e.keystore === undefined ? () => true : trustsFor({ ...e, keystore: e.keystore }),
  }));
}
