// What the console's self-signed certificate (serve --tls-self-signed) is for: the host names it
// covers, and a subject that says, to a person reading it in a browser's certificate viewer or
// with `openssl x509 -subject`, that this is the Signalbox console of those names. Browsers match
// the names in subjectAltName only (RFC 6125 §6.4.4); the subject is for people.

/** Listen addresses that mean "every interface": no client reaches the console by them. */
const wildcards = new Set(['0.0.0.0', '::']);

/** RFC 5280 Appendix A.1: ub-common-name is 64 characters. */
const maxCommonName = 64;

/** The names the certificate covers: the configured ones first, then loopback, each once. */
export function consoleCertificateNames(configured: readonly string[]): string[] {
  return [...new Set([...configured.filter((name) => !wildcards.has(name)), 'localhost', '127.0.0.1'])];
}

/**
 * `Signalbox console for a b c`, as many names as fit in 64 characters and `+N more` for the
 * rest; spaces between them, as a comma would be escaped in every printed DN (RFC 4514 §2.4).
 */
export function consoleCommonName(names: readonly string[]): string {
  const prefix = 'Signalbox console';
  for (let shown = names.length; shown > 0; shown--) {
    const rest = names.length - shown;
    const text = `${prefix} for ${names.slice(0, shown).join(' ')}${rest > 0 ? ` +${rest} more` : ''}`;
    if (text.length <= maxCommonName) return text;
  }
  return names.length > 0 ? `${prefix} +${names.length} names` : prefix;
}
