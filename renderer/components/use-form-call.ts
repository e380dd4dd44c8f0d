// The one call a form sends, and what it says about it: busy while the call runs, then its result
// or its error (shown by FormStatus). Each attempt replaces what the last one said.
import { useState } from 'react';
import { describeError } from './errors.ts';

export interface FormCall {
  busy: boolean;
  result: string | null;
  error: string | null;
  /** Shows a result that is not a call's (a hint), clearing the error. */
  say(result: string | null): void;
  /** Shows what is wrong before anything is sent. */
  fail(message: string): void;
  /** Sends: `work` returns the result to show, if any; a failure shows as "<failure>: <what went wrong and what to do>". */
  run(failure: string, work: () => Promise<string | void>): Promise<void>;
}

export function useFormCall(describe: (err: unknown) => string = describeError): FormCall {
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<{ result: string | null; error: string | null }>({ result: null, error: null });
  const say = (result: string | null) => setSaid({ result, error: null });
  const fail = (error: string) => setSaid({ result: null, error });
  const run = async (failure: string, work: () => Promise<string | void>) => {
    setBusy(true);
    say(null);
    try {
      say((await work()) ?? null);
    } catch (err) {
      fail(`${failure}: ${describe(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return { busy, ...said, say, fail, run };
}
