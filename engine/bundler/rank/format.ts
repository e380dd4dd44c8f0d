// Small formatting helpers for the explanations and warnings.

/** YYYY-MM-DD (UTC); with the time when two dates compared fall on the same day. */
export function day(d: Date, other?: Date): string {
  const iso = d.toISOString();
  if (other !== undefined && iso.slice(0, 10) === other.toISOString().slice(0, 10)) return `${iso.slice(0, 19)}Z`;
  return iso.slice(0, 10);
}

/** "#2 (CN=Example CA)": certificates are numbered from 1 at the leaf, as cfssl's messages number them. */
export function certLabel(index: number, subject: string): string {
  return `#${index + 1} (${subject})`;
}

export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').toLowerCase();
}

export function list(names: readonly string[]): string {
  return names.join(', ');
}
