// Starts or stops the ends (railgun.configSet with `running` flipped). Stopping asks once: the
// sender's clients are refused and both ends forget the versions they held.
import type { RailgunConfig, RailgunStatus } from '../../../engine/api/index.ts';
import { useCan } from '../../api/identity.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { formatLocalTime } from '../../components/format.ts';
import { useFormCall } from '../../components/use-form-call.ts';
import { describeRailgunError } from './railgun-contract.ts';
import type { RailgunConfigView } from './use-railgun-config.ts';

export function RunSwitch({ status, settings }: { status: RailgunStatus; settings: RailgunConfigView }) {
  const call = useFormCall(describeRailgunError);
  const can = useCan('railgun.configSet');
  const { config } = settings;
  const stop = status.running;

  const send = async (next: RailgunConfig) => {
    await call.run(stop ? 'Not stopped' : 'Not started', async () => {
      await settings.apply(next);
      return `${stop ? 'Stopped' : 'Started'} at ${formatLocalTime(Date.now())}.`;
    });
  };

  const flip = () => {
    if (!config) return;
    if (stop) {
      const clients = status.senderAddress ? `Clients of ${status.senderAddress} are refused` : 'Clients are refused';
      const sure = window.confirm(
        `Stop the Railgun ${status.role === 'pair' ? 'pair' : status.role}?\n\n${clients} until it is started again, and both ends forget the page versions they hold: the first request for each page after the start crosses the link in full.`,
      );
      if (!sure) return;
    }
    void send({ ...config, running: !stop });
  };

  return (
    <div className="railgun-run">
      <button
        type="button"
        onClick={flip}
        disabled={call.busy || !config || !can.allowed}
        title={can.reason}
        data-testid={stop ? 'railgun-stop' : 'railgun-start'}
      >
        {call.busy ? (stop ? 'Stopping…' : 'Starting…') : stop ? 'Stop' : 'Start'}
      </button>
      <FormStatus result={call.result} error={call.error} testId="railgun-run" />
    </div>
  );
}
