// The route table in force: which zone goes to which pool (the longest zone a name is in wins, the
// root route takes the rest), whether its answers are cached and rate limited, and how its pool
// is doing. A zone opens its queries in the log.
import type { DnsStats } from '../../../engine/api/index.ts';
import { Badge } from '../../components/badge.tsx';
import { DataTable, type Column } from '../../components/data-table.tsx';
import { formatCount } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';

const columns: Column[] = ['Zone', 'Pool', 'Cache', 'RRL', { num: 'Upstreams healthy' }, { num: 'Pool queries' }, { num: 'Pool failures' }];

interface Props {
  stats: Pick<DnsStats, 'routes' | 'pools' | 'upstreams'>;
  onFilter(zone: string): void;
}

export function RouteTable({ stats, onFilter }: Props) {
  return (
    <Panel headingId="dns-routes-heading" title="Routes">
      <DataTable columns={columns} testId="dns-routes">
        <tbody>
          {stats.routes.map((route) => {
            const pool = stats.pools.find((p) => p.name === route.pool);
            const members = stats.upstreams.filter((u) => u.pool === route.pool && u.enabled);
            const healthy = members.filter((u) => u.healthy).length;
            return (
              <tr key={route.zone} data-testid={`dns-route-${route.zone}`} data-pool={route.pool}>
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => onFilter(route.zone)} title="Show its queries in the log">
                    {route.zone}
                  </button>
                </th>
                <td>{route.pool}</td>
                <td>{route.cache ? 'on' : 'off'}</td>
                <td>{route.rrl ? 'on' : 'off'}</td>
                <td className="num">
                  <Badge tone={healthy === 0 ? 'bad' : healthy < members.length ? 'warn' : 'ok'}>{`${healthy} of ${members.length}`}</Badge>
                </td>
                <td className="num">{pool ? formatCount(pool.queries) : '—'}</td>
                <td className="num">{pool ? formatCount(pool.failed) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </DataTable>
    </Panel>
  );
}
