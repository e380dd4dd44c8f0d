// /delegate, /purge, /summary: delegations. A delegation here never creates an account (Red October
// made one for an unknown Name, spec §8.3), needs Uses >= 1 and a Time > 0 (§8.4), names who may use
// it or says `Anyone: true` (§8.8, §10.8), and ends on a timer when its time is up (§8.9).
import { ok, StatusError, type Answer } from '../answers.ts';
import { checked, credentialFields, credentials, durationSeconds, uses } from '../fields.ts';
import type { GoStruct } from '../go-json.ts';
import { requireCreated, withCredentials, type Call } from '../handler.ts';

export const delegateRequest = {
  ...withCredentials,
  Uses: 'int',
  Time: 'string',
  Slot: 'string',
  Users: 'strings',
  Labels: 'strings',
  OrderNum: 'string',
  Anyone: 'bool',
} as const satisfies GoStruct;

/**
 * An owner delegates their key. With `OrderNum` (our addition) the delegation approves that order
 * only: it serves that order's ciphertext for its requester and ends with the order; Users and
 * Labels then come from the order. `Slot` (several delegations per person) is not supported.
 */
export async function delegate({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  if (request.string('Slot') !== '')
    throw new StatusError('E_RO_FIELD', 'Slot is not supported: each person has one delegation (a new one replaces it), plus one per order they approve');
  const seconds = durationSeconds(request, 'Time', 'Time is required: how long the delegation lasts, a Go duration such as 1h or 30m');
  const count = uses(request, 'Uses is required: how many decryptions the delegation serves (at least 1)');
  const orderNum = request.string('OrderNum');
  if (orderNum !== '') {
    const params = checked(
      'vault.approve',
      { credentials: credentials(request), orderId: orderNum, seconds, uses: count },
      { ...credentialFields, orderId: 'OrderNum' },
    );
    await vault.approve(params.credentials, source, { orderId: params.orderId, seconds: params.seconds, uses: params.uses });
    return ok();
  }
  // `ro delegate` without -users sends no Users (a stray comma in -users, an empty name): nobody named.
  const users = request.strings('Users').filter((name) => name !== '');
  const anyone = request.bool('Anyone');
  if (users.length === 0 && !anyone) {
    throw new StatusError(
      'E_RO_USERS_REQUIRED',
      'Users required when delegating: add -users NAME (who may use this delegation, e.g. ro delegate -users bob,carol)',
      {
        detail: 'Red October let every account use a delegation that names nobody; here that takes "Anyone": true in the request',
      },
    );
  }
  if (users.length > 0 && anyone) throw new StatusError('E_RO_FIELD', 'send either Users or "Anyone": true, not both');
  const params = checked(
    'vault.delegate',
    { credentials: credentials(request), seconds, uses: count, users, anyone, labels: request.strings('Labels') },
    { ...credentialFields, users: 'Users', labels: 'Labels' },
  );
  // The vault names unknown requesters only after the password checked out; Red October's words.
  try {
    await vault.delegate(params.credentials, source, {
      seconds: params.seconds,
      uses: params.uses,
      users: params.users,
      anyone: params.anyone,
      labels: params.labels,
    });
  } catch (err) {
    if ((err as { code?: string }).code !== 'E_VAULT_NO_USER') throw err;
    throw new StatusError('E_VAULT_NO_USER', `User(s) not present: ${params.users.filter((name) => !vault.accounts.get(name)).join(', ')}`);
  }
  return ok();
}

/** An admin ends every delegation now. */
export async function purge({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  await vault.purge(credentials(request), source);
  return ok();
}

/**
 * Live delegations and accounts, Red October's shape (not wrapped in Response): `Live` keyed by name,
 * or `name-<order number>` for an order's approval (RO's `name-slot`), with Uses, Labels, Users,
 * Expiry (RFC 3339), Admin, Type (plus our `Anyone` and `OrderNum`); `All` keyed by name with Admin
 * and Type. `State` is the persistence state, as /status tells it.
 */
export async function summary({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  await vault.accounts.authenticate(credentials(request), source);
  const { live, users } = vault.summary();
  const accounts = new Map(users.map((user) => [user.name, user]));
  const entries = live
    .map((d) => {
      const account = accounts.get(d.owner);
      const entry = {
        Uses: d.uses,
        Labels: d.labels,
        Users: d.anyone ? [] : d.users,
        Anyone: d.anyone,
        Expiry: new Date(d.expiresAt).toISOString(),
        Admin: account?.admin ?? false,
        Type: account?.type ?? '',
        ...(d.orderId === null ? {} : { OrderNum: d.orderId }),
      };
      return [d.orderId === null ? d.owner : `${d.owner}-${d.orderId}`, entry] as const;
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    Status: 'ok',
    State: vault.persistState,
    Live: Object.fromEntries(entries),
    // A pending account can do nothing yet: Red October clients see it once approved.
    All: Object.fromEntries(users.filter((user) => user.pendingUntil === null).map((user) => [user.name, { Admin: user.admin, Type: user.type }])),
  };
}
