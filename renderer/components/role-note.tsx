// The line a form shows when the signed-in role may not use it: which role it needs (the
// disabled controls carry the same words as their title).
import type { Can } from '../api/identity.ts';

export function RoleNote({ can, testId }: { can: Can; testId?: string }) {
  if (can.allowed) return null;
  return (
    <p className="muted" data-testid={testId} data-needs-role={can.needs}>
      {can.reason}
    </p>
  );
}
