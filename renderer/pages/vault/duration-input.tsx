// A span of time typed as a number and a unit; the vault takes whole seconds, 1 s to 7 days.
import { maxSeconds } from './vault-contract.ts';

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

/** Whole seconds, or what is wrong. */
export function durationSeconds(draft: DurationDraft, what: string): number | { error: string } {
  const amount = Number(draft.amount);
  const seconds = Math.round(amount * draft.unit);
  if (draft.amount.trim() === '' || !Number.isFinite(amount) || seconds < 1) return { error: `${what}: write a time of at least 1 second.` };
  if (seconds > maxSeconds) return { error: `${what}: at most 7 days.` };
  return seconds;
}

export function DurationInput({ label, value, onChange, disabled }: { label: string; value: DurationDraft; onChange(next: DurationDraft): void; disabled?: boolean }) {
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

/** A count of uses, 1 to 10,000. */
export function usesCount(text: string, max: number): number | { error: string } {
  const uses = Number(text);
  if (!Number.isInteger(uses) || uses < 1 || uses > max) return { error: `Uses: write a whole number from 1 to ${max.toLocaleString()}.` };
  return uses;
}
