// /status, /restore, /reset-persisted: Red October's delegation persistence (spec §2, §4.2). Off
// unless engines.vault.persist is set; then the live delegations are stored encrypted to M of the
// persist owners, and after a restart come back once enough of them sent /restore.
import { withJsonResponse, type Answer } from '../answers.ts';
import { credentials, durationSeconds } from '../fields.ts';
import type { GoStruct } from '../go-json.ts';
import { requireCreated, withCredentials, type Call } from '../handler.ts';

/** Red October decodes /restore into its DelegateRequest; only Time counts (it passed Uses 1 itself). */
export const restoreRequest = {
  ...withCredentials,
  Uses: 'int',
  Time: 'string',
  Slot: 'string',
  Users: 'strings',
  Labels: 'strings',
} as const satisfies GoStruct;

/**
 * `Response` = base64 of `{"Status": "disabled" | "inactive" | "active"}` as Red October's, plus
 * when enabled (ours, ignored by Go clients) the policy `Owners`/`Minimum` and who is `Restoring`.
 */
export async function status({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  await vault.accounts.authenticate(credentials(request), source);
  const persist = vault.status().persist;
  if (persist.state === 'disabled') return withJsonResponse({ Status: persist.state });
  return withJsonResponse({ Status: persist.state, Owners: persist.owners, Minimum: persist.minimum, Restoring: persist.restoring });
}

/**
 * A persist owner joins the restore: `Response` = base64 `{"Status":"inactive"}` while more owners
 * are needed, `{"Status":"active"}` from the one that completes it. `Time` is how long this owner's
 * key waits for the others in memory.
 */
export async function restore({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  const seconds = durationSeconds(
    request,
    'Time',
    'Time is required: how long your key waits for the other owners to restore, a Go duration such as 1h (ro restore -time 1h)',
  );
  const state = await vault.restore(credentials(request), source, seconds);
  return withJsonResponse({ Status: state });
}

/** An admin deletes the stored delegations; `Response` = base64 `{"Status":"active"}`. */
export async function resetPersisted({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  const state = await vault.resetPersisted(credentials(request), source);
  return withJsonResponse({ Status: state });
}
