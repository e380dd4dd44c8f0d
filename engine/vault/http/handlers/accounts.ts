// /create, /create-user, /password, /modify, /export: accounts. Stricter than Red October where it
// was lax (spec §8, §10): accounts are created by an admin only, a password is always checked, new
// passwords have at least 10 characters, and nothing secret is exported.
import { ok, StatusError, type Answer } from '../answers.ts';
import { checked, credentials, userType } from '../fields.ts';
import type { GoStruct } from '../go-json.ts';
import { requireCreated, withCredentials, type Call } from '../handler.ts';

export const createRequest = { ...withCredentials, UserType: 'string' } as const satisfies GoStruct;
export const createUserRequest = {
  ...withCredentials,
  UserType: 'string',
  HipchatName: 'string',
  AdminName: 'string',
  AdminPassword: 'string',
} as const satisfies GoStruct;
export const passwordRequest = { ...withCredentials, NewPassword: 'string', HipchatName: 'string' } as const satisfies GoStruct;
export const modifyRequest = { ...withCredentials, ToModify: 'string', Command: 'string' } as const satisfies GoStruct;

/** The first account of an empty vault, an admin. Red October's keys are RSA unless UserType says ECC. */
export async function create({ vault, request }: Call): Promise<Answer> {
  const { name, password, type } = checked(
    'vault.create',
    { name: request.string('Name'), password: request.string('Password'), type: userType(request) },
    { name: 'Name', password: 'Password', type: 'UserType' },
  );
  await vault.accounts.create(name, password, type);
  vault.emit('change', 'users');
  return ok();
}

/**
 * Red October let anyone who could reach it register (spec §10.13), and `ro create-user` sends no
 * admin's credentials. With `AdminName` and `AdminPassword` (an admin's) the account is made at
 * once. Without them it depends on engines.vault.registration: `approval` (default) makes a pending
 * account that can do nothing until an admin approves it (/modify with Command "approve"), `open`
 * makes it at once (Red October's behaviour), `admin` refuses. `HipchatName` is accepted and
 * ignored (this vault sends no chat notifications).
 */
export async function createUser({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  const admin = { name: request.string('AdminName'), password: request.string('AdminPassword') };
  if (admin.name === '' && admin.password === '' && vault.accounts.registration !== 'admin') {
    const params = checked(
      'vault.create',
      { name: request.string('Name'), password: request.string('Password'), type: userType(request) },
      { name: 'Name', password: 'Password', type: 'UserType' },
    );
    const { pending } = await vault.accounts.register(params.name, params.password, params.type, source);
    vault.emit('change', 'users');
    return pending ? { ...ok(), Detail: `the account ${params.name} waits for an admin's approval; it can do nothing before` } : ok();
  }
  if (admin.name === '' || admin.password === '') {
    throw new StatusError('E_RO_ADMIN_REQUIRED', "an admin creates accounts here: add AdminName and AdminPassword (an admin's credentials) to the request");
  }
  const params = checked(
    'vault.createUser',
    { admin, name: request.string('Name'), password: request.string('Password'), type: userType(request) },
    { 'admin.name': 'AdminName', 'admin.password': 'AdminPassword', name: 'Name', password: 'Password', type: 'UserType' },
  );
  await vault.accounts.createUser(params.admin, source, params.name, params.password, params.type);
  vault.emit('change', 'users');
  return ok();
}

/**
 * Re-wraps the caller's key under `NewPassword`. Red October skipped the password check when
 * NewPassword was empty and wrote HipchatName (spec §8.2); here the password is always checked and
 * an empty NewPassword changes nothing.
 */
export async function password({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  const newPassword = request.string('NewPassword');
  if (newPassword === '') {
    await vault.accounts.authenticate(credentials(request), source);
    throw new StatusError('E_RO_FIELD', 'NewPassword is empty: nothing was changed (this vault keeps no HipchatName)');
  }
  const params = checked('vault.changePassword', { ...credentials(request), newPassword }, { name: 'Name', password: 'Password', newPassword: 'NewPassword' });
  await vault.accounts.changePassword({ name: params.name, password: params.password }, source, params.newPassword);
  return ok();
}

const commands = ['admin', 'revoke', 'delete', 'approve', 'reject'] as const;

/**
 * An admin makes another account an admin, revokes that, or deletes it (the last admin stays), or
 * approves or rejects a pending account (Red October had no such state).
 */
export async function modify({ vault, source, request }: Call): Promise<Answer> {
  requireCreated(vault);
  const command = request.string('Command');
  if (!(commands as readonly string[]).includes(command))
    throw new StatusError('E_RO_FIELD', `core: unknown command '${command}' passed to modify`, {
      detail: 'Command is admin, revoke, delete, approve or reject',
    });
  const params = checked(
    'vault.modify',
    { admin: credentials(request), target: request.string('ToModify'), command: command as (typeof commands)[number] },
    { 'admin.name': 'Name', 'admin.password': 'Password', target: 'ToModify' },
  );
  await vault.accounts.modify(params.admin, source, params.target, params.command);
  vault.emit('change', 'users');
  return ok();
}

/** Red October's /export handed out the vault file with its HMAC key in clear (spec §8.16). */
export function exportVault(): Answer {
  throw new StatusError(
    'E_RO_UNSUPPORTED',
    "export is not supported: the vault's secrets never leave the server (back up the vault file itself; its keys are sealed under each user's password)",
  );
}
