// What every path's handler gets: the vault, the caller's address (the login guard's source, so
// that guessing from one address is slowed down without locking out everyone else) and the request.
import type { Vault } from '../vault.ts';
import { StatusError, type Answer } from './answers.ts';
import type { GoRequest, GoStruct } from './go-json.ts';

export interface Call {
  vault: Vault;
  source: string;
  request: GoRequest;
}

export type Handler = (call: Call) => Promise<Answer> | Answer;

/** `Name` and `Password`, in every request that needs a password (there are no sessions, spec §1). */
export const withCredentials = { Name: 'string', Password: 'string' } as const satisfies GoStruct;

/** Red October's answer before any password check on an empty vault (spec §2). */
export function requireCreated(vault: Vault): void {
  if (!vault.accounts.initialized)
    throw new StatusError('E_RO_NOT_CREATED', 'Vault is not created yet', { detail: 'call /create first: it makes the first account, an admin' });
}
