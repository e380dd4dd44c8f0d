// The console's entry: picks the transport, then renders the app (or why it cannot start).
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connect } from './api/connect.ts';
import { App } from './app.tsx';
import { FullPageMessage } from './components/full-page-message.tsx';
import { applyTheme, loadTheme } from './components/theme.ts';

// Before the first render, so a stored light/dark choice never flashes the other theme.
applyTheme(loadTheme());

const client = connect();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {'error' in client ? (
      <FullPageMessage title="Signalbox cannot reach its host">{client.error}</FullPageMessage>
    ) : (
      <App client={client} />
    )}
  </StrictMode>,
);
