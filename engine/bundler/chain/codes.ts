// Error codes. cfssl's are 1000 × category + reason; for verification failures it adds 10 + Go's
// x509.InvalidReason (so 1210 + reason) or 20 for an unknown authority (cfssl errors/error.go).

export const E_SELF_SIGNED = 1100;
export const E_VERIFY_FAILED = 1200;
export const E_NOT_AUTHORIZED_TO_SIGN = 1210;
export const E_EXPIRED = 1211;
export const E_NAME_CONSTRAINT = 1212;
export const E_TOO_MANY_INTERMEDIATES = 1213;
export const E_INCOMPATIBLE_USAGE = 1214;
export const E_NAME_MISMATCH = 1215;
export const E_CA_EKU = 1219;
export const E_UNKNOWN_AUTHORITY = 1220;

export type CheckCode =
  | 'encoding'
  | 'signature'
  | 'nameChaining'
  | 'validity'
  | 'ca'
  | 'keyUsage'
  | 'pathLen'
  | 'eku'
  | 'nameConstraints'
  | 'criticalExtensions'
  | 'crypto'
  | 'profile'
  | 'leaf'
  | 'hostname';

/** The cfssl code a failed check maps to. */
export const CODES: Record<CheckCode, number> = {
  encoding: E_VERIFY_FAILED,
  signature: E_VERIFY_FAILED,
  nameChaining: E_NAME_MISMATCH,
  validity: E_EXPIRED,
  ca: E_NOT_AUTHORIZED_TO_SIGN,
  keyUsage: E_NOT_AUTHORIZED_TO_SIGN,
  pathLen: E_TOO_MANY_INTERMEDIATES,
  eku: E_INCOMPATIBLE_USAGE,
  nameConstraints: E_NAME_CONSTRAINT,
  criticalExtensions: E_VERIFY_FAILED,
  crypto: E_VERIFY_FAILED,
  profile: E_VERIFY_FAILED,
  leaf: E_VERIFY_FAILED,
  hostname: E_VERIFY_FAILED,
};

/** A stable name for each code, for APIs and tests (cfssl's reason names, in our error style). */
export const CODE_NAMES: Record<number, string> = {
  [E_SELF_SIGNED]: 'E_SELF_SIGNED',
  [E_VERIFY_FAILED]: 'E_VERIFY_FAILED',
  [E_NOT_AUTHORIZED_TO_SIGN]: 'E_NOT_AUTHORIZED_TO_SIGN',
  [E_EXPIRED]: 'E_EXPIRED',
  [E_NAME_CONSTRAINT]: 'E_NAME_CONSTRAINT',
  [E_TOO_MANY_INTERMEDIATES]: 'E_TOO_MANY_INTERMEDIATES',
  [E_INCOMPATIBLE_USAGE]: 'E_INCOMPATIBLE_USAGE',
  [E_NAME_MISMATCH]: 'E_NAME_MISMATCH',
  [E_CA_EKU]: 'E_CA_EKU',
  [E_UNKNOWN_AUTHORITY]: 'E_UNKNOWN_AUTHORITY',
};
