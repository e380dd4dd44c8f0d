// Picks the transport: the preload bridge inside Electron, else the WebSocket of `serve`, whose
// token arrives in the URL fragment once and is then kept for this tab only (sessionStorage).
import { bridgeTransport } from './bridge.ts';
import { ApiClient } from './client.ts';
import { webSocketTransport } from './websocket.ts';

const tokenKey = 'signalbox.token';

export function connect(): ApiClient | { error: string } {
  if (window.signalbox) return new ApiClient(bridgeTransport(window.signalbox));
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const fromUrl = fragment.get('token');
  if (fromUrl) {
    sessionStorage.setItem(tokenKey, fromUrl);
    // The token leaves the address bar (and so history and screenshots) as soon as it is read.
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  const token = fromUrl ?? sessionStorage.getItem(tokenKey);
  if (!token) return { error: 'No access token: open the URL that `signalbox serve` printed (it ends in #token=…).' };
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return new ApiClient(webSocketTransport(`${scheme}//${window.location.host}/api`, token));
}
