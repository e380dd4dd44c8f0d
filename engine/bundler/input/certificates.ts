// Checks that bytes shaped like a certificate are one, so that what leaves this folder always parses.
import { X509Certificate, hash } from 'node:crypto';
import { InputFailure } from './problems.ts';

export function checkCertificate(der: Buffer): void {
  try {
    new X509Certificate(der);
  } catch {
    throw new InputFailure('E_INPUT_PARSE', 'a certificate that cannot be parsed as X.509 (corrupted or cut); download it again from the issuer');
  }
}

/** SHA-256 of the DER, lower-case hex: the identity used to drop duplicates. */
export function fingerprint(der: Buffer): string {
  return hash('sha256', der, 'hex');
}
