// The config the Railgun engine runs with: read once, then whatever configSet answered.
import { useCallback, useEffect, useState } from 'react';
import type { RailgunConfig } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { describeError } from '../../components/errors.ts';

export interface RailgunConfigView {
  /** The config the engine runs with, null until read. */
  config: RailgunConfig | null;
  loadError: string | null;
  reload(): void;
  /** Sends a whole config; resolves with the one the engine runs now, rejects with its refusal. */
  apply(next: RailgunConfig): Promise<RailgunConfig>;
}

export function useRailgunConfig(client: ApiClient, onApplied: () => void): RailgunConfigView {
  const [config, setConfig] = useState<RailgunConfig | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const reload = useCallback(() => {
    setLoadError(null);
    client.call('railgun.configGet', {}).then(
      (answer) => setConfig(answer.config),
      (err: unknown) => setLoadError(`Could not read the running config: ${describeError(err)}`),
    );
  }, [client]);
  useEffect(reload, [reload]);

  const apply = async (next: RailgunConfig) => {
    const answer = await client.call('railgun.configSet', { config: next });
    setConfig(answer.config);
    onApplied();
    return answer.config;
  };

  return { config, loadError, reload, apply };
}
