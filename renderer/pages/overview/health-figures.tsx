// Each engine's health and key figures side by side (q/s, hit ratio, upstreams, link, saved,
// open orders, trust data age), the engines this host leaves off with how to turn them on, and
// the switch for desktop notifications when an engine goes down.
import { useState } from 'react';
import type { EngineHealth, HealthFigure, HealthLevel, HostHealth } from '../../../engine/api/index.ts';
import { Badge, type Tone } from '../../components/badge.tsx';
import { formatCount, formatLatency, formatRate, percentParts } from '../../components/format.ts';

const tone: Record<HealthLevel, Tone> = { ok: 'ok', degraded: 'warn', down: 'bad' };

function figureParts(figure: HealthFigure): { value: string; unit?: string } {
  if (figure.unit === 'text' || figure.value === null) return { value: figure.text ?? '—' };
  switch (figure.unit) {
    case 'per second':
      return { value: formatRate(figure.value), unit: '/s' };
    case 'ratio':
      return percentParts(figure.value);
    case 'ms':
      return { value: formatLatency(figure.value), unit: 'ms' };
    case 'days':
      return { value: formatCount(figure.value), unit: 'days' };
    default:
      return { value: formatCount(figure.value) };
  }
}

function EngineCard({ engine }: { engine: EngineHealth }) {
  return (
    <article className="health-card" data-testid={`health-card-${engine.name}`} data-level={engine.level} aria-labelledby={`health-card-${engine.name}-title`}>
      <h3 id={`health-card-${engine.name}-title`}>
        {engine.name} <Badge tone={tone[engine.level]}>{engine.level}</Badge>
      </h3>
      {engine.figures.length > 0 && (
        <dl>
          {engine.figures.map((figure) => {
            const { value, unit } = figureParts(figure);
            return (
              <div key={figure.label}>
                <dt>{figure.label}</dt>
                <dd>
                  {value}
                  {unit && <span className="unit">{unit}</span>}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
      {engine.reasons.length > 0 && (
        <ul className="health-reasons">
          {engine.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
    </article>
  );
}

export function HealthFigures({ health }: { health: HostHealth | null }) {
  if (!health) return <p className="muted">Waiting for the host to check the engines…</p>;
  return (
    <>
      <div className="health-cards">
        {health.engines.map((engine) => (
          <EngineCard key={engine.name} engine={engine} />
        ))}
      </div>
      {health.disabled.length > 0 && (
        <details className="health-disabled" data-testid="health-disabled">
          <summary>Not enabled on this host: {health.disabled.map((engine) => engine.name).join(', ')}</summary>
          <p className="muted">
            Add to <code>signalbox.yaml</code> in the data folder (or the file given with <code>--config</code>) and start the host again:
          </p>
          {health.disabled.map((engine) => (
            <pre key={engine.name} className="engine-snippet">
              {engine.enable}
            </pre>
          ))}
        </details>
      )}
      <NotificationSwitch />
    </>
  );
}

/** Desktop notifications for engines going down: the permission is the browser's (or Electron's) to give. */
function NotificationSwitch() {
  const supported = typeof Notification !== 'undefined';
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  if (!supported) return null;
  if (permission === 'granted') return <p className="muted health-notify">Desktop notifications are on: you are told when an engine goes down.</p>;
  if (permission === 'denied')
    return (
      <p className="muted health-notify">
        Desktop notifications are blocked for this console; allow them in the browser's site settings to be told when an engine goes down.
      </p>
    );
  return (
    <p className="health-notify">
      <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
        Notify me when an engine goes down
      </button>
    </p>
  );
}
