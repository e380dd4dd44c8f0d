// The link's savings since the engine started: bytes and share saved, requests, how often a delta
// was possible, what went wrong, and what the zstd work costs per page.
import type { Savings } from '../../../engine/api/index.ts';
import { formatCount, formatLatency, formatSize, percentParts, sizeParts } from '../../components/format.ts';
import { StatTile } from '../../components/stat-tile.tsx';
import { describeKinds } from './failure-notice.tsx';

/** a / b, or null while b is 0 (nothing to divide yet). */
function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

export function SavingsTiles({ totals }: { totals: Savings }) {
  const savedShare = ratio(totals.rawBytes - totals.linkBytes, totals.rawBytes);
  const hitRate = ratio(totals.deltaHits, totals.deltaEligible);
  const encodeMs = ratio(totals.encodeMs, totals.deltaEligible);
  const decodeMs = ratio(totals.decodeMs, totals.deltaEligible);

  return (
    <div className="tiles" role="group" aria-label="Railgun savings since the engine started">
      <StatTile
        testId="railgun-saved-bytes"
        label="Saved"
        {...sizeParts(totals.rawBytes - totals.linkBytes)}
        raw={totals.rawBytes - totals.linkBytes}
        detail={`of ${formatSize(totals.rawBytes)} the origin sent`}
      />
      <StatTile
        testId="railgun-saved-percent"
        label="Saved share"
        {...percentParts(savedShare)}
        raw={savedShare}
        detail={`${formatSize(totals.linkBytes)} crossed the link`}
      />
      <StatTile
        testId="railgun-requests"
        label="Requests"
        value={formatCount(totals.requests)}
        raw={totals.requests}
        detail={`${formatCount(totals.deltaEligible)} delta material`}
      />
      <StatTile
        testId="railgun-delta-hit-rate"
        label="Delta hit rate"
        {...percentParts(hitRate)}
        raw={hitRate}
        detail={`${formatCount(totals.deltaHits)} of ${formatCount(totals.deltaEligible)} sent as a delta`}
      />
      <StatTile
        testId="railgun-retries"
        label="Retries"
        value={formatCount(totals.retries)}
        raw={totals.retries}
        detail="a delta failed its check, sent in full"
        tone={totals.retries > 0 ? 'warn' : undefined}
      />
      <StatTile
        testId="railgun-errors"
        label="Errors"
        value={formatCount(totals.errors)}
        raw={totals.errors}
        detail={totals.errors > 0 ? describeKinds(totals.errorsByKind) : 'no 502, 504 or origin 5xx'}
        tone={totals.errors > 0 ? 'bad' : undefined}
        live
      />
      <StatTile
        testId="railgun-codec-ms"
        label="Encode / decode"
        value={encodeMs === null || decodeMs === null ? '—' : `${formatLatency(encodeMs)} / ${formatLatency(decodeMs)}`}
        unit="ms"
        raw={encodeMs}
        detail="mean per page, listener / sender"
      />
    </div>
  );
}
