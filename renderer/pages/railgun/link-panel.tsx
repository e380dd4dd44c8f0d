// The link and its ends: state, round trip, since when it is up and how often it reconnected, the
// addresses, and the versions the sender holds; with the switch that starts and stops the ends.
import type { ReactNode } from 'react';
import type { LinkState, RailgunStatus } from '../../../engine/api/index.ts';
import { Badge, type Tone } from '../../components/badge.tsx';
import { formatCount, formatDuration, formatLatency, formatLocalDateTime, formatLocalTime, formatSize } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { useNow } from '../../components/use-now.ts';
import { RunSwitch } from './run-switch.tsx';
import type { RailgunConfigView } from './use-railgun-config.ts';

const states: Record<LinkState['state'], Tone> = { up: 'ok', connecting: 'warn', down: 'bad', stopped: 'neutral' };

const roles: Record<RailgunStatus['role'], string> = {
  pair: 'pair: both ends in this host',
  listener: 'listener: next to the origin',
  sender: 'sender: at the edge',
};

function Fact({ term, testId, children }: { term: string; testId?: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

const none = <span className="muted">—</span>;

export function LinkPanel({ status, settings }: { status: RailgunStatus; settings: RailgunConfigView }) {
  const now = useNow();
  const { link, store } = status;
  return (
    <Panel headingId="railgun-link-heading" title="Link" aside={<RunSwitch status={status} settings={settings} />}>
      <dl className="railgun-facts" data-testid="railgun-link">
        <Fact term="State">
          <span data-testid="railgun-link-state" data-state={link.state}>
            <Badge tone={states[link.state]}>{link.state}</Badge>
          </span>
        </Fact>
        <Fact term="Round trip" testId="railgun-link-rtt">
          {link.rttMs === null ? (
            none
          ) : (
            <>
              {formatLatency(link.rttMs)}
              <span className="unit">ms</span>
            </>
          )}
        </Fact>
        <Fact term="Up since" testId="railgun-link-up-since">
          {link.upSince === null ? (
            none
          ) : (
            <time dateTime={new Date(link.upSince).toISOString()} title={formatLocalDateTime(link.upSince)}>
              {formatLocalTime(link.upSince, now)} <span className="muted">({formatDuration(now - link.upSince)})</span>
            </time>
          )}
        </Fact>
        <Fact term="Reconnects" testId="railgun-link-reconnects">
          {formatCount(link.reconnects)}
        </Fact>
        <Fact term="Last link error" testId="railgun-link-last-error">
          {link.lastError === null ? none : <span className="error">{link.lastError}</span>}
        </Fact>
        <Fact term="Role" testId="railgun-role">
          {roles[status.role]}
        </Fact>
        <Fact term="Origin" testId="railgun-origin">
          {status.origin === null ? none : <code>{status.origin}</code>}
        </Fact>
        <Fact term="Sender (clients connect here)" testId="railgun-sender-address">
          {status.senderAddress === null ? none : <code>{status.senderAddress}</code>}
        </Fact>
        <Fact term="Listener (the link's TLS end)" testId="railgun-listener-address">
          {status.listenerAddress === null ? none : <code>{status.listenerAddress}</code>}
        </Fact>
        <Fact term="Versions held" testId="railgun-store">
          {formatCount(store.versions)} {store.versions === 1 ? 'version' : 'versions'} of {formatCount(store.keys)} {store.keys === 1 ? 'page' : 'pages'},{' '}
          {formatSize(store.bytes)}
        </Fact>
        <Fact term="Link socket" testId="railgun-link-socket">
          {formatSize(link.socketBytesSent)} sent, {formatSize(link.socketBytesReceived)} received
        </Fact>
      </dl>
    </Panel>
  );
}
