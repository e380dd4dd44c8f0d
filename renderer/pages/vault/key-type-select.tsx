// The key type of a new account. Label and select are siblings: a label around a select would
// make the select's current option part of its accessible name ("Key type ECC (P-256)").
import { useId } from 'react';

export type KeyType = 'ECC' | 'RSA';

export function KeyTypeSelect({ value, onChange }: { value: KeyType; onChange(type: KeyType): void }) {
  const id = useId();
  return (
    <div className="vault-field">
      <label htmlFor={id}>Key type</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value as KeyType)}>
        <option value="ECC">ECC (P-256)</option>
        <option value="RSA">RSA</option>
      </select>
    </div>
  );
}
