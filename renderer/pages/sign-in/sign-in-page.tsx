// The sign-in form of `serve`'s console, and on a first start the setup form that creates the
// first admin with the one-time link's token. The host sets an HttpOnly session cookie.
import { useId, useState, type FormEvent } from 'react';

export function SignInPage({ setupToken, setupPending }: { setupToken: string | null; setupPending: boolean }) {
  const id = useId();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const setup = setupToken !== null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(setup ? '/auth/setup' : '/auth/sign-in', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(setup ? { setupToken, name, password } : { name, password }),
      });
      if (response.ok) {
        window.location.reload();
        return;
      }
      const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
      setError(`${body.message ?? `the host answered ${response.status}`}${body.code ? ` [${body.code}]` : ''}`);
    } catch (err) {
      setError(`The host does not answer: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="full-page">
      <form
        className="form sign-in"
        onSubmit={(event) => void submit(event)}
        aria-labelledby={`${id}-title`}
        data-testid={setup ? 'setup-form' : 'sign-in-form'}
      >
        <h1 id={`${id}-title`}>{setup ? 'Create the first admin' : 'Sign in to Signalbox'}</h1>
        {setup && <p className="muted">This link works once. The admin you create here can add the other operators.</p>}
        {!setup && setupPending && <p className="muted">No operator exists yet: open the setup link that signalbox serve printed.</p>}
        <label>
          <span>Name</span>
          <input
            type="text"
            autoComplete="username"
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
            autoFocus
            spellCheck={false}
            data-testid="sign-in-name"
          />
        </label>
        <label>
          <span>Password{setup ? ' (at least 10 characters)' : ''}</span>
          <input
            type="password"
            autoComplete={setup ? 'new-password' : 'current-password'}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
            data-testid="sign-in-password"
          />
        </label>
        <button type="submit" disabled={busy} data-testid="sign-in-submit">
          {busy ? 'Checking…' : setup ? 'Create admin and sign in' : 'Sign in'}
        </button>
        {error && (
          <p className="form-error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
