// The DNS page while the host has no running dns engine.
import { EngineUnavailable } from '../../components/engine-unavailable.tsx';

export function DnsUnavailable({ reason }: { reason: unknown }) {
  return (
    <EngineUnavailable
      title="DNS"
      testId="dns-unavailable"
      reason={reason}
      howToEnable={
        <>
          <p>Turn it on in the host's config (signalbox.yaml) and start the host again:</p>
          <pre className="engine-snippet">{'engines:\n  dns:\n    enabled: true\n    listen: ["127.0.0.1:5353"]\n    upstreams: ["192.0.2.53:53"]'}</pre>
          <p>
            or run the DNS proxy headless, without this console, with <code>signalbox dns --listen ADDR:PORT --upstream ADDR:PORT</code>.
          </p>
        </>
      }
    />
  );
}
