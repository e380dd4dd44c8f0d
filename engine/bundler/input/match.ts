// Which uploaded private key belongs to the leaf: the one whose public key is the leaf's
// SubjectPublicKeyInfo (both exported by node:crypto, so encodings of the same key compare equal).
import { X509Certificate, hash } from 'node:crypto';
import { problem, type InputProblem } from './problems.ts';
import type { InputKey } from './types.ts';

export type KeyMatch =
  | { status: 'matched'; key: InputKey }
  /** No key was uploaded: nothing to check, not an error. */
  | { status: 'no-key' }
  /** cfssl 2300: keys were given, none is the leaf's; or 1003 when the leaf itself does not parse. */
  | { status: 'mismatch'; problem: InputProblem };

export function matchKey(leafDer: Buffer, keys: readonly InputKey[], leafSource = 'leaf'): KeyMatch {
  if (keys.length === 0) return { status: 'no-key' };
  let leafSpki: string;
  try {
    leafSpki = hash('sha256', new X509Certificate(leafDer).publicKey.export({ type: 'spki', format: 'der' }), 'hex');
  } catch {
    return { status: 'mismatch', problem: problem('E_INPUT_PARSE', leafSource, 'the leaf certificate cannot be parsed, so no key can be matched to it') };
  }
  // The keys' public halves were exported once when read, so trying many leaves costs no key operations.
  const candidate = keys.find((k) => k.spkiSha256 === leafSpki);
  if (candidate) return { status: 'matched', key: candidate };
  const given = keys.map((k) => k.source).join(', ');
  return {
    status: 'mismatch',
    problem: problem(
      'E_KEY_MISMATCH',
      leafSource,
      `no private key given matches the leaf certificate's public key (keys from ${given}); upload the key the certificate was issued for`,
    ),
  };
}
