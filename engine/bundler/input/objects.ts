// The objects in one upload: PEM text (any blocks, any order), DER (one or several objects back to
// back), or bare base64; each object read on its own, so one bad block or bag does not hide the rest.
// What needs a key derived from a password (PKCS#12, encrypted keys) is not done here but handed
// back as a KdfJob, so that the caller can run it under the request's budget, off the event loop.
import type { KeyObject } from 'node:crypto';
import { checkCertificate } from './certificates.ts';
import { BER, DerError, readTlv } from '../der.ts';
import { detectDer, kindNames } from './detect.ts';
import type { WorkBudget } from './budget.ts';
import { loadDerKey, loadEncryptedKey, loadPemKey, needsPassword } from './keys.ts';
import { decodeBase64, findPemBlocks, looksLikePem, type PemBlock } from './pem.ts';
import { readPkcs12 } from './pkcs12.ts';
import { readPkcs7 } from './pkcs7.ts';
import { InputFailure } from './problems.ts';

export type Found = { kind: 'certificate'; der: Buffer } | { kind: 'key'; key: KeyObject } | { kind: 'problem'; failure: InputFailure };

/** Decryption with a password-derived key, left for later (runKdfJob); plain data, so it can go to a worker. */
export type KdfJob =
  | { kind: 'pkcs12'; der: Uint8Array; password: string | undefined }
  | { kind: 'encrypted-key'; der: Uint8Array; password: string }
  | { kind: 'legacy-pem-key'; pem: string; password: string };

/** An object as first read: done, or waiting for its KDF job. */
export type Piece = Found | { kind: 'deferred'; job: KdfJob };

/** Objects past this in one upload are not read (a chain or a pool dump has hundreds at most). */
export const maxObjectsPerFile = 2_000;

const keyLabels = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
// Written next to keys by `openssl ecparam -genkey` and friends; they carry nothing for a bundle.
const ignoredLabels = new Set(['EC PARAMETERS', 'DH PARAMETERS', 'DSA PARAMETERS']);

/** The objects in one upload: PEM text, DER (one or several objects back to back), or bare base64. */
export function readOne(bytes: Buffer, password: string | undefined): Piece[] {
  if (bytes.length === 0) return [wholeFile('E_INPUT_DECODE', 'the file is empty')];
  const text = asText(bytes);
  if (looksLikePem(text)) {
    const blocks = findPemBlocks(text);
    if (blocks.length > 0) {
      const out: Piece[] = [];
      for (const block of blocks) {
        if (out.length >= maxObjectsPerFile) return [...out, tooManyObjects()];
        out.push(...fromPemBlock(block, password));
      }
      return out;
    }
    return [wholeFile('E_INPUT_DECODE', 'the text has a "-----BEGIN" line but no PEM block (the label must be upper case, as in -----BEGIN CERTIFICATE-----)')];
  }
  if (bytes[0] === 0x30) return fromDer(bytes, password);
  const pasted = decodeBase64(text.replace(/\s+/g, ''));
  if (pasted && pasted[0] === 0x30) return fromDer(pasted, password);
  return [
    wholeFile(
      'E_INPUT_DECODE',
      'this is not a certificate, key, PKCS#7 or PKCS#12 file (neither PEM nor DER); upload .pem, .crt, .cer, .der, .p7b, .p12/.pfx or .key files',
    ),
  ];
}

function fromPemBlock(block: PemBlock, password: string | undefined): Piece[] {
  if (ignoredLabels.has(block.label)) return [];
  if (!block.complete) {
    return [failed('E_INPUT_TRUNCATED', `the "${block.label}" PEM block has no END line; the file was cut, copy it again in full`)];
  }
  if (block.label === 'DSA PRIVATE KEY' || block.label === 'OPENSSH PRIVATE KEY') {
    return [
      failed(
        'E_KEY_UNSUPPORTED',
        block.label === 'DSA PRIVATE KEY'
          ? 'a DSA private key: only RSA, ECDSA and Ed25519 keys are supported'
          : 'an OpenSSH private key: convert it with `ssh-keygen -p -m PKCS8 -f KEYFILE` first',
      ),
    ];
  }
  const legacyEncrypted = /ENCRYPTED/i.test(block.headers['Proc-Type'] ?? '');
  if (keyLabels.has(block.label) && legacyEncrypted) {
    if (password === undefined) return [{ kind: 'problem', failure: needsPassword() }];
    return [{ kind: 'deferred', job: { kind: 'legacy-pem-key', pem: block.text, password } }];
  }
  const der = decodeBase64(block.base64);
  if (!der) {
    return [
      failed(keyLabels.has(block.label) ? 'E_KEY_DECODE' : 'E_INPUT_DECODE', `the "${block.label}" PEM block is not valid base64; copy it again in full`),
    ];
  }
  if (keyLabels.has(block.label)) {
    // node:crypto reads every key form by its label; we only catch a cut block first.
    return attempt(() => {
      readTlv(der, 0, der.length, BER);
      if (block.label === 'ENCRYPTED PRIVATE KEY') return encryptedKey(der, password);
      return [{ kind: 'key', key: loadPemKey(block.text, false, undefined) }];
    });
  }
  if (block.label === 'TRUSTED CERTIFICATE') {
    // OpenSSL's trusted-certificate form: the certificate followed by its trust settings.
    return attempt(() => {
      const tlv = readTlv(der, 0, der.length, BER);
      return fromDer(der.subarray(0, tlv.end), password);
    });
  }
  return fromDer(der, password);
}

function fromDer(der: Buffer, password: string | undefined): Piece[] {
  const out: Piece[] = [];
  for (let pos = 0; pos < der.length && !(pos > 0 && isPadding(der, pos));) {
    if (out.length >= maxObjectsPerFile) return [...out, tooManyObjects()];
    let end: number;
    try {
      const tlv = readTlv(der, pos, der.length, BER);
      end = tlv.end;
      const object = der.subarray(pos, end);
      out.push(...attempt(() => fromObject(object, password)));
    } catch (err) {
      // The rest cannot be found again once one length is wrong.
      out.push({ kind: 'problem', failure: asFailure(err) });
      break;
    }
    pos = end;
  }
  return out;
}

function fromObject(der: Buffer, password: string | undefined): Piece[] {
  const top = readTlv(der, 0, der.length, BER);
  const kind = detectDer(der, top);
  switch (kind) {
    case 'certificate':
      checkCertificate(der);
      return [{ kind: 'certificate', der }];
    case 'pkcs7': {
      const contents = readPkcs7(der, top);
      const found: Found[] = contents.certificates.map(
        (cert) =>
          attempt(() => {
            checkCertificate(cert);
            return [{ kind: 'certificate', der: cert } as const];
          })[0]!,
      );
      if (contents.skipped > 0) {
        found.push(failed('E_INPUT_UNSUPPORTED', `${contents.skipped} attribute or other non-X.509 certificates in the PKCS#7 bundle were skipped`));
      }
      if (contents.certificates.length === 0 && contents.skipped === 0) {
        found.push(failed('E_INPUT_DECODE', 'the PKCS#7 bundle holds no certificates'));
      }
      return found;
    }
    case 'pkcs12':
      // Even without a password its MAC is checked with a derived key (the empty and no password).
      return [{ kind: 'deferred', job: { kind: 'pkcs12', der, password } }];
    case 'pkcs8':
    case 'pkcs1':
    case 'sec1':
      return [{ kind: 'key', key: loadDerKey(der, kind) }];
    case 'encrypted-pkcs8':
      return encryptedKey(der, password);
    case 'dsa-key':
      throw new InputFailure('E_KEY_UNSUPPORTED', 'a DSA private key: only RSA, ECDSA and Ed25519 keys are supported');
    case 'csr':
      throw new InputFailure('E_INPUT_UNSUPPORTED', 'a certificate signing request (CSR), not a certificate: upload the certificate the CA issued for it');
    case 'crl':
    case 'public-key':
    case 'cms-other':
      throw new InputFailure(
        'E_INPUT_UNSUPPORTED',
        `${kindNames[kind]}, which a bundle does not use; upload certificates, a PKCS#7/PKCS#12 file or a private key`,
      );
    case 'unknown':
      throw new InputFailure('E_INPUT_DECODE', 'an ASN.1 structure that is no certificate, key, PKCS#7 or PKCS#12');
  }
}

/** Without a password there is nothing to derive: answered at once (2100). */
function encryptedKey(der: Buffer, password: string | undefined): Piece[] {
  if (password === undefined) return [{ kind: 'problem', failure: needsPassword() }];
  return [{ kind: 'deferred', job: { kind: 'encrypted-key', der, password } }];
}

/** Runs a KdfJob, paying its key derivations from `budget`; never throws. */
export function runKdfJob(job: KdfJob, budget: WorkBudget): Found[] {
  return attempt(() => {
    switch (job.kind) {
      case 'pkcs12': {
        const der = Buffer.from(job.der.buffer, job.der.byteOffset, job.der.byteLength);
        try {
          return readPkcs12(der, readTlv(der, 0, der.length, BER), job.password, budget);
        } catch (err) {
          if (err instanceof InputFailure) err.wholeFile = true;
          throw err;
        }
      }
      case 'encrypted-key':
        return [{ kind: 'key', key: loadEncryptedKey(Buffer.from(job.der.buffer, job.der.byteOffset, job.der.byteLength), job.password, budget) }];
      case 'legacy-pem-key':
        // EVP_BytesToKey: one MD5, no rounds to price, only the decryption itself.
        budget.charge(0, 'the private key');
        return [{ kind: 'key', key: loadPemKey(job.pem, true, job.password) }];
    }
  });
}

function tooManyObjects(): Piece {
  return wholeFile(
    'E_INPUT_WORK_LIMIT',
    `only the first ${maxObjectsPerFile.toLocaleString('en-US')} objects (certificates, keys, blocks) of one file are read; split the file or upload only the chain and its key`,
  );
}

function attempt<T extends Piece>(read: () => T[]): T[] {
  try {
    return read();
  } catch (err) {
    return [{ kind: 'problem', failure: asFailure(err) } as T];
  }
}

export function asFailure(err: unknown): InputFailure {
  if (err instanceof InputFailure) return err;
  if (err instanceof DerError) {
    return err.kind === 'truncated'
      ? new InputFailure('E_INPUT_TRUNCATED', `the data is cut short (${err.message}); copy or download it again in full`)
      : new InputFailure('E_INPUT_DECODE', `the data is not valid DER (${err.message})`);
  }
  // A library's own exception: say what it was, but never let it escape.
  return new InputFailure('E_INPUT_DECODE', `the data could not be read (${err instanceof Error ? err.message : String(err)})`);
}

function failed(kind: InputFailure['kind'], message: string): Found {
  return { kind: 'problem', failure: new InputFailure(kind, message) };
}

function wholeFile(kind: InputFailure['kind'], message: string): Found {
  const failure = new InputFailure(kind, message);
  failure.wholeFile = true;
  return { kind: 'problem', failure };
}

// PEM is ASCII; latin1 keeps any other byte as one character. Notepad's "Unicode" is UTF-16 with a BOM.
function asText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2)))
      .swap16()
      .toString('utf16le');
  return bytes.toString('latin1');
}

// Trailing newlines, spaces or NULs after DER are tolerated (cfssl trims them too).
function isPadding(der: Buffer, from: number): boolean {
  for (let i = from; i < der.length; i++) {
    const b = der[i]!;
    if (b !== 0x00 && b !== 0x0a && b !== 0x0d && b !== 0x20 && b !== 0x09) return false;
  }
  return true;
}
