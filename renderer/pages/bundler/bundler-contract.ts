// The bundler's side of the contract as the page uses it (engine/api/bundler.ts): named types, the
// limits the page checks before sending, and how the bundler's errors read.
import {
  bundlerLimits,
  bundlerProblems,
  codes,
  ErrorCode,
  type BundleResult,
  type CertificateCard,
  type RankedChainView,
  type RequestOf,
  type ResponseOf,
} from '../../../engine/api/index.ts';
import { ClientError } from '../../api/client.ts';
import { describeError } from '../../components/errors.ts';

export type { BundleResult, CertificateCard, RankedChainView };
export type BundleRequest = RequestOf<'bundler.bundle'>;
export type TrustInfo = ResponseOf<'bundler.trust'>;
export type Flavor = BundleResult['flavor'];
export type BundleProblem = BundleResult['problems'][number];
export type ChainWarning = RankedChainView['warnings'][number];

/** The contract's caps on one upload (decoded), on uploads in one call, and on all of them together. */
export const { maxFileBytes, maxFiles, maxTotalBytes } = bundlerLimits;

/** What the file chooser offers; the engine reads any file by its contents, whatever its name. */
export const acceptedExtensions = ['.pem', '.crt', '.cer', '.der', '.p7b', '.p7c', '.p12', '.pfx', '.key'];

export const flavors: readonly { id: Flavor; label: string; explain: string }[] = [
  {
    id: 'ubiquitous',
    label: 'Ubiquitous',
    explain: 'Trusted by the most clients (platforms weighted by share), then shortest and strongest; cfssl’s default.',
  },
  { id: 'optimal', label: 'Optimal', explain: 'Shortest chain, latest expiry, strongest crypto, even if some old clients do not trust it.' },
  { id: 'force', label: 'Force', explain: 'Exactly the uploaded certificates in the uploaded order, if each signs the one before; no search.' },
];

/** Problems that a password (or another password) on that file fixes, by name and by cfssl-style code. */
const passwordNames = [codes.E_INPUT_PASSWORD_REQUIRED, codes.E_INPUT_WRONG_PASSWORD, codes.E_KEY_ENCRYPTED, codes.E_KEY_WRONG_PASSWORD];
export const passwordProblems = new Set<string>(passwordNames);
/** A call refused as a whole for one of them: E_BUNDLER_ and the problem's number (engine/api/bundler-errors.ts). */
const passwordCodes = new Set(passwordNames.map((name) => `E_BUNDLER_${bundlerProblems[name].code}`));

/** When a whole call was refused for a missing or wrong password, its message (it names the file). */
export function passwordRefusal(err: unknown): string | null {
  return err instanceof ClientError && passwordCodes.has(err.code) ? err.message : null;
}

/** Whether a file needs a password by its name or contents: PKCS#12, or an encrypted PEM key. */
export function looksPasswordProtected(name: string, text: string | null): boolean {
  if (/\.(p12|pfx)$/i.test(name)) return true;
  return text !== null && /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(text);
}

export function isEngineUnavailable(err: unknown): err is ClientError {
  return err instanceof ClientError && err.code === ErrorCode.engineUnavailable;
}

/** A call that failed on the way (the engine restarting, the connection down), not for what it carried. */
export function isTransient(err: unknown): err is ClientError {
  return err instanceof ClientError && (err.code === ErrorCode.engineUnavailable || err.code === ErrorCode.closed);
}

/** Codes about the way to the engine rather than the certificates; the shared wording says what to do. */
const transportCodes = new Set<string>([
  ErrorCode.badMessage,
  ErrorCode.unknownMethod,
  ErrorCode.engineUnavailable,
  ErrorCode.timeout,
  ErrorCode.closed,
  ErrorCode.internal,
]);

/** The bundler's own refusals (no chain, a forced chain that does not verify) say what to do in their message. */
export function describeBundlerError(err: unknown): string {
  if (err instanceof ClientError && !transportCodes.has(err.code)) {
    const hint = err.code === ErrorCode.invalidParams ? ' Correct the field it names; the page bundles again by itself.' : '';
    return `${err.message} [${err.code}].${hint}`;
  }
  return describeError(err);
}
