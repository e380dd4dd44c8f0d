// Labels as chips: type one and press Enter (or a comma) to add it, Backspace in the empty field
// or its × to remove one.
import { useId, useState, type KeyboardEvent } from 'react';
import { isLabel } from './vault-contract.ts';

interface Props {
  labels: readonly string[];
  onChange(labels: string[]): void;
  disabled?: boolean;
  max?: number;
}

export function LabelsInput({ labels, onChange, disabled, max = 32 }: Props) {
  const id = useId();
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const add = (): boolean => {
    const label = draft.trim();
    if (!label) return false;
    if (!isLabel(label)) {
      setProblem(`"${label}" is not a label: letters, digits, _, . and -, at most 64.`);
      return false;
    }
    if (labels.length >= max) {
      setProblem(`At most ${max} labels.`);
      return false;
    }
    if (!labels.includes(label)) onChange([...labels, label]);
    setDraft('');
    setProblem(null);
    return true;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' || event.key === ',') {
      event.preventDefault();
      add();
    } else if (event.key === 'Backspace' && draft === '' && labels.length > 0) {
      onChange(labels.slice(0, -1));
    }
  };

  return (
    <div className="vault-field">
      <label htmlFor={`${id}-input`}>
        <span>Labels</span>
      </label>
      <div className="vault-chips">
        {labels.map((label) => (
          <span key={label} className="vault-chip">
            {label}
            <button type="button" aria-label={`Remove label ${label}`} onClick={() => onChange(labels.filter((l) => l !== label))} disabled={disabled}>
              ×
            </button>
          </span>
        ))}
        <input
          id={`${id}-input`}
          type="text"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          // A label still in the field when the form is sent counts too.
          onBlur={add}
          placeholder="label, Enter"
          size={12}
          spellCheck={false}
          autoComplete="off"
          disabled={disabled}
          aria-invalid={problem !== null}
          aria-describedby={problem ? `${id}-problem` : undefined}
        />
      </div>
      {problem && (
        <span id={`${id}-problem`} className="error">
          {problem}
        </span>
      )}
    </div>
  );
}
