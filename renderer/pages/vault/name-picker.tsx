// A set of account names chosen with checkboxes, from the vault's accounts.
import { useId } from 'react';

interface Props {
  legend: string;
  names: readonly string[];
  chosen: readonly string[];
  onChange(chosen: string[]): void;
  disabled?: boolean;
  testId?: string;
}

export function NamePicker({ legend, names, chosen, onChange, disabled, testId }: Props) {
  const id = useId();
  const toggle = (name: string, on: boolean) => onChange(on ? names.filter((n) => n === name || chosen.includes(n)) : chosen.filter((n) => n !== name));
  return (
    <fieldset className="vault-picker" disabled={disabled} data-testid={testId} aria-describedby={names.length === 0 ? `${id}-none` : undefined}>
      <legend>{legend}</legend>
      {names.length === 0 && (
        <span id={`${id}-none`} className="muted">
          No accounts yet.
        </span>
      )}
      {names.map((name) => (
        <label key={name} className="check">
          <input type="checkbox" checked={chosen.includes(name)} onChange={(event) => toggle(name, event.target.checked)} value={name} />
          {name}
        </label>
      ))}
    </fieldset>
  );
}
