// The console's entry: picks the transport (or shows the sign-in form), learns who is signed in,
// then renders the app (or why it cannot start).
import './styles.css';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { ApiClient } from './api/client.ts';
import { start, type Start } from './api/connect.ts';
import { IdentityContext, type Identity } from './api/identity.ts';
import { App } from './app.tsx';
import { FullPageMessage } from './components/full-page-message.tsx';
import { applyTheme, loadTheme } from './components/theme.ts';
import { SignInPage } from './pages/sign-in/sign-in-page.tsx';

// Before the first render, so a stored light/dark choice never flashes the other theme.
applyTheme(loadTheme());

/** Asks the host who this connection is each time it (re)opens: a role may have changed meanwhile. */
function SignedInApp({ client }: { client: ApiClient }) {
  const [identity, setIdentity] = useState<Identity | null>(null);
  useEffect(() => {
    const ask = () => {
      if (client.connection().status === 'open') client.call('host.whoami', {}).then(setIdentity, () => {});
    };
    ask();
    return client.onConnection(ask);
  }, [client]);
  return (
    <IdentityContext.Provider value={identity}>
      <App client={client} />
    </IdentityContext.Provider>
  );
}

function Boot() {
  const [state, setState] = useState<Start | null>(null);
  useEffect(() => {
    void start().then(setState);
  }, []);
  if (!state) return null;
  if (state.kind === 'error') return <FullPageMessage title="Signalbox cannot reach its host">{state.error}</FullPageMessage>;
  if (state.kind === 'sign-in') return <SignInPage setupToken={state.setupToken} setupPending={state.setupPending} />;
  return <SignedInApp client={state.client} />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Boot />
  </StrictMode>,
);
