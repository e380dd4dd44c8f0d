// The Vault page while the host runs no vault engine.
import { EngineUnavailable } from '../../components/engine-unavailable.tsx';

export function VaultUnavailable({ reason }: { reason: unknown }) {
  return (
    <EngineUnavailable
      title="vault"
      testId="vault-unavailable"
      reason={reason}
      howToEnable={
        <>
          <p>Turn it on in the host's config (signalbox.yaml) and start the host again:</p>
          <pre className="engine-snippet">{'engines:\n  vault:\n    enabled: true'}</pre>
          <p>The vault file is kept in the host's data folder.</p>
        </>
      }
    />
  );
}
