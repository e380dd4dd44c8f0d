// Who the console is signed in as, and what their role may do (host.whoami: the host decides from
// the roles declared in engine/api; the console only disables what would be refused anyway).
import { createContext, useContext } from 'react';
import type { ResponseOf } from '../../engine/api/index.ts';

export type Identity = ResponseOf<'host.whoami'>;

export const IdentityContext = createContext<Identity | null>(null);

/** Whether the signed-in role may use a procedure, and if not, what to tell the person (not yet known: not allowed). */
export function useMay(name: string): { allowed: boolean; reason: string | undefined } {
  const identity = useContext(IdentityContext);
  if (!identity) return { allowed: false, reason: 'Checking what your role may do…' };
  const allowed = identity.allowed.includes(name);
  return { allowed, reason: allowed ? undefined : `Your role (${identity.caller.role}) may not do this; an admin can give you another.` };
}
