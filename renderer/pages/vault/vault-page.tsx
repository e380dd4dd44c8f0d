import { EmptyState } from '../../components/empty-state.tsx';

export function VaultPage() {
  return (
    <EmptyState title="The Vault engine is not part of this build yet">
      It will hold secrets that decrypt only under the two-person rule: two operators approve each decryption here, and
      every approval is on record.
    </EmptyState>
  );
}
