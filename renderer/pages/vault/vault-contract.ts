// The vault's side of the contract as the page uses it: named types, the limits the forms check
// before sending, and how the vault's errors read.
import { maxMessageBytes } from '../../../engine/api/messages.ts';
import {
  ErrorCode,
  vaultErrors,
  vaultLabel,
  vaultLimits,
  vaultOrderId,
  vaultUserName,
  type ErrorCodeName,
  type ResponseOf,
  type StreamEventOf,
  type VaultCredentials,
} from '../../../engine/api/index.ts';
import { ClientError, type ApiClient } from '../../api/client.ts';
import { describeError } from '../../components/errors.ts';

export type VaultChange = StreamEventOf<'vault.changes'>;
export type VaultChangeKind = VaultChange['kind'];
export type VaultStatus = ResponseOf<'vault.status'>;
export type VaultUser = ResponseOf<'vault.users'>['users'][number];
export type VaultOrder = ResponseOf<'vault.orders'>['orders'][number];
export type AuditEntry = ResponseOf<'vault.audit'>['entries'][number];
export type CiphertextInfo = ResponseOf<'vault.owners'>;
export type AccessStructure = CiphertextInfo['access'];
export type Credentials = VaultCredentials;

/** What to do after the vault refused, where its message does not say it already. */
const nextStep: Partial<Record<ErrorCodeName, string>> = {
  E_RATE_LIMITED: 'Wait that long before the next try: every further wrong password makes the wait longer.',
  E_INVALID_PARAMS: 'Correct the field it names and send again.',
  E_VAULT_AUTH: 'Check the name and the password (a few failures in a row make the next try wait).',
  E_VAULT_NOT_ADMIN: 'Confirm with the name and password of an admin.',
  E_VAULT_NEED_DELEGATIONS: 'More owners must delegate or approve an order first.',
  E_VAULT_NOT_ENOUGH_OWNERS: 'More owners must delegate or approve an order first.',
  E_VAULT_PENDING: 'An admin approves (or rejects) the account on the Vault page, under Accounts.',
};

/** The vault's message and code, and the next step; never the generic "check the log". */
export function describeVaultError(err: unknown): string {
  if (err instanceof ClientError && (err.code in nextStep || Object.hasOwn(vaultErrors, err.code))) {
    const hint = nextStep[err.code as ErrorCodeName];
    return `${err.message} [${err.code}].${hint ? ` ${hint}` : ''}`;
  }
  return describeError(err);
}

export function isEngineUnavailable(err: unknown): err is ClientError {
  return err instanceof ClientError && err.code === ErrorCode.engineUnavailable;
}

/** Whether the contract takes it as a user name, a label, an order id (engine/api/vault.ts's own schemas). */
export const isUserName = (name: string) => vaultUserName.safeParse(name).success;
export const isLabel = (label: string) => vaultLabel.safeParse(label).success;
export const isOrderId = (id: string) => vaultOrderId.safeParse(id).success;
export const { minPasswordLength, maxPlaintextBytes, maxSeconds, maxUses } = vaultLimits;
/**
 * The API's message limit (engine/api/messages.ts): `signalbox serve` closes a WebSocket that
 * sends more, so the page refuses a larger request first and says why.
 */
export const serveFrameBytes = maxMessageBytes;

/** Whether a request carrying `chars` characters fits in one message of this connection. */
export function fitsOneMessage(client: ApiClient, chars: number): boolean {
  return client.kind !== 'websocket' || chars + 64 * 1024 <= serveFrameBytes;
}
