// /order, /orderout, /orderinfo, /ordercancel: decryption requests. As in Red October (spec §5),
// owners approve an order by ordinary delegations that name its requester and share one of its
// labels, and the order counts them; ours name one ciphertext, and an owner may instead approve
// with /delegate + `OrderNum`: a delegation bound to that order, its ciphertext and its requester.
// Orders are answered in Red October's Order shape, counted right (§8.6); a closed order is gone
// from this API, as Red October deleted it, and stays in the console's history.
import type { VaultOrder } from '../../../api/vault.ts';
import { StatusError, withJsonResponse, withResponse, type Answer } from '../answers.ts';
import { checked, ciphertextText, credentialFields, credentials, durationSeconds, uses } from '../fields.ts';
import type { GoStruct } from '../go-json.ts';
import { requireCreated, withCredentials, type Call } from '../handler.ts';

export const orderRequest = {
  ...withCredentials,
  Duration: 'string',
  Uses: 'int',
  Users: 'strings',
  EncryptedData: 'bytes',
  Labels: 'strings',
  Reason: 'string',
} as const satisfies GoStruct;
export const orderNumRequest = { ...withCredentials, OrderNum: 'string' } as const satisfies GoStruct;

/**
 * The caller asks the owners of `EncryptedData` to approve its decryption, within `Duration`, for
 * `Uses` decryptions. `Reason` (ours) is shown to the owners. An order is for its requester:
 * `Users` must name the caller, and only the caller. `Labels` are the ciphertext's, not the request's.
 */
export async function order({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  const creds = credentials(request);
  const seconds = durationSeconds(request, 'Duration', 'Duration required when placing an order.');
  const count = uses(request, 'Number of required uses necessary when placing an order.');
  const users = request.strings('Users');
  // Red October's own refusal; `ro order -users NAME` always sends one.
  if (users.length === 0)
    throw new StatusError('E_RO_USERS_REQUIRED', 'Must specify at least one user per order.', {
      detail: `name the requester: Users ["${creds.name}"] (ro order -users ${creds.name})`,
    });
  const others = users.filter((name) => name !== creds.name);
  if (others.length > 0) throw new StatusError('E_RO_FIELD', `an order is for its requester only: Users may name only ${creds.name}, not ${others.join(', ')}`);
  const ciphertext = ciphertextText(request.bytes('EncryptedData'), 'EncryptedData');
  const reason = request.string('Reason') || 'placed through the Red October API (no reason given)';
  const params = checked(
    'vault.order',
    { credentials: creds, ciphertext, reason, seconds, uses: count },
    { ...credentialFields, ciphertext: 'EncryptedData', reason: 'Reason' },
  );
  return withJsonResponse(orderShape(await vault.order(params.credentials, source, params)));
}

/** Open orders, keyed by number. */
export async function orderOut({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  await vault.accounts.authenticate(credentials(request), source);
  const open = vault.listOrders().filter((o) => o.status === 'open');
  return withJsonResponse(Object.fromEntries(open.map((o) => [o.id, orderShape(o)])));
}

/** One open order; a fulfilled, cancelled or expired one is gone, as in Red October. */
export async function orderInfo({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  await vault.accounts.authenticate(credentials(request), source);
  const found = vault.listOrders().find((o) => o.id === request.string('OrderNum') && o.status === 'open');
  if (!found) throw new StatusError('E_VAULT_NO_ORDER', 'No order with that number');
  return withJsonResponse(orderShape(found));
}

/** The requester cancels their order; its approvals end with it. */
export async function orderCancel({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  const params = checked(
    'vault.cancelOrder',
    { credentials: credentials(request), orderId: request.string('OrderNum') },
    { ...credentialFields, orderId: 'OrderNum' },
  );
  await vault.cancelOrder(params.credentials, source, params.orderId);
  return withResponse(Buffer.from('Successfully removed order'));
}

/**
 * Red October's Order: Creator, Users, Num, TimeRequested (RFC 3339), DurationRequested (ns),
 * Delegated (how many owners' delegations serve it), OwnersDelegated, Owners, Labels. Ours besides: Reason,
 * Uses, ExpiryTime, State (open, fulfilled, cancelled, expired), Satisfied, CiphertextHash.
 */
export function orderShape(o: VaultOrder) {
  return {
    Creator: o.requester,
    Users: [o.requester],
    Num: o.id,
    TimeRequested: new Date(o.createdAt).toISOString(),
    DurationRequested: (o.expiresAt - o.createdAt) * 1_000_000,
    Delegated: o.delegated.length,
    OwnersDelegated: o.delegated,
    Owners: o.owners,
    Labels: o.labels,
    Reason: o.reason,
    Uses: o.uses,
    ExpiryTime: new Date(o.expiresAt).toISOString(),
    State: o.status,
    Satisfied: o.satisfied,
    CiphertextHash: o.ciphertextHash,
  };
}
