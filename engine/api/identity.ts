// Who makes a call: every call and subscription reaches the host's handlers with the caller the
// transport vouches for (a signed-in operator, an API token, the desktop's own user), and the role
// a procedure needs is declared next to it in this contract (contract.ts), so the host refuses it
// before any handler runs.
import { z } from 'zod';

/** Each role may do what the roles before it may (viewer < operator < approver < admin). */
export const roles = ['viewer', 'operator', 'approver', 'admin'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;

/** What each role is for, for a person choosing one. */
export const roleMeaning: Record<Role, string> = {
  viewer: 'reads every page',
  operator: 'also changes config, flushes caches, restarts engines, asks for vault decryptions',
  approver: 'also approves vault orders and delegates',
  admin: 'also manages operators, sessions and API tokens',
};

export const caller = z.object({
  /** The operator's name, or the API token's name for a machine. */
  name: z.string().min(1).max(64),
  role,
  /** How the caller got in: a console session, an API token, the desktop app's own user, the host itself. */
  via: z.enum(['session', 'token', 'desktop', 'host']),
});
export type Caller = z.infer<typeof caller>;

/** The host itself, calling its engine processes on its own behalf (not for an operator). */
export const hostCaller: Caller = { name: 'host', role: 'admin', via: 'host' };

/** The local user of the desktop app: the main process is trusted, its own frame is the admin. */
export const desktopCaller: Caller = { name: 'desktop', role: 'admin', via: 'desktop' };

export function hasRole(who: { role: Role }, needed: Role): boolean {
  return roles.indexOf(who.role) >= roles.indexOf(needed);
}
