// Why an engine could not start, from its state's lastError: the error as the engine saw it, its
// stable code, what to do, and whether the host is still trying (a port in use is not retried).
import type { EngineError } from '../../engine/api/index.ts';

export function EngineFailure({ engine, failure }: { engine: string; failure: EngineError }) {
  return (
    <p className="engine-failure" role="alert" data-testid={`engine-failure-${engine}`} data-code={failure.code}>
      <strong>The {engine} engine cannot start:</strong> <code>{failure.message}</code> [{failure.code}]. {capitalize(failure.hint)}.{' '}
      {failure.retrying ? 'The host keeps trying with backoff.' : 'The host stopped restarting it: fix this, then press Restart on the Overview.'}
    </p>
  );
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
