// Wraps a form the signed-in role may not use: every control in it is disabled (a disabled
// fieldset), its title and a line above it name the role the procedure needs.
import type { ReactNode } from 'react';
import type { ProcedureName } from '../../engine/api/index.ts';
import { useCan } from '../api/identity.ts';
import { RoleNote } from './role-note.tsx';

export function RoleGate({ procedure, children }: { procedure: ProcedureName; children: ReactNode }) {
  const can = useCan(procedure);
  return (
    <fieldset disabled={!can.allowed} title={can.reason}>
      <RoleNote can={can} />
      {children}
    </fieldset>
  );
}
