// SSH's wire encoding (RFC 4251 §5): uint32, string (uint32 length + bytes) and mpint (two's
// complement, big-endian, shortest form). Enough to read OpenSSH private keys and write public key
// blobs and signatures.
import { ApiError } from '../../api/errors.ts';

export class SshReader {
  private offset = 0;
  private readonly bytes: Buffer;
  private readonly what: string;

  constructor(bytes: Buffer, what: string) {
    this.bytes = bytes;
    this.what = what;
  }

  uint32(): number {
    if (this.offset + 4 > this.bytes.length) throw this.short();
    const value = this.bytes.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  string(): Buffer {
    const length = this.uint32();
    if (this.offset + length > this.bytes.length) throw this.short();
    const value = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  text(): string {
    return this.string().toString('latin1');
  }

  /** An mpint as unsigned big-endian bytes without leading zeros (the keys' numbers are positive). */
  mpint(): Buffer {
    const value = this.string();
    let start = 0;
    while (start < value.length && value[start] === 0) start++;
    return value.subarray(start);
  }

  private short(): ApiError {
    return new ApiError('E_VAULT_SSH_KEY', `${this.what} ends too early: it is not an SSH key in OpenSSH's format`);
  }
}

export function sshString(bytes: Uint8Array | string): Buffer {
  const body = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

export function sshMpint(unsigned: Uint8Array): Buffer {
  let start = 0;
  while (start < unsigned.length && unsigned[start] === 0) start++;
  const trimmed = Buffer.from(unsigned.subarray(start));
  return sshString(trimmed.length > 0 && trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}
