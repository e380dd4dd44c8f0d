// What the DNS page shows while the host has no running dns engine. The page keeps asking, so it
// fills in by itself once the engine is up.
import { describeError } from '../../components/errors.ts';

export function DnsUnavailable({ reason }: { reason: unknown }) {
  const notEnabled = reason instanceof Error && /not enabled/.test(reason.message);
  return (
    <section className="empty-state dns-unavailable" data-testid="dns-unavailable" aria-live="polite">
      <h2>{notEnabled ? 'The DNS engine is not enabled on this host' : 'The DNS engine is not running right now'}</h2>
      {notEnabled ? (
        <>
          <p>Turn it on in the host's config (signalbox.yaml) and start the host again:</p>
          <pre className="dns-snippet">{'engines:\n  dns:\n    enabled: true\n    listen: ["127.0.0.1:5353"]\n    upstreams: ["192.0.2.53:53"]'}</pre>
          <p>
            or run the DNS proxy headless, without this console, with <code>signalbox dns --listen ADDR:PORT --upstream ADDR:PORT</code>.
          </p>
        </>
      ) : (
        <p>The host is starting or restarting it (see the Overview page for its state).</p>
      )}
      <p className="muted">{describeError(reason)}</p>
      <p className="muted">This page fills in by itself as soon as the engine answers.</p>
    </section>
  );
}
