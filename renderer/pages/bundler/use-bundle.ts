// Bundles whenever what goes in changes (files, passwords, flavor, time, domain) once typing
// pauses; only the answer to the latest request is shown. The last result stays on the screen
// while the next one is computed, so changing the flavor does not blank the page; a refusal
// clears it (it no longer matches the inputs), an engine restart or a lost connection does not:
// the request is sent again until the engine answers.
import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { isTransient, type BundleRequest, type BundleResult } from './bundler-contract.ts';

const settleMs = 300;
/** While the engine restarts or the connection is down, the same request is sent again this often. */
const retryMs = 2000;

export interface Bundling {
  result: BundleResult | null;
  /** Why the latest request failed as a whole; null when it succeeded or nothing was sent. */
  error: unknown;
  busy: boolean;
}

/** `request` null: nothing to bundle, and what was shown is cleared. `initial`: the answer shown when the page was left. */
export function useBundle(client: ApiClient, request: BundleRequest | null, initial: BundleResult | null = null): Bundling {
  const [result, setResult] = useState<BundleResult | null>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    const seq = ++latest.current;
    let retry: ReturnType<typeof setTimeout> | undefined;
    if (request === null) {
      setResult(null);
      setError(null);
      setBusy(false);
      return;
    }
    setBusy(true);
    const timer = setTimeout(() => {
      client.call('bundler.bundle', request).then(
        (answer) => {
          if (seq !== latest.current) return;
          setResult(answer);
          setError(null);
          setBusy(false);
        },
        (err: unknown) => {
          if (seq !== latest.current) return;
          if (isTransient(err)) retry = setTimeout(() => setGeneration((n) => n + 1), retryMs);
          else setResult(null);
          setError(err);
          setBusy(false);
        },
      );
    }, settleMs);
    return () => {
      clearTimeout(timer);
      clearTimeout(retry);
    };
  }, [client, request, generation]);

  return { result, error, busy };
}
