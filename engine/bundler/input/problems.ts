// What can be wrong with an upload, as a stable code and name. Numeric codes are cfssl's
// (errors/error.go: category 1000 certificate, 2000 private key; reason 1 read, 2 decode, 3 parse,
// 100 encrypted, 200 not RSA or ECC, 300 key mismatch) where cfssl has one; the others are ours,
// in reason numbers cfssl does not use, and listed in README.md.

export const problemKinds = {
  /** cfssl 1002 DecodeFailed: neither PEM nor any DER structure we know (garbage, empty, text without blocks). */
  E_INPUT_DECODE: 1002,
  /** cfssl 1003 ParseFailed: a certificate whose contents are not a valid X.509 certificate. */
  E_INPUT_PARSE: 1003,
  /** ours: the bytes end before a length they declare (a cut download, a PEM block without END). */
  E_INPUT_TRUNCATED: 1010,
  /** ours: one upload over the per-file cap, or all of them over the total cap. */
  E_INPUT_TOO_LARGE: 1011,
  /** ours: a well-formed object the bundler does not take (CSR, CRL, public key, other PKCS#7/PKCS#12 content). */
  E_INPUT_UNSUPPORTED: 1012,
  /** ours: a bound on the work of one request was reached (KDF rounds, decryption time, keys, objects, problems). */
  E_INPUT_WORK_LIMIT: 1013,
  /** ours: a PKCS#12 file that needs a password and none was given. */
  E_INPUT_PASSWORD_REQUIRED: 1020,
  /** ours: a PKCS#12 file whose integrity check or decryption fails with the password given. */
  E_INPUT_WRONG_PASSWORD: 1021,
  /** cfssl 2002 DecodeFailed (private key): a key block whose base64 or structure cannot be decoded. */
  E_KEY_DECODE: 2002,
  /** cfssl 2003 ParseFailed (private key): a key structure that does not hold a valid key. */
  E_KEY_PARSE: 2003,
  /** cfssl 2100 Encrypted: an encrypted private key and no password (cfssl refuses all of them; we ask). */
  E_KEY_ENCRYPTED: 2100,
  /** ours: an encrypted private key that does not decrypt with the password given. */
  E_KEY_WRONG_PASSWORD: 2101,
  /** cfssl 2200 NotRSAOrECC: a key type we do not bundle for (DSA, RSA-PSS, X25519, Ed448, other curves). */
  E_KEY_UNSUPPORTED: 2200,
  /** cfssl 2300 KeyMismatch: keys were given but none matches the leaf's public key. */
  E_KEY_MISMATCH: 2300,
} as const;

export type ProblemName = keyof typeof problemKinds;

export interface InputProblem {
  code: number;
  name: ProblemName;
  /** For a person: what happened, to what, and what to do. */
  message: string;
  /** The upload's name, and `#n` for the n-th object in it when the problem is about one object. */
  source: string;
}

export function problem(name: ProblemName, source: string, message: string): InputProblem {
  return { code: problemKinds[name], name, message, source };
}

/** Thrown inside this folder only; readUploads turns it into an InputProblem and goes on with the next object. */
export class InputFailure extends Error {
  readonly kind: ProblemName;
  /** About the whole upload (its source is the name alone), not one object in it. */
  wholeFile = false;

  constructor(kind: ProblemName, message: string) {
    super(message);
    this.name = 'InputFailure';
    this.kind = kind;
  }
}
