// Picks the transport: the preload bridge inside Electron (its user is the host's admin), else the
// WebSocket of `serve`, which carries the session cookie the sign-in set (HttpOnly: this code
// never sees it). Before connecting, /auth/me says whether this browser is signed in.
import { bridgeTransport } from './bridge.ts';
import { ApiClient } from './client.ts';
import { webSocketTransport } from './websocket.ts';

export type Start =
  | { kind: 'ready'; client: ApiClient }
  /** Not signed in: show the sign-in form, or the first admin's setup form with its token. */
  | { kind: 'sign-in'; setupToken: string | null; setupPending: boolean }
  | { kind: 'error'; error: string };

export async function start(): Promise<Start> {
  if (window.signalbox) return { kind: 'ready', client: new ApiClient(bridgeTransport(window.signalbox)) };
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const setupToken = fragment.get('setup');
  // The setup token leaves the address bar (and so history and screenshots) as soon as it is read.
  if (setupToken) history.replaceState(null, '', window.location.pathname + window.location.search);
  let me: Response;
  try {
    me = await fetch('/auth/me', { credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    return { kind: 'error', error: `The host does not answer (${err instanceof Error ? err.message : String(err)}); is signalbox serve running?` };
  }
  if (!me.ok) return { kind: 'error', error: `The host answered ${me.status} to /auth/me: ${await me.text()}` };
  const who = (await me.json()) as { signedIn: boolean; setup?: boolean };
  if (!who.signedIn) return { kind: 'sign-in', setupToken, setupPending: who.setup === true };
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { kind: 'ready', client: new ApiClient(webSocketTransport(`${scheme}//${window.location.host}/api`)) };
}

export async function signOut(): Promise<void> {
  await fetch('/auth/sign-out', { method: 'POST', credentials: 'same-origin' });
  window.location.reload();
}
