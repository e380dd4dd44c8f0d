// Where an upgrade of the DNS engine is (its phases as steps, the host's message), and how it ended.
import type { EngineUpgrade } from '../../../engine/api/index.ts';
import { formatLocalDateTime, formatLocalTime } from '../../components/format.ts';

type Phase = EngineUpgrade['phase'];

/** The way through an upgrade that works; a rollback leaves it at any step before draining. */
const steps: { phase: Phase; label: string }[] = [
  { phase: 'starting', label: 'start a new process' },
  { phase: 'probing', label: 'probe it' },
  { phase: 'carrying state', label: 'carry the cache over' },
  { phase: 'draining', label: 'old process drains' },
  { phase: 'done', label: 'done' },
];

export function isFinished(upgrade: EngineUpgrade): boolean {
  return upgrade.phase === 'done' || upgrade.phase === 'rolled back';
}

const version = (v: string | null) => v ?? 'an unknown version';

/** An upgrade that runs: every step, the current one marked, and what the host says it does. */
export function UpgradeProgress({ phase, message }: { phase: Phase; message: string }) {
  const current = steps.findIndex((step) => step.phase === phase);
  return (
    <div className="dns-upgrade-progress" data-testid="dns-upgrade-phase" data-phase={phase} role="status">
      <ol className="dns-upgrade-steps" aria-label="Upgrade steps">
        {steps.map((step, index) => (
          <li
            key={step.phase}
            data-state={index < current ? 'past' : index === current ? 'current' : 'next'}
            aria-current={index === current ? 'step' : undefined}
          >
            {step.label}
          </li>
        ))}
      </ol>
      <p className="muted">{message}</p>
    </div>
  );
}

/** A finished upgrade: from which version to which and how long it took, or why it rolled back. */
export function UpgradeResult({ upgrade, now }: { upgrade: EngineUpgrade; now: number }) {
  const finishedAt = upgrade.finishedAt ?? now;
  const seconds = ((finishedAt - upgrade.startedAt) / 1000).toFixed(1);
  const when = (
    <time dateTime={new Date(finishedAt).toISOString()} title={formatLocalDateTime(finishedAt)}>
      {formatLocalTime(finishedAt, now)}
    </time>
  );
  if (upgrade.phase === 'rolled back') {
    return (
      <div className="notice error" role="alert" data-testid="dns-upgrade-result" data-phase={upgrade.phase}>
        <p>
          <strong>Upgrade rolled back</strong> at {when}: {upgrade.message}
        </p>
        <p>
          The old process keeps serving {version(upgrade.from)}; queries were answered throughout. Fix the cause (the host's log has the details) and upgrade
          again.
        </p>
      </div>
    );
  }
  return (
    <div className="dns-upgrade-done" role="status" data-testid="dns-upgrade-result" data-phase={upgrade.phase}>
      <p>
        Upgraded at {when} from {version(upgrade.from)} to {version(upgrade.to)} in {seconds}
        <span className="unit">s</span>.
      </p>
      <p className="muted">{upgrade.message}</p>
    </div>
  );
}
