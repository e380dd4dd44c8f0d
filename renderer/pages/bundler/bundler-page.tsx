import { EmptyState } from '../../components/empty-state.tsx';

export function BundlerPage() {
  return (
    <EmptyState title="The Bundler engine is not part of this build yet">
      Drop a certificate here to get every chain to a trusted root, ranked from the one to serve first to the last.
    </EmptyState>
  );
}
