// EDNS padding (RFC 7830) of answers on encrypted transports, by the Block-Length Padding of
// RFC 8467 §4.1: an answer is padded to a multiple of 468 bytes, and only when its query carried
// a Padding option (a server MUST NOT pad otherwise). Queries to DoT upstreams are padded to 128.
import { paddingOption } from './wire.ts';

/** RFC 8467 §4.1: the recommended block length for responses. */
export const responseBlockLength = 468;

/** RFC 8467 §4.1: the recommended block length for queries (what forward pads its DoT queries to). */
export const queryBlockLength = 128;

/**
 * `opt` (an OPT record as optRecord makes it: 11 bytes of fixed fields, then its options) with a
 * Padding option added so that a message of `messageLength` bytes plus this OPT is a multiple of
 * the block length (never past 65535, the most DNS over TCP/TLS/HTTPS can carry).
 */
export function paddedOpt(opt: Buffer, messageLength: number): Buffer {
  const unpadded = messageLength + opt.length + 4;
  const padding = Math.min((responseBlockLength - (unpadded % responseBlockLength)) % responseBlockLength, Math.max(0, 0xffff - unpadded));
  const out = Buffer.alloc(opt.length + 4 + padding);
  opt.copy(out, 0);
  out.writeUInt16BE(paddingOption, opt.length);
  out.writeUInt16BE(padding, opt.length + 2);
  // RDLENGTH of the OPT is at byte 9 (name 1, type 2, class 2, TTL 4).
  out.writeUInt16BE(opt.readUInt16BE(9) + 4 + padding, 9);
  return out;
}
