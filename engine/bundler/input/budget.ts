// The work one request may make the bundler do on password-based decryption. Each KDF is priced
// before it runs, in rounds of native PBKDF2-HMAC-SHA-256 (≈ 0.17 µs here); a request that would
// pass its allowance is refused from that object on, so twenty keys at the per-key cap cost what
// a few do, not twenty times as much.
import { InputFailure } from './problems.ts';

/** Default allowance per request: ≈ 2 s of KDF on this machine, room for five keys at the cap. */
export const defaultKdfWork = 12_000_000;

/**
 * What every decryption costs besides its rounds (parsing, cipher setup, reading the key found),
 * ≈ 1-2 ms here: a PKCS#12 file with a 1-round MAC still takes about that much, so a thousand of
 * them must not be priced as nearly free. It bounds a request to 600 decryptions.
 */
export const decryptionOverhead = 20_000;

export class WorkBudget {
  readonly limit: number;
  #used = 0;

  constructor(limit: number = defaultKdfWork) {
    this.limit = limit;
  }

  get used(): number {
    return this.#used;
  }

  /** Takes one decryption of `rounds` KDF rounds for `what`, or throws E_INPUT_WORK_LIMIT (1013) without running it. */
  charge(rounds: number, what: string): void {
    const units = rounds + decryptionOverhead;
    if (this.#used + units > this.limit) {
      throw new InputFailure(
        'E_INPUT_WORK_LIMIT',
        `${what} was not decrypted: the password-based decryption in one request is limited to ${this.limit.toLocaleString('en-US')} KDF rounds ` +
          `(${this.#used.toLocaleString('en-US')} used, this one needs ${units.toLocaleString('en-US')}); upload fewer encrypted keys or PKCS#12 files at a time`,
      );
    }
    this.#used += units;
  }
}
