// What a failed validation says to a person, per key: zod's own text ("Too big: expected number to
// be <=3600") reads like a stack trace in a form; these say what the key takes instead.
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

const things: Record<string, string> = { string: 'characters', array: 'items', set: 'items', file: 'bytes' };

function bound(issue: { origin: string; inclusive?: boolean }, word: 'most' | 'least', limit: number | bigint): string {
  const unit = things[issue.origin];
  if (unit) return `${issue.inclusive === false ? (word === 'most' ? 'fewer than' : 'more than') : `at ${word}`} ${limit} ${unit}`;
  if (issue.inclusive === false) return `${word === 'most' ? 'less' : 'more'} than ${limit}`;
  return `at ${word} ${limit}`;
}

const kinds: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map of keys',
};

/** One issue in plain words, without its path (the caller names the key). */
export function plainIssue(issue: Issue): string {
  switch (issue.code) {
    case 'too_big':
      return bound(issue, 'most', issue.maximum);
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return bound(issue, 'least', issue.minimum);
    case 'invalid_type': {
      const wanted = kinds[issue.expected] ?? issue.expected;
      // zod leaves the input out of issues; its message ends "received undefined" for a missing key.
      return /received undefined$/.test(issue.message) ? `missing: give ${wanted}` : `write ${wanted}`;
    }
    case 'invalid_value':
      return `one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
    case 'not_multiple_of':
      return `a multiple of ${issue.divisor}`;
    default:
      // Our own refinements (custom, formats) already say what to write.
      return issue.message;
  }
}
