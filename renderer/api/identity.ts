// Who the console is signed in as, and what their role may do. The host decides (host.whoami
// lists what the role may use, from the roles declared next to each procedure in engine/api); the
// console only disables what would be refused anyway, and names the role a control needs from the
// same declaration, so no page keeps a list of its own.
import { createContext, useContext } from 'react';
import { procedures, type ProcedureName, type ResponseOf, type Role } from '../../engine/api/index.ts';

export type Identity = ResponseOf<'host.whoami'>;

export const IdentityContext = createContext<Identity | null>(null);

export interface Can {
  allowed: boolean;
  /** The least role the procedure needs (engine/api). */
  needs: Role;
  /** Why the control is disabled, naming the role it needs; undefined when allowed (a `title` to set as is). */
  reason: string | undefined;
}

/** Whether the signed-in role may call `procedure`; until the host has said who this is, not allowed. */
export function useCan(procedure: ProcedureName): Can {
  const identity = useContext(IdentityContext);
  const needs = procedures[procedure].role;
  if (!identity) return { allowed: false, needs, reason: 'Checking what your role may do…' };
  if (identity.allowed.includes(procedure)) return { allowed: true, needs, reason: undefined };
  const { name, role } = identity.caller;
  return { allowed: false, needs, reason: `Needs the ${needs} role: ${name} has the ${role} role. An admin can change it on the Operators page.` };
}
