// The Railgun side of the contract as the page uses it: the ranges the config form writes beside
// its fields (copies of engine/api/railgun.ts, whose values the renderer may not import;
// test/renderer/railgun-contract.test.ts keeps them equal), and how the engine's refusals read.
import type { RailgunLimits } from '../../../engine/api/index.ts';
import { ClientError } from '../../api/client.ts';
import { describeError } from '../../components/errors.ts';

export const limitRanges: Record<keyof RailgunLimits, { min: number; max: number }> = {
  versionsPerKey: { min: 1, max: 64 },
  storeBytes: { min: 1024 * 1024, max: 8 * 1024 * 1024 * 1024 },
  maxDeltaBodyBytes: { min: 1024, max: 256 * 1024 * 1024 },
  deltaLevel: { min: 1, max: 22 },
  fullLevel: { min: 1, max: 22 },
  largeBodyBytes: { min: 1024, max: 256 * 1024 * 1024 },
  largeBodyLevel: { min: 1, max: 22 },
};

/** What to do after the engine refused a config, where its message does not say it already. */
const nextStep: Record<string, string> = {
  E_INVALID_PARAMS: 'Correct the field it names and apply again.',
  E_RAILGUN_CONFIG_REJECTED: 'The ends run with the config they had before: pick a free address (or fix what the message names) and apply again.',
};

export function describeRailgunError(err: unknown): string {
  if (err instanceof ClientError && err.code in nextStep) return `${err.message} [${err.code}]. ${nextStep[err.code]}`;
  return describeError(err);
}

/**
 * The fields an E_INVALID_PARAMS answer names, each with what is wrong with it:
 * "railgun.configSet: config.limits.deltaLevel: Too big: …; config.origin: write …" gives
 * { 'limits.deltaLevel': 'Too big: …', origin: 'write …' } (engine/host/rpc.ts describeIssues).
 */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ClientError) || err.code !== 'E_INVALID_PARAMS') return {};
  const issues = err.message.replace(/^railgun\.configSet: /, '').split('; ');
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const match = /^config\.([\w.]+): (.*)$/s.exec(issue);
    if (match) fields[match[1]!] ??= match[2]!;
  }
  return fields;
}
