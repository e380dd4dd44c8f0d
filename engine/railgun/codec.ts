// The link's body codings: RFC 9842 `dcz` (zstd with a version both ends hold as the dictionary)
// and plain zstd for full bodies. Runs on the thread pool so a 20 ms level-19 delta never blocks
// the event loop.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const zstdCompress = promisify(zlib.zstdCompress);
const zstdDecompress = promisify(zlib.zstdDecompress);

/** RFC 9842 §4: a zstd skippable frame (magic 0x184D2A5E, 32 bytes) holding the dictionary's SHA-256. */
const dczMagic = Buffer.from([0x5e, 0x2a, 0x4d, 0x18, 0x20, 0x00, 0x00, 0x00]);
export const dczHeaderBytes = dczMagic.length + 32;

/** Decoding stops here: a delta of a page never legitimately grows past the store's body limit. */
const maxOutputFloor = 1024 * 1024;

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/**
 * The decoded size a zstd frame declares (RFC 8878 §3.1.1.1: Frame_Content_Size, present because
 * every frame here is made with pledgedSrcSize), read from its header so the sender can reserve
 * memory before decoding; null when the frame does not say. `offset`: where the frame starts
 * (after the dcz header).
 */
export function frameContentSize(encoded: Buffer, offset = 0): number | null {
  if (encoded.length < offset + 6 || encoded.readUInt32LE(offset) !== 0xfd2fb528) return null;
  const descriptor = encoded[offset + 4]!;
  const sizeFlag = descriptor >> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const sizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][sizeFlag]!;
  if (sizeBytes === 0) return null;
  const at = offset + 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 0x3]!;
  if (encoded.length < at + sizeBytes) return null;
  if (sizeBytes === 1) return encoded[at]!;
  if (sizeBytes === 2) return encoded.readUInt16LE(at) + 256;
  if (sizeBytes === 4) return encoded.readUInt32LE(at);
  return Number(encoded.readBigUInt64LE(at));
}

export class CodecError extends Error {
  override readonly name = 'CodecError';
}

export interface Codec {
  /** dcz of `body` against `base` (whose hash is `baseHash`). */
  encodeDelta(body: Buffer, base: Buffer, baseHash: Buffer, level: number): Promise<Buffer>;
  encodeFull(body: Buffer, level: number): Promise<Buffer>;
  decodeDelta(encoded: Buffer, base: Buffer, baseHash: Buffer, maxBytes: number): Promise<Buffer>;
  decodeFull(encoded: Buffer, maxBytes: number): Promise<Buffer>;
}

/** Past this many bytes of base + body, the window is widened to reach back over both. */
const defaultWindowBytes = 4 * 1024 * 1024;

// pledgedSrcSize: zstd sizes its tables for the body instead of the level's full window; without
// it a level-19 call on a 28 KB page spent ~100 ms (level 9: ~12 ms) initialising tables of
// megabytes, with it 0.7 ms (measured with 40 calls at once on the thread pool).
function params(level: number, reach = 0): Record<number, number> {
  // No frame checksum: the SHA-256 of the whole body is checked instead, and 4 bytes a response
  // matter when a delta is 60 bytes.
  const chosen: Record<number, number> = { [zlib.constants.ZSTD_c_compressionLevel]: level, [zlib.constants.ZSTD_c_checksumFlag]: 0 };
  if (reach > defaultWindowBytes) {
    // As `zstd --patch-from` does for large files: a window over base and body, so a page's
    // unchanged tail still matches the base's. zstd indexes only the last
    // 2^max(hashLog + 3, chainLog + 1) bytes of a dictionary (measured: a 6 MiB base with the
    // level's tables gave a 5 MiB "delta" for a 17-byte change), so the tables grow with it. A
    // window of at most 2^27 stays within what every decoder accepts without a flag
    // (ZSTD_WINDOWLOG_LIMIT_DEFAULT), `zstd -d -D base` included.
    const log = Math.min(27, Math.ceil(Math.log2(reach)));
    chosen[zlib.constants.ZSTD_c_windowLog] = log;
    chosen[zlib.constants.ZSTD_c_hashLog] = Math.min(26, log - 1);
    chosen[zlib.constants.ZSTD_c_chainLog] = Math.min(27, log);
    chosen[zlib.constants.ZSTD_c_enableLongDistanceMatching] = 1;
  }
  return chosen;
}

/** The zstd level for a body of this size: the configured one, or `largeBodyLevel` for large bodies. */
export function levelFor(bodyBytes: number, level: number, limits: { largeBodyBytes: number; largeBodyLevel: number }): number {
  return bodyBytes > limits.largeBodyBytes ? limits.largeBodyLevel : level;
}

/** The level of the trial encodings that pick a base: a tenth of level 19's time, and the same pick within 0.2 % on the corpora. */
const trialLevel = 6;
/** An older base is taken only when its trial is this much smaller than the newest's: ties go to the newest. */
const olderBaseGain = 0.95;

/**
 * Of several bases both ends hold (newest first), the one to code `body` against: each is tried
 * at a low level, and an older one wins only when clearly smaller. Pages that come back to an
 * earlier state (a banner gone again, a list that rotates) find their best base among older
 * versions: measured 0.35x of the previous-version delta on one page of the shared corpus.
 */
export async function chooseBase<T extends { body: Buffer }>(body: Buffer, bases: T[]): Promise<T> {
  if (bases.length < 2) return bases[0]!;
  const sizes = await Promise.all(
    bases.map(
      async (base) =>
        (await zstdCompress(body, { dictionary: base.body, pledgedSrcSize: body.length, params: params(trialLevel, base.body.length + body.length) })).length,
    ),
  );
  let chosen = 0;
  for (let i = 1; i < bases.length; i++) if (sizes[i]! < sizes[chosen]! && sizes[i]! < sizes[0]! * olderBaseGain) chosen = i;
  return bases[chosen]!;
}

/** The base a dcz body names (RFC 9842 §4: the SHA-256 after the skippable frame's magic), or null if it is not dcz. */
export function dczBaseHash(encoded: Buffer): Buffer | null {
  return encoded.length >= dczHeaderBytes && encoded.subarray(0, dczMagic.length).equals(dczMagic) ? encoded.subarray(dczMagic.length, dczHeaderBytes) : null;
}

export const zstdCodec: Codec = {
  async encodeDelta(body, base, baseHash, level) {
    const frame = await zstdCompress(body, { dictionary: base, pledgedSrcSize: body.length, params: params(level, base.length + body.length) });
    return Buffer.concat([dczMagic, baseHash, frame]);
  },
  async encodeFull(body, level) {
    return zstdCompress(body, { pledgedSrcSize: body.length, params: params(level, body.length) });
  },
  async decodeDelta(encoded, base, baseHash, maxBytes) {
    if (encoded.length < dczHeaderBytes || !encoded.subarray(0, dczMagic.length).equals(dczMagic)) {
      throw new CodecError('not a dcz body: the RFC 9842 header is missing');
    }
    if (!encoded.subarray(dczMagic.length, dczHeaderBytes).equals(baseHash)) {
      throw new CodecError('the dcz body names another dictionary than the one announced');
    }
    return decompress(encoded.subarray(dczHeaderBytes), maxBytes, base);
  },
  async decodeFull(encoded, maxBytes) {
    return decompress(encoded, maxBytes);
  },
};

async function decompress(frame: Buffer, maxBytes: number, dictionary?: Buffer): Promise<Buffer> {
  try {
    return await zstdDecompress(frame, { maxOutputLength: Math.max(maxBytes, maxOutputFloor), ...(dictionary ? { dictionary } : {}) });
  } catch (err) {
    throw new CodecError(`zstd could not decode the body: ${(err as Error).message}`);
  }
}
