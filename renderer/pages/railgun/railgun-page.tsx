import { EmptyState } from '../../components/empty-state.tsx';

export function RailgunPage() {
  return (
    <EmptyState title="The Railgun engine is not part of this build yet">
      It will run the Railgun delta link between origin and edge, sending only what changed between pages, and show
      the bytes it saves here.
    </EmptyState>
  );
}
