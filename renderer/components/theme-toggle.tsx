import { useState } from 'react';
import { applyTheme, loadTheme, saveTheme, type ThemeChoice } from './theme.ts';

const choices: { value: ThemeChoice; label: string }[] = [
  { value: 'dark', label: 'Dark' },
  { value: 'light', label: 'Light' },
  { value: 'system', label: 'System' },
];

export function ThemeToggle() {
  const [choice, setChoice] = useState(loadTheme);
  const choose = (next: ThemeChoice) => {
    setChoice(next);
    saveTheme(next);
    applyTheme(next);
  };
  return (
    <div className="segmented" role="group" aria-label="Theme" data-testid="theme-toggle">
      {choices.map(({ value, label }) => (
        <button key={value} type="button" aria-pressed={choice === value} onClick={() => choose(value)}>
          {label}
        </button>
      ))}
    </div>
  );
}
