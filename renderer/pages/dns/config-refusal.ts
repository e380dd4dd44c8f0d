// How the DNS config form reads a refusal of dns.configSet: per key, in the form's own words.
import { describeError, invalidFields } from '../../components/errors.ts';

/** The form's label of each key it writes, so a refusal names the field the operator sees. */
const labels: Record<string, string> = {
  'rrl.responsesPerSecond': 'Responses per second',
  'rrl.window': 'Window',
  'rrl.slip': 'Slip',
};

/** A refusal per key: "Window: at most 3600 (key rrl.window). Correct it and apply again." */
export function describeRefusal(err: unknown): string {
  const fields = Object.entries(invalidFields(err));
  if (fields.length === 0) return describeError(err);
  const said = fields.map(([key, what]) => `${labels[key] ?? key}: ${what} (key ${key})`).join('; ');
  return `${said}. Correct ${fields.length > 1 ? 'them' : 'it'} and apply again.`;
}
