// An SSH private key held in a ciphertext with usage `ssh-sign-with`, and signing with it as an
// ssh-agent would (RFC 4253 §6.6, RFC 8332 for RSA with SHA-2, RFC 5656 §3.1.2 for ECDSA, RFC 8709
// for Ed25519). As Red October (Go's ssh.ParseRawPrivateKey), the key may be OpenSSH's own format
// (`-----BEGIN OPENSSH PRIVATE KEY-----`, what ssh-keygen writes) or PEM (PKCS#1, SEC1, PKCS#8).
// The key exists only inside sign(): parsed, used once, and its decoded bytes overwritten.
import { createPrivateKey, sign as nodeSign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ApiError } from '../../api/errors.ts';
import { SshReader, sshMpint } from './wire.ts';

export type SshSignatureFormat = 'ssh-ed25519' | 'rsa-sha2-256' | 'rsa-sha2-512' | 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521';

/** The formats a caller may ask for (ssh-agent's flags, RFC 8332 §3.3); SHA-1 `ssh-rsa` is not one. */
export const rsaFormats = ['rsa-sha2-256', 'rsa-sha2-512'] as const;

export interface SshSignature {
  format: SshSignatureFormat;
  /** The signature blob inside SSH's signature encoding (what Go's ssh.Signature.Blob holds). */
  blob: Buffer;
}

const curves = {
  'P-256': { ssh: 'nistp256', hash: 'sha256' },
  'P-384': { ssh: 'nistp384', hash: 'sha384' },
  'P-521': { ssh: 'nistp521', hash: 'sha512' },
} as const;
type Curve = keyof typeof curves;

const opensshMagic = Buffer.from('openssh-key-v1\0', 'latin1');
const opensshPem = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/;

/** Signs `data` with the key in `plaintext` (the ciphertext's content); RSA defaults to rsa-sha2-512. */
export function signWithSshKey(plaintext: Uint8Array, data: Uint8Array, rsaFormat: (typeof rsaFormats)[number] = 'rsa-sha2-512'): SshSignature {
  const key = parseSigningKey(Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.length));
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return { format: 'ssh-ed25519', blob: nodeSign(null, data, key) };
  if (type === 'rsa') return { format: rsaFormat, blob: nodeSign(rsaFormat === 'rsa-sha2-256' ? 'sha256' : 'sha512', data, key) };
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const named = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : null;
    if (named) {
      const { ssh, hash } = curves[named];
      const raw = nodeSign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
      const half = raw.length / 2;
      // RFC 5656 §3.1.2: the blob is mpint r, mpint s.
      return { format: `ecdsa-sha2-${ssh}`, blob: Buffer.concat([sshMpint(raw.subarray(0, half)), sshMpint(raw.subarray(half))]) };
    }
  }
  throw new ApiError(
    'E_VAULT_SSH_KEY',
    `the stored key is ${type ?? 'of no known type'}${type === 'ec' ? ` on ${key.asymmetricKeyDetails?.namedCurve}` : ''}; the vault signs with Ed25519, RSA and ECDSA (P-256, P-384, P-521) keys`,
  );
}

function parseSigningKey(text: Buffer): KeyObject {
  const pem = opensshPem.exec(text.toString('latin1'));
  if (pem) {
    const body = Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64');
    try {
      return createPrivateKey({ key: opensshJwk(body), format: 'jwk' });
    } finally {
      body.fill(0);
    }
  }
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new ApiError(
      'E_VAULT_SSH_KEY',
      'the ciphertext holds no SSH private key the vault can read: store one in OpenSSH format (ssh-keygen writes it) or PEM, without a passphrase',
    );
  }
}

/** OpenSSH's private key format (PROTOCOL.key in OpenSSH's sources), unencrypted, one key. */
function opensshJwk(body: Buffer): JsonWebKey {
  if (!body.subarray(0, opensshMagic.length).equals(opensshMagic))
    throw new ApiError('E_VAULT_SSH_KEY', 'the OpenSSH private key does not start with openssh-key-v1');
  const outer = new SshReader(body.subarray(opensshMagic.length), 'the OpenSSH private key');
  const cipher = outer.text();
  const kdf = outer.text();
  outer.string();
  if (cipher !== 'none' || kdf !== 'none')
    throw new ApiError(
      'E_VAULT_SSH_KEY',
      `the SSH key is protected by a passphrase (${cipher}); encrypt it to the vault without one (ssh-keygen -p -N '' -f KEY on a copy): the vault's owners protect it`,
    );
  if (outer.uint32() !== 1) throw new ApiError('E_VAULT_SSH_KEY', 'the OpenSSH file holds several keys; store one key per ciphertext');
  outer.string();
  const inner = new SshReader(outer.string(), 'the OpenSSH private key');
  if (inner.uint32() !== inner.uint32()) throw new ApiError('E_VAULT_SSH_KEY', 'the OpenSSH private key fails its check numbers (it is damaged)');
  const type = inner.text();
  const b64 = (bytes: Buffer) => bytes.toString('base64url');
  if (type === 'ssh-ed25519') {
    const pub = inner.string();
    const priv = inner.string();
    return { kty: 'OKP', crv: 'Ed25519', x: b64(pub), d: b64(priv.subarray(0, 32)) };
  }
  if (type === 'ssh-rsa') {
    const [n, e, d, iqmp, p, q] = [inner.mpint(), inner.mpint(), inner.mpint(), inner.mpint(), inner.mpint(), inner.mpint()];
    // JWK needs d mod (p-1) and d mod (q-1), which OpenSSH does not store.
    const [bd, bp, bq] = [d, p, q].map((x) => BigInt(`0x${x.toString('hex')}`)) as [bigint, bigint, bigint];
    const bytesOf = (x: bigint) => Buffer.from(x.toString(16).padStart(2 * Math.ceil(x.toString(16).length / 2), '0'), 'hex');
    return {
      kty: 'RSA',
      n: b64(n),
      e: b64(e),
      d: b64(d),
      p: b64(p),
      q: b64(q),
      dp: b64(bytesOf(bd % (bp - 1n))),
      dq: b64(bytesOf(bd % (bq - 1n))),
      qi: b64(iqmp),
    };
  }
  const curve = (Object.keys(curves) as Curve[]).find((name) => type === `ecdsa-sha2-${curves[name].ssh}`);
  if (curve) {
    inner.text();
    const point = inner.string();
    const size = (point.length - 1) / 2;
    const d = inner.mpint();
    return {
      kty: 'EC',
      crv: curve,
      x: b64(point.subarray(1, 1 + size)),
      y: b64(point.subarray(1 + size)),
      d: b64(Buffer.concat([Buffer.alloc(size - d.length), d])),
    };
  }
  throw new ApiError(
    'E_VAULT_SSH_KEY',
    `the stored SSH key is of type ${type}; the vault signs with ssh-ed25519, ssh-rsa and ecdsa-sha2-nistp256/384/521 keys`,
  );
}
