// The theme choice: dark, light, or the system's. "system" leaves <html> without data-theme, so
// the stylesheet follows prefers-color-scheme on its own (see styles.css).

export type ThemeChoice = 'dark' | 'light' | 'system';

const storageKey = 'signalbox.theme';

export function loadTheme(): ThemeChoice {
  try {
    const stored = localStorage.getItem(storageKey);
    if (stored === 'dark' || stored === 'light') return stored;
  } catch {
    // Storage can be switched off; the system theme is the right default then.
  }
  return 'system';
}

export function saveTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(storageKey);
    else localStorage.setItem(storageKey, choice);
  } catch {
    // Without storage the choice holds for this page only; nothing else depends on it.
  }
}

export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}
