// Who may decrypt: M of N owners, one owner of a left set with one of a right set, or a
// predicate in Red October's syntax. Owners come from the vault's accounts.
import { useId } from 'react';
import { NamePicker } from './name-picker.tsx';
import type { AccessStructure } from './vault-contract.ts';

export type AccessKind = AccessStructure['kind'];

export interface AccessDraft {
  kind: AccessKind;
  owners: string[];
  minimum: number;
  left: string[];
  right: string[];
  predicate: string;
}

export const emptyAccess: AccessDraft = { kind: 'owners', owners: [], minimum: 2, left: [], right: [], predicate: '' };

/** The contract's access structure, or what is missing. */
export function accessOf(draft: AccessDraft): AccessStructure | { error: string } {
  switch (draft.kind) {
    case 'owners': {
      if (draft.owners.length === 0) return { error: 'Owners: choose at least one.' };
      const minimum = Math.min(Math.max(1, draft.minimum), draft.owners.length);
      return { kind: 'owners', owners: draft.owners, minimum };
    }
    case 'left-right':
      if (draft.left.length === 0 || draft.right.length === 0) return { error: 'Left and right: choose at least one owner on each side.' };
      return { kind: 'left-right', left: draft.left, right: draft.right };
    case 'predicate':
      if (!draft.predicate.trim()) return { error: 'Predicate: write one, e.g. alice & (bob | carol).' };
      return { kind: 'predicate', predicate: draft.predicate.trim() };
  }
}

const kinds: { kind: AccessKind; label: string }[] = [
  { kind: 'owners', label: 'M of N owners' },
  { kind: 'left-right', label: 'Left × right' },
  { kind: 'predicate', label: 'Predicate' },
];

interface Props {
  names: readonly string[];
  value: AccessDraft;
  onChange(next: AccessDraft): void;
  disabled?: boolean;
}

export function AccessPicker({ names, value, onChange, disabled }: Props) {
  const id = useId();
  const set = (patch: Partial<AccessDraft>) => onChange({ ...value, ...patch });
  const minimum = Math.min(Math.max(1, value.minimum), Math.max(1, value.owners.length));

  return (
    <fieldset className="vault-access" disabled={disabled}>
      <legend>Who can decrypt</legend>
      <div className="form-row" role="radiogroup" aria-label="Access kind">
        {kinds.map(({ kind, label }) => (
          <label key={kind} className="check">
            <input type="radio" name={`${id}-kind`} value={kind} checked={value.kind === kind} onChange={() => set({ kind })} />
            {label}
          </label>
        ))}
      </div>
      {value.kind === 'owners' && (
        <div className="form-row">
          <NamePicker legend="Owners" names={names} chosen={value.owners} onChange={(owners) => set({ owners })} testId="vault-owners-picker" />
          <div className="vault-field">
            <label htmlFor={`${id}-minimum`}>Owners needed</label>
            <select
              id={`${id}-minimum`}
              value={minimum}
              onChange={(event) => set({ minimum: Number(event.target.value) })}
              disabled={value.owners.length === 0}
            >
              {Array.from({ length: Math.max(1, value.owners.length) }, (_, i) => i + 1).map((m) => (
                <option key={m} value={m}>
                  {m} of {value.owners.length || '…'}
                </option>
              ))}
            </select>
          </div>
          {value.owners.length > 0 && minimum === 1 && <p className="warn-text">Any one owner alone can decrypt: no two-person rule.</p>}
        </div>
      )}
      {value.kind === 'left-right' && (
        <div className="form-row">
          <NamePicker legend="Left" names={names} chosen={value.left} onChange={(left) => set({ left })} testId="vault-left-picker" />
          <span aria-hidden="true">×</span>
          <NamePicker legend="Right" names={names} chosen={value.right} onChange={(right) => set({ right })} testId="vault-right-picker" />
          <p className="muted">One owner from the left and a different one from the right must agree.</p>
        </div>
      )}
      {value.kind === 'predicate' && (
        <label>
          <span>Predicate: names with &amp; (and), | (or) and parentheses, or a threshold tree (2, alice, bob, carol)</span>
          <input
            type="text"
            value={value.predicate}
            onChange={(event) => set({ predicate: event.target.value })}
            spellCheck={false}
            autoComplete="off"
            size={40}
            placeholder="alice & (bob | carol)"
          />
        </label>
      )}
    </fieldset>
  );
}

/** An access structure as a sentence. */
export function describeAccess(access: AccessStructure): string {
  switch (access.kind) {
    case 'owners':
      return `${access.minimum} of ${access.owners.join(', ')}`;
    case 'left-right':
      return `one of ${access.left.join(', ')} with one of ${access.right.join(', ')}`;
    case 'predicate':
      return access.predicate;
  }
}
