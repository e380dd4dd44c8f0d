// What a page of an engine's live numbers says while they are not live: before the first answer
// (asking, or why the asking fails), and after it (the engine restarting, calls failing, the host
// not connected), so the last numbers stay readable and are plainly marked.
import type { ClientError } from '../api/client.ts';
import { describeError } from './errors.ts';

interface Props {
  /** The engine as the page names it: "DNS", "Railgun". */
  engine: string;
  /** What the page polls, in words: "counters", "state". */
  what: string;
  /** The last poll's failure, or null. */
  error: unknown;
}

/** Before the engine's first answer. */
export function AwaitingEngine({ engine, what, error }: Props) {
  return error !== null ? (
    <p className="notice error" role="alert">
      Cannot read the {engine} engine's {what}: {describeError(error)} This page keeps trying.
    </p>
  ) : (
    <p className="muted">Asking the {engine} engine…</p>
  );
}

/** Above the last numbers, while they do not update. */
export function StaleNotices({ engine, what, error, unavailable, connected }: Props & { unavailable: ClientError | null; connected: boolean }) {
  return (
    <>
      {unavailable && (
        <p className="notice" role="status">
          The {engine} engine is restarting ({unavailable.message}); the numbers below are its last and update again once it is back.
        </p>
      )}
      {!unavailable && error !== null && connected && (
        <p className="notice error" role="alert">
          The {what} stopped updating: {describeError(error)}
        </p>
      )}
      {!connected && <p className="notice">Not connected: these are the last numbers the host sent; they update again once reconnected.</p>}
    </>
  );
}
