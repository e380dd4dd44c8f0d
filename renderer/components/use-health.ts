// The host's health (host.watchHealth), and a desktop notification when an engine goes down, if
// the operator turned notifications on (the browser's and Electron's Notification API alike).
import { useEffect, useRef, useState } from 'react';
import type { HealthLevel, HostHealth } from '../../engine/api/index.ts';
import type { ApiClient } from '../api/client.ts';

export function useHealth(client: ApiClient): HostHealth | null {
  const [health, setHealth] = useState<HostHealth | null>(null);
  const levels = useRef(new Map<string, HealthLevel>());
  useEffect(
    () =>
      client.subscribe('host.watchHealth', {}, (next) => {
        for (const engine of next.engines) {
          const before = levels.current.get(engine.name);
          if (before !== undefined && before !== 'down' && engine.level === 'down') notifyDown(engine.name, engine.reasons[0] ?? 'down');
          levels.current.set(engine.name, engine.level);
        }
        setHealth(next);
      }),
    [client],
  );
  return health;
}

function notifyDown(engine: string, reason: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  new Notification(`Signalbox: ${engine} is down`, { body: reason, tag: `signalbox-${engine}` });
}
