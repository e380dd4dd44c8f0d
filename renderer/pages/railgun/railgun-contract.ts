// The Railgun side of the contract as the page uses it: the ranges the config form writes beside
// its fields (read off engine/api/railgun.ts's schema), and how the engine's refusals read.
import { railgunLimits, type RailgunLimits } from '../../../engine/api/index.ts';
import { ClientError } from '../../api/client.ts';
import { describeError, invalidFields } from '../../components/errors.ts';

export const limitRanges = Object.fromEntries(
  Object.entries(railgunLimits.shape).map(([key, field]) => {
    const number = field.unwrap();
    return [key, { min: number.minValue!, max: number.maxValue! }];
  }),
) as Record<keyof RailgunLimits, { min: number; max: number }>;

/** What to do after the engine refused a config, where its message does not say it already. */
const nextStep: Record<string, string> = {
  E_INVALID_PARAMS: 'Correct the field it names and apply again.',
  E_RAILGUN_CONFIG_REJECTED: 'The ends run with the config they had before: pick a free address (or fix what the message names) and apply again.',
};

export function describeRailgunError(err: unknown): string {
  if (err instanceof ClientError && err.code in nextStep) return `${err.message} [${err.code}]. ${nextStep[err.code]}`;
  return describeError(err);
}

/** The fields an E_INVALID_PARAMS answer names, each with what is wrong with it. */
export const fieldErrors = invalidFields;
