// What a failed call tells a person: the host's message, its stable code, and what to do next.
import { ClientError } from '../api/client.ts';

const nextStep: Record<string, string> = {
  E_CLOSED: 'Wait until the header shows Connected, then try again.',
  E_TIMEOUT: 'The host may still be working on it: check the current state before trying again.',
  // The host's own message already says what to do (enable it in the config, or wait a moment).
  E_ENGINE_UNAVAILABLE: '',
  E_UPGRADE_RUNNING: 'Wait for it to finish; its progress shows on the page.',
  // The host's message says to restart the engine instead.
  E_UPGRADE_UNSUPPORTED: '',
};

export function describeError(err: unknown): string {
  if (err instanceof ClientError) {
    const hint = nextStep[err.code] ?? "Try again; if it keeps failing, check the host's log.";
    return `${err.message} [${err.code}].${hint ? ` ${hint}` : ''}`;
  }
  return `${err instanceof Error ? err.message : String(err)}. Try again; if it keeps failing, check the host's log.`;
}
