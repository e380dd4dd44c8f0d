// The header's "who is signed in": name and role, and Sign out (serve only: the desktop app's
// user is the local admin and has no session to end).
import { useContext } from 'react';
import { signOut } from '../api/connect.ts';
import { IdentityContext } from '../api/identity.ts';

export function SignedIn() {
  const identity = useContext(IdentityContext);
  if (!identity) return null;
  const { caller } = identity;
  return (
    <div className="signed-in" data-testid="signed-in" data-name={caller.name} data-role={caller.role}>
      <span>
        {caller.name} <span className="muted">· {caller.role}</span>
      </span>
      {caller.via === 'session' && (
        <button type="button" onClick={() => void signOut()} data-testid="sign-out">
          Sign out
        </button>
      )}
    </div>
  );
}
