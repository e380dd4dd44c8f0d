// The query log's filters. The engine applies them (they are the stream's params); typed fields
// apply once typing pauses, choices at once.
import { useEffect, useId, useState } from 'react';
import type { QueryLogFilter } from '../../../engine/api/index.ts';
import { commonQtypes, parseQtype, qtypeName, rcodeName, rcodeNames } from './dns-names.ts';

interface Draft {
  client: string;
  qname: string;
  qtype: string;
  rcode: string;
  upstream: string;
  route: string;
  cache: string;
  rrl: string;
}

function toDraft(filter: QueryLogFilter): Draft {
  return {
    client: filter.client ?? '',
    qname: filter.qname ?? '',
    qtype: filter.qtype === undefined ? '' : qtypeName(filter.qtype),
    rcode: filter.rcode === undefined ? '' : String(filter.rcode),
    upstream: filter.upstream ?? '',
    route: filter.route ?? '',
    cache: filter.cache ?? '',
    rrl: filter.rrl ?? '',
  };
}

function fromDraft(draft: Draft): QueryLogFilter {
  const filter: QueryLogFilter = {};
  if (draft.client.trim()) filter.client = draft.client.trim();
  if (draft.qname.trim()) filter.qname = draft.qname.trim().toLowerCase().replace(/\.$/, '');
  const qtype = parseQtype(draft.qtype);
  if (qtype !== undefined) filter.qtype = qtype;
  if (draft.rcode !== '') filter.rcode = Number(draft.rcode);
  if (draft.upstream.trim()) filter.upstream = draft.upstream.trim();
  if (draft.route.trim()) filter.route = draft.route.trim();
  if (draft.cache === 'hit' || draft.cache === 'miss' || draft.cache === 'stale') filter.cache = draft.cache;
  if (draft.rrl === 'slip' || draft.rrl === 'drop') filter.rrl = draft.rrl;
  return filter;
}

export function filterKey(filter: QueryLogFilter): string {
  return JSON.stringify(fromDraft(toDraft(filter)));
}

const typingPauseMs = 350;

/** A select's options: "any" (no filter), then each value as it is written in the log. */
const anyOr = (values: string[]) =>
  ['', ...values].map((value) => (
    <option key={value} value={value}>
      {value || 'any'}
    </option>
  ));

interface Props {
  filter: QueryLogFilter;
  upstreams: string[];
  onChange(filter: QueryLogFilter): void;
  /** What the form filters, for screen readers; the query log's by default. */
  label?: string;
  /** Prefix of the fields' test ids: the history's own filters sit on the same page. */
  testIdPrefix?: string;
}

export function LogFilters({ filter, upstreams, onChange, label = 'Filter the query log', testIdPrefix = 'dns-filter' }: Props) {
  const id = useId();
  const current = filterKey(filter);
  const [draft, setDraft] = useState(() => toDraft(filter));

  // A filter set from elsewhere (a tile, a top name) replaces what is in the fields; what the
  // operator typed stays as typed when it already means the current filter.
  useEffect(() => setDraft((d) => (JSON.stringify(fromDraft(d)) === current ? d : toDraft(JSON.parse(current) as QueryLogFilter))), [current]);

  useEffect(() => {
    const timer = setTimeout(() => {
      const next = fromDraft(draft);
      if (JSON.stringify(next) !== current) onChange(next);
    }, typingPauseMs);
    return () => clearTimeout(timer);
  }, [draft, current, onChange]);

  const typed = (field: keyof Draft) => (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: event.target.value }));
  const chosen = (field: keyof Draft) => (event: { target: { value: string } }) => {
    const next = { ...draft, [field]: event.target.value };
    setDraft(next);
    onChange(fromDraft(next));
  };
  const testId = (field: string) => ({ 'data-testid': `${testIdPrefix}-${field}` });
  const badQtype = draft.qtype.trim() !== '' && parseQtype(draft.qtype) === undefined;
  const active = current !== '{}';

  return (
    <form
      className="dns-filters"
      role="search"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        onChange(fromDraft(draft));
      }}
    >
      <label>
        <span>Client</span>
        <input type="text" value={draft.client} onChange={typed('client')} placeholder="192.0.2.1" size={14} spellCheck={false} {...testId('client')} />
      </label>
      <label>
        <span>Name contains</span>
        <input type="search" value={draft.qname} onChange={typed('qname')} placeholder="example.com" size={20} spellCheck={false} {...testId('qname')} />
      </label>
      <label>
        <span>Type</span>
        <input
          type="text"
          value={draft.qtype}
          onChange={typed('qtype')}
          list={`${id}-qtypes`}
          size={7}
          spellCheck={false}
          aria-invalid={badQtype}
          aria-describedby={badQtype ? `${id}-qtype-error` : undefined}
          {...testId('qtype')}
        />
        <datalist id={`${id}-qtypes`}>
          {commonQtypes.map((code) => (
            <option key={code} value={qtypeName(code)} />
          ))}
        </datalist>
      </label>
      <label>
        <span>Rcode</span>
        <select value={draft.rcode} onChange={chosen('rcode')} {...testId('rcode')}>
          <option value="">any</option>
          {Object.keys(rcodeNames).map((code) => (
            <option key={code} value={code}>
              {rcodeName(Number(code))}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Upstream</span>
        <input type="text" value={draft.upstream} onChange={typed('upstream')} list={`${id}-upstreams`} size={16} spellCheck={false} {...testId('upstream')} />
        <datalist id={`${id}-upstreams`}>
          {upstreams.map((address) => (
            <option key={address} value={address} />
          ))}
        </datalist>
      </label>
      <label>
        <span>Route</span>
        <input type="text" value={draft.route} onChange={typed('route')} size={12} spellCheck={false} placeholder="zone." {...testId('route')} />
      </label>
      <label>
        <span>Cache</span>
        <select value={draft.cache} onChange={chosen('cache')} {...testId('cache')}>
          {anyOr(['hit', 'miss', 'stale'])}
        </select>
      </label>
      <label>
        <span>RRL</span>
        <select value={draft.rrl} onChange={chosen('rrl')} {...testId('rrl')}>
          {anyOr(['slip', 'drop'])}
        </select>
      </label>
      <button type="button" onClick={() => onChange({})} disabled={!active}>
        Clear filters
      </button>
      {badQtype && (
        <p id={`${id}-qtype-error`} className="error dns-filter-error" role="alert">
          Type: write a name such as AAAA, or a number such as 65 (TYPE65).
        </p>
      )}
    </form>
  );
}
