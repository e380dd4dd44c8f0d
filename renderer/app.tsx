// The app shell: page navigation on the left, the page title, connection and theme on top.
import { useEffect, type ComponentType } from 'react';
import type { ApiClient } from './api/client.ts';
import { ConnectionStatus } from './components/connection-status.tsx';
import { HealthBanner } from './components/health-banner.tsx';
import { useHealth } from './components/use-health.ts';
import { SignedIn } from './components/signed-in.tsx';
import { ThemeToggle } from './components/theme-toggle.tsx';
import { useCan } from './api/identity.ts';
import { BundlerPage } from './pages/bundler/bundler-page.tsx';
import { OperatorsPage } from './pages/operators/operators-page.tsx';
import { DnsPage } from './pages/dns/dns-page.tsx';
import { OverviewPage } from './pages/overview/overview-page.tsx';
import { RailgunPage } from './pages/railgun/railgun-page.tsx';
import { VaultPage } from './pages/vault/vault-page.tsx';
import { hrefOf, routes, useRoute, useRouteShortcuts, type RouteId } from './routes.ts';

const pages: Record<RouteId, ComponentType<{ client: ApiClient }>> = {
  overview: OverviewPage,
  dns: DnsPage,
  railgun: RailgunPage,
  vault: VaultPage,
  bundler: BundlerPage,
  operators: OperatorsPage,
};

export function App({ client }: { client: ApiClient }) {
  const route = useRoute();
  useRouteShortcuts();
  const label = routes.find((r) => r.id === route)!.label;
  const health = useHealth(client);
  const level = health?.level ?? 'ok';
  useEffect(() => {
    document.title = `${level === 'ok' ? '' : `[${level}] `}${label} · Signalbox`;
  }, [label, level]);
  const Page = pages[route];
  const mayManage = useCan('host.operators').allowed;

  return (
    <div className="shell">
      <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <nav className="sidebar" aria-label="Pages">
        <div className="brand">Signalbox</div>
        <ul>
          {routes
            .filter((r) => r.id !== 'operators' || mayManage)
            .map((r, index) => (
              <li key={r.id}>
                <a href={hrefOf(r.id)} aria-current={r.id === route ? 'page' : undefined} aria-keyshortcuts={`Alt+${index + 1}`} data-testid={`nav-${r.id}`}>
                  <span>{r.label}</span>
                  <NavHealth level={r.id === 'overview' ? health?.level : health?.engines.find((engine) => engine.name === r.id)?.level} />
                  <kbd aria-hidden="true">Alt {index + 1}</kbd>
                </a>
              </li>
            ))}
        </ul>
      </nav>
      <header className="topbar">
        <h1>{label}</h1>
        <ConnectionStatus client={client} />
        <SignedIn />
        <ThemeToggle />
      </header>
      <main id="main" tabIndex={-1}>
        <HealthBanner health={health} />
        <Page client={client} />
      </main>
    </div>
  );
}

/** A page's health in the navigation: nothing when ok, a marked word otherwise (never colour alone). */
function NavHealth({ level }: { level: string | undefined }) {
  if (!level || level === 'ok') return null;
  return (
    <span className="nav-health" data-level={level}>
      {level}
    </span>
  );
}
