// /status, /restore, /reset-persisted: Red October could write live delegations, private keys
// included, to a file and bring them back after a restart (spec §4.2). Delegated keys here never
// touch disk (§10.10), so persistence is always "disabled" and there is nothing to restore or reset.
import { StatusError, withJsonResponse, type Answer } from '../answers.ts';
import { credentials } from '../fields.ts';
import type { GoStruct } from '../go-json.ts';
import { requireCreated, withCredentials, type Call } from '../handler.ts';

export const restoreRequest = { ...withCredentials, Uses: 'int', Time: 'string' } as const satisfies GoStruct;

/** `Response` = base64 of `{"Status":"disabled"}`, as Red October without persistence. */
export async function status({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  await vault.accounts.authenticate(credentials(request), source);
  return withJsonResponse({ Status: 'disabled' });
}

export function restore(): Answer {
  throw notSupported();
}

export function resetPersisted(): Answer {
  throw notSupported();
}

function notSupported(): StatusError {
  return new StatusError('E_RO_UNSUPPORTED', 'delegation persistence is not supported: delegated keys live only in this process\'s memory and never touch disk', {
    detail: 'Red October without persistence answers: persist: null store does not support delegations',
  });
}
