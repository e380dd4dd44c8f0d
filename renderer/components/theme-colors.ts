// Canvas drawing needs real colours, but the theme's are CSS variables written with light-dark():
// a probe element resolves them the way the page would show them right now.
import { useEffect, useState } from 'react';

/** The colour a CSS variable resolves to under `host`, as rgb(...). */
export function resolveColor(variable: string, host: HTMLElement): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${variable})`;
  probe.style.display = 'none';
  host.append(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color;
}

/** Grows whenever the theme may have changed: the toggle (data-theme) or the system's scheme. */
export function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((n) => n + 1);
    const observer = new MutationObserver(bump);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', bump);
    return () => {
      observer.disconnect();
      scheme.removeEventListener('change', bump);
    };
  }, []);
  return version;
}
