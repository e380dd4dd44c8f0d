// One line per engine that is not ok, above every page: what is wrong, and a link to the page that
// shows more. Silent when everything is ok.
import type { HostHealth } from '../../engine/api/index.ts';
import { hrefOf, routes, type RouteId } from '../routes.ts';

export function HealthBanner({ health }: { health: HostHealth | null }) {
  const troubled = health?.engines.filter((engine) => engine.level !== 'ok') ?? [];
  if (!health || troubled.length === 0) return null;
  return (
    <div className="health-banner" role="status" data-testid="health-banner" data-level={health.level}>
      <ul>
        {troubled.map((engine) => {
          const page = routes.find((route) => route.id === engine.name)?.id as RouteId | undefined;
          return (
            <li key={engine.name} data-level={engine.level} data-testid={`health-${engine.name}`}>
              <strong>
                {engine.name} {engine.level}:
              </strong>{' '}
              {engine.reasons.join('; ')}
              {page && (
                <>
                  {' '}
                  <a href={hrefOf(page)}>Open {engine.name}</a>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
