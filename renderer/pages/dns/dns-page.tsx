import { EmptyState } from '../../components/empty-state.tsx';

export function DnsPage() {
  return (
    <EmptyState title="The DNS console is not built yet">
      The DNS proxy forwards queries today: run it with <code>signalbox dns --listen ADDR:PORT --upstream ADDR:PORT</code>, or
      set <code>engines.dns.enabled</code> in the config. Rate limiting, the cache and the live query view come next.
    </EmptyState>
  );
}
