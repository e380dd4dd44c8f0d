// The console's pages as hash routes (#/overview, #/dns, ...), so a reload or a copied address
// opens the same page and the server only ever serves index.html.
import { useEffect, useSyncExternalStore } from 'react';

export const routes = [
  { id: 'overview', label: 'Overview' },
  { id: 'dns', label: 'DNS' },
  { id: 'railgun', label: 'Railgun' },
  { id: 'vault', label: 'Vault' },
  { id: 'bundler', label: 'Bundler' },
  /** Admins only: the nav hides it from other roles (app.tsx). */
  { id: 'operators', label: 'Operators' },
] as const;

export type RouteId = (typeof routes)[number]['id'];

export function hrefOf(id: RouteId): string {
  return `#/${id}`;
}

/** The page a location hash names; anything unknown (or empty) is the overview. */
export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/, 1)[0];
  return routes.find((route) => route.id === id)?.id ?? 'overview';
}

function onHashChange(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function useRoute(): RouteId {
  return useSyncExternalStore(onHashChange, () => routeFromHash(window.location.hash));
}

/** Alt+1..5 open the pages in nav order. */
export function useRouteShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      // event.code, not event.key: on macOS Alt+1 types "¡", but the physical key is still Digit1.
      const digit = /^Digit([1-9])$/.exec(event.code)?.[1];
      const route = digit ? routes[Number(digit) - 1] : undefined;
      if (!route) return;
      event.preventDefault();
      window.location.hash = hrefOf(route.id);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
