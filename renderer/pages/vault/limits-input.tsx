// The two limits of a delegation: a span of time typed as a number and a unit (the vault takes
// whole seconds, 1 s to 7 days), and a number of uses.
import { maxSeconds, maxUses } from './vault-contract.ts';

const units = [
  { label: 'seconds', seconds: 1 },
  { label: 'minutes', seconds: 60 },
  { label: 'hours', seconds: 3600 },
  { label: 'days', seconds: 86_400 },
] as const;

export interface DurationDraft {
  amount: string;
  unit: number;
}

export function durationDraft(amount: number, unit: 'seconds' | 'minutes' | 'hours' | 'days'): DurationDraft {
  return { amount: String(amount), unit: units.find((u) => u.label === unit)!.seconds };
}

/** The limits as the vault takes them (whole seconds, a whole number of uses), or what is wrong. */
export function limitsOf(duration: DurationDraft, usesText: string): { seconds: number; uses: number } | { error: string } {
  const amount = Number(duration.amount);
  const seconds = Math.round(amount * duration.unit);
  if (duration.amount.trim() === '' || !Number.isFinite(amount) || seconds < 1) return { error: 'Time: write a time of at least 1 second.' };
  if (seconds > maxSeconds) return { error: 'Time: at most 7 days.' };
  const uses = Number(usesText);
  if (!Number.isInteger(uses) || uses < 1 || uses > maxUses) return { error: `Uses: write a whole number from 1 to ${maxUses.toLocaleString()}.` };
  return { seconds, uses };
}

export function DurationInput({
  label,
  value,
  onChange,
  disabled,
}: {
  label: string;
  value: DurationDraft;
  onChange(next: DurationDraft): void;
  disabled?: boolean;
}) {
  return (
    <fieldset className="vault-duration" disabled={disabled}>
      <legend>{label}</legend>
      <input
        type="number"
        inputMode="decimal"
        min={0}
        value={value.amount}
        onChange={(event) => onChange({ ...value, amount: event.target.value })}
        aria-label={`${label}, amount`}
        size={6}
      />
      <select value={value.unit} onChange={(event) => onChange({ ...value, unit: Number(event.target.value) })} aria-label={`${label}, unit`}>
        {units.map((unit) => (
          <option key={unit.label} value={unit.seconds}>
            {unit.label}
          </option>
        ))}
      </select>
    </fieldset>
  );
}

export function UsesInput({ value, onChange, disabled }: { value: string; onChange(next: string): void; disabled?: boolean }) {
  return (
    <label>
      <span>Uses</span>
      <input
        type="number"
        inputMode="numeric"
        min={1}
        max={maxUses}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        size={5}
        disabled={disabled}
      />
    </label>
  );
}
