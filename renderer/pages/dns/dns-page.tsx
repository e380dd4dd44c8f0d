import { EmptyState } from '../../components/empty-state.tsx';

export function DnsPage() {
  return (
    <EmptyState title="The DNS engine is not part of this build yet">
      It will be a DNS proxy in front of your upstream resolvers, with rate limiting, a cache and load balancing, and
      its traffic shown live here.
    </EmptyState>
  );
}
