// Errors of the ranking carry cfssl's numeric codes (category + reason), so the bundler's JSON errors
// match cfssl's {"code": N, "message": ...}.

export const RankErrorCode = {
  /** cfssl CertificateError (1000) + VerifyFailed (200): the forced chain does not verify. */
  verifyFailed: 1200,
  /** cfssl CertificateError (1000) + VerifyFailed (200) + unknown authority (20): no chain to rank. */
  unknownAuthority: 1220,
} as const;

export type RankErrorCode = (typeof RankErrorCode)[keyof typeof RankErrorCode];

export class RankError extends Error {
  readonly code: RankErrorCode;

  constructor(code: RankErrorCode, message: string) {
    super(message);
    this.name = 'RankError';
    this.code = code;
  }
}
