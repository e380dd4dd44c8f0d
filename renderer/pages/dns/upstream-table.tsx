// The upstreams the forward module sends to, by pool: health, latency, load, and a switch to take
// one out of rotation (dns.setUpstream). Taking out a pool's last enabled one leaves its routes nothing to ask.
import { useState, type Ref } from 'react';
import type { DnsStats } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import { Badge, type Tone } from '../../components/badge.tsx';
import { DataTable, type Column } from '../../components/data-table.tsx';
import { describeError } from '../../components/errors.ts';
import { formatCount, formatLatency } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';

type Upstream = DnsStats['upstreams'][number];

function health(upstream: Upstream): { label: string; tone: Tone } {
  if (!upstream.enabled) return { label: 'disabled', tone: 'neutral' };
  return upstream.healthy ? { label: 'healthy', tone: 'ok' } : { label: 'down', tone: 'bad' };
}

const columns: Column[] = [
  'Pool',
  'Address',
  'Health',
  { num: 'Latency' },
  { num: 'Outstanding' },
  { num: 'Sent' },
  { num: 'Answered' },
  { num: 'Timeouts' },
  { num: 'Weight' },
  { action: 'In rotation' },
];

interface Props {
  client: ApiClient;
  upstreams: Upstream[];
  onChanged(): void;
  onFilter(address: string): void;
  /** The heading, so the upstreams tile can move focus here. */
  headingRef: Ref<HTMLHeadingElement>;
}

export function UpstreamTable({ client, upstreams, onChanged, onFilter, headingRef }: Props) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const can = useCan('dns.setUpstream');
  const enabledCount = (pool: string) => upstreams.filter((u) => u.enabled && u.pool === pool).length;

  const toggle = async (upstream: Upstream) => {
    const enabled = !upstream.enabled;
    if (!enabled && enabledCount(upstream.pool) === 1) {
      const sure = window.confirm(
        `Disable ${upstream.address}?\n\nIt is the last enabled upstream of pool ${upstream.pool}: every query routed there that the cache cannot answer will fail with SERVFAIL until one is enabled again.`,
      );
      if (!sure) return;
    }
    setBusy(upstream.address);
    setError(null);
    try {
      await client.call('dns.setUpstream', { address: upstream.address, enabled, pool: upstream.pool });
      onChanged();
    } catch (err) {
      setError(`Could not ${enabled ? 'enable' : 'disable'} ${upstream.address}: ${describeError(err)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Panel headingId="dns-upstreams-heading" title="Upstreams" headingRef={headingRef} error={error}>
      <DataTable columns={columns}>
        <tbody>
          {upstreams.map((upstream) => {
            const { label, tone } = health(upstream);
            return (
              <tr key={`${upstream.pool}/${upstream.address}`} data-testid={`dns-upstream-${upstream.address}`} data-pool={upstream.pool} data-health={label}>
                <td>{upstream.pool}</td>
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => onFilter(upstream.address)} title="Show its queries in the log">
                    {upstream.address}
                  </button>
                </th>
                <td>
                  <Badge tone={tone}>{label}</Badge>
                  {upstream.lastError && (
                    <span className="muted" title={upstream.lastError}>
                      {' '}
                      TLS: {upstream.lastError}
                    </span>
                  )}
                </td>
                <td className="num">
                  {upstream.latencyMs === null ? '—' : formatLatency(upstream.latencyMs)}
                  <span className="unit">ms</span>
                </td>
                <td className="num">{formatCount(upstream.outstanding)}</td>
                <td className="num">{formatCount(upstream.sent)}</td>
                <td className="num">{formatCount(upstream.answered)}</td>
                <td className="num">{formatCount(upstream.timeouts)}</td>
                <td className="num">{upstream.weight}</td>
                <td className="action">
                  <button
                    type="button"
                    aria-label={`${upstream.enabled ? 'Disable' : 'Enable'} ${upstream.address}`}
                    disabled={busy !== null || !can.allowed}
                    title={can.reason}
                    onClick={() => void toggle(upstream)}
                  >
                    {busy === upstream.address ? 'Saving…' : upstream.enabled ? 'Disable' : 'Enable'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </DataTable>
    </Panel>
  );
}
