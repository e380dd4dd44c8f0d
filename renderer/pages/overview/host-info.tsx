import { useEffect, useState } from 'react';
import type { ResponseOf } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { describeError } from '../../components/errors.ts';
import { formatDuration } from '../../components/format.ts';
import { useConnection } from '../../components/use-connection.ts';

type HostInfoResponse = ResponseOf<'host.info'>;

/** Version, runtime and platform of the host; asked again after each reconnect, as the host may be a new one. */
export function HostInfo({ client, now }: { client: ApiClient; now: number }) {
  const open = useConnection(client).status === 'open';
  const [info, setInfo] = useState<HostInfoResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    let current = true;
    client.call('host.info', {}).then(
      (answer) => {
        if (!current) return;
        setInfo(answer);
        setError(null);
      },
      (err: unknown) => {
        if (current) setError(`Host details unavailable: ${describeError(err)}`);
      },
    );
    return () => {
      current = false;
    };
  }, [client, open]);

  if (error) return <p className="host-info error">{error}</p>;
  if (!info) return <p className="host-info muted">Host details load once connected…</p>;
  return (
    <p className="host-info muted" data-testid="host-info">
      Signalbox {info.version} · Node {info.node} · {info.platform} · host up {formatDuration(now - info.startedAt)}
    </p>
  );
}
