// One query and its answer, decoded (dns.packet): header, question, the three record sections,
// sizes and the bytes. It sits beside the log, so another row can be opened without closing it;
// Esc closes it and gives focus back to where it was.
import { useEffect, useRef, useState } from 'react';
import { codes, type DecodedMessage, type QueryLogEntry, type ResponseOf } from '../../../engine/api/index.ts';
import { ClientError, type ApiClient } from '../../api/client.ts';
import { DataTable } from '../../components/data-table.tsx';
import { describeError } from '../../components/errors.ts';
import { formatLatency, formatLocalDateTime } from '../../components/format.ts';
import { qtypeName, rcodeName } from './dns-names.ts';

type Packet = ResponseOf<'dns.packet'>;

type Loaded = { seq: number; packet: Packet } | { seq: number; error: string; notCaptured: boolean };

export function PacketDrawer({ client, entry, onClose }: { client: ApiClient; entry: QueryLogEntry; onClose(): void }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const { seq } = entry;

  useEffect(() => {
    let active = true;
    client.call('dns.packet', { seq }).then(
      (packet) => active && setLoaded({ seq, packet }),
      (err: unknown) => {
        if (!active) return;
        const notCaptured = err instanceof ClientError && err.code === codes.E_DNS_NOT_CAPTURED;
        setLoaded({ seq, error: describeError(err), notCaptured });
      },
    );
    return () => {
      active = false;
    };
  }, [client, seq]);

  // Focus moves in when it opens and back to where it came from when it closes.
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    heading.current?.focus();
    return () => {
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault();
        onClose();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [onClose]);

  const current = loaded?.seq === seq ? loaded : null;
  return (
    <aside className="dns-drawer" role="dialog" aria-modal="false" aria-labelledby="dns-drawer-heading" data-testid="dns-packet-drawer" data-seq={seq}>
      <div className="dns-drawer-head">
        <h2 id="dns-drawer-heading" ref={heading} tabIndex={-1}>
          {entry.qname} {qtypeName(entry.qtype)}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close packet details" aria-keyshortcuts="Escape">
          Close
        </button>
      </div>
      <p className="muted">
        #{entry.seq} · {formatLocalDateTime(entry.at)} · from {entry.client} over {entry.transport.toUpperCase()} · {rcodeName(entry.rcode)} in{' '}
        {formatLatency(entry.latencyMs)} ms{entry.upstream ? ` via ${entry.upstream}` : ''}
        {entry.route ? `, route ${entry.route}` : ''}
        {entry.cache ? ` · cache ${entry.cache}` : ''}
        {entry.rrl ? ` · rrl ${entry.rrl}` : ''}
        {entry.flattened ? ' · flattened' : ''}
      </p>
      {current === null && <p className="muted">Loading the captured packets…</p>}
      {current && 'error' in current && (
        <p className="notice" role="alert" data-testid="dns-packet-error">
          {current.notCaptured
            ? 'This packet has left the capture ring: the engine keeps the packets of only the most recent queries (querylog.capture in the config). Open a newer row to see its bytes.'
            : `Could not load the packets: ${current.error}`}
        </p>
      )}
      {current && 'packet' in current && (
        <>
          <Message title="Query" message={current.packet.query} />
          {current.packet.answer ? (
            <Message title="Answer" message={current.packet.answer} />
          ) : (
            <p className="muted">No answer was sent (dropped by rate limiting, or the client gave up).</p>
          )}
        </>
      )}
    </aside>
  );
}

function Message({ title, message }: { title: string; message: DecodedMessage }) {
  return (
    <section className="dns-message" aria-label={title}>
      <h3>
        {title} <span className="muted">· {message.size} bytes</span>
      </h3>
      <dl className="dns-header">
        <dt>ID</dt>
        <dd>{message.id}</dd>
        <dt>Opcode</dt>
        <dd>{message.opcode}</dd>
        <dt>Rcode</dt>
        <dd>{message.rcode}</dd>
        <dt>Flags</dt>
        <dd>{message.flags.length > 0 ? message.flags.join(' ') : 'none'}</dd>
      </dl>
      {message.error && <p className="notice">Not fully decoded: {message.error}</p>}
      <h4>Question</h4>
      {message.questions.length === 0 ? (
        <p className="muted">none</p>
      ) : (
        <ul className="dns-question" data-testid="dns-packet-question">
          {message.questions.map((q, i) => (
            <li key={i}>
              <code>
                {q.name} {q.class} {q.type}
              </code>
            </li>
          ))}
        </ul>
      )}
      <Records title="Answer" records={message.answers} />
      <Records title="Authority" records={message.authorities} />
      <Records title="Additional" records={message.additionals} />
      <details>
        <summary>Bytes (hex)</summary>
        <pre className="dns-hex">{hexDump(message.hex)}</pre>
      </details>
    </section>
  );
}

function Records({ title, records }: { title: string; records: DecodedMessage['answers'] }) {
  return (
    <>
      <h4>
        {title} <span className="muted">({records.length})</span>
      </h4>
      {records.length > 0 && (
        <DataTable columns={['Name', { num: 'TTL' }, 'Class', 'Type', 'Data']} className="dns-records">
          <tbody>
            {records.map((record, i) => (
              <tr key={i}>
                <td>{record.name}</td>
                <td className="num">{record.ttl ?? '—'}</td>
                <td>{record.class}</td>
                <td>{record.type}</td>
                <td className="dns-record-data">{record.data}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
    </>
  );
}

/** 16 bytes a line: offset, hex, and the printable ASCII, as `xxd` writes it. */
export function hexDump(hex: string): string {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  const lines: string[] = [];
  for (let offset = 0; offset < clean.length / 2; offset += 16) {
    const bytes = clean.slice(offset * 2, (offset + 16) * 2).match(/../g) ?? [];
    const groups = bytes.map((b, i) => (i % 2 === 1 ? `${b} ` : b)).join('');
    const ascii = bytes.map((b) => {
      const code = parseInt(b, 16);
      return code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : '.';
    });
    lines.push(`${offset.toString(16).padStart(8, '0')}: ${groups.padEnd(40)} ${ascii.join('')}`);
  }
  return lines.join('\n');
}
