// Upgrades the DNS engine in place (host.upgradeEngine) after asking once, and shows the upgrade
// live from the engine state, so an upgrade another console started shows here too.
import { useState } from 'react';
import type { EngineUpgrade } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { isFinished, UpgradeProgress, UpgradeResult } from './upgrade-status.tsx';

interface Props {
  client: ApiClient;
  /** The engine state's latest upgrade, live while it runs. */
  live: EngineUpgrade | null;
  connected: boolean;
  now: number;
}

/** The newer of the two; for the same upgrade, our call's answer, which is final. */
function newest(live: EngineUpgrade | null, answered: EngineUpgrade | null): EngineUpgrade | null {
  if (!answered) return live;
  return live && live.startedAt > answered.startedAt ? live : answered;
}

export function UpgradeControl({ client, live, connected, now }: Props) {
  const call = useFormCall();
  const can = useCan('host.upgradeEngine');
  const [answered, setAnswered] = useState<EngineUpgrade | null>(null);
  const shown = newest(live, answered);
  const running = shown !== null && !isFinished(shown);

  const upgrade = async () => {
    if (!window.confirm('Start a new DNS process from the code on disk and hand the sockets over? Queries keep being answered.')) return;
    await call.run('Could not upgrade the DNS engine', async () => {
      setAnswered(await client.call('host.upgradeEngine', { name: 'dns' }));
    });
  };

  return (
    <div className="dns-upgrade">
      <div className="form-row">
        <button
          type="button"
          onClick={() => void upgrade()}
          disabled={call.busy || running || !connected || !can.allowed}
          title={can.reason}
          data-testid="dns-upgrade"
        >
          {call.busy || running ? 'Upgrading…' : 'Upgrade'}
        </button>
        <span className="muted">New process from the code on disk, on the same sockets; the old one drains.</span>
      </div>
      {running ? (
        <UpgradeProgress phase={shown.phase} message={shown.message} />
      ) : call.busy ? (
        // Until the host's first state of this upgrade arrives; the last result would mislead.
        <UpgradeProgress phase="starting" message="asking the host to start the upgrade" />
      ) : (
        shown && <UpgradeResult upgrade={shown} now={now} />
      )}
      <FormStatus result={call.result} error={call.error} testId="dns-upgrade-call" />
    </div>
  );
}
