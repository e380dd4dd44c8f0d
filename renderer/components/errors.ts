// What a failed call tells a person: the host's message, its stable code, and what to do next.
import type { ErrorCodeName } from '../../engine/api/error-codes.ts';
import { ErrorCode } from '../../engine/api/errors.ts';
import { ClientError } from '../api/client.ts';

const nextStep: Partial<Record<ErrorCodeName, string>> = {
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
    const hint = nextStep[err.code as ErrorCodeName] ?? "Try again; if it keeps failing, check the host's log.";
    return `${err.message} [${err.code}].${hint ? ` ${hint}` : ''}`;
  }
  return `${err instanceof Error ? err.message : String(err)}. Try again; if it keeps failing, check the host's log.`;
}

/**
 * The config keys an E_INVALID_PARAMS answer names, each with what it takes (engine/host/rpc.ts
 * describeIssues): "dns.configSet: config.rrl.window: at most 3600; config.rrl.slip: …" gives
 * { 'rrl.window': 'at most 3600', 'rrl.slip': '…' }.
 */
export function invalidFields(err: unknown): Record<string, string> {
  if (!(err instanceof ClientError) || err.code !== ErrorCode.invalidParams) return {};
  const fields: Record<string, string> = {};
  for (const issue of err.message.replace(/^[\w.]+: /, '').split('; ')) {
    const match = /^config\.([\w.]+): (.*)$/s.exec(issue);
    if (match) fields[match[1]!] ??= match[2]!;
  }
  return fields;
}
