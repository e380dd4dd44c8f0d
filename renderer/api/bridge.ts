// Transport over Electron's preload bridge (window.signalbox): named functions, one a procedure.
import type { SignalboxBridge } from '../../engine/api/bridge.ts';
import { ErrorCode } from '../../engine/api/errors.ts';
import { ClientError, type ApiTransport, type ConnectionState } from './client.ts';

declare global {
  interface Window {
    signalbox?: SignalboxBridge;
  }
}

export function bridgeTransport(bridge: SignalboxBridge): ApiTransport {
  const open: ConnectionState = { status: 'open' };
  const procedures = bridge.procedures as Record<string, (params: unknown) => ReturnType<SignalboxBridge['procedures']['host.info']>>;
  const streams = bridge.streams as Record<string, SignalboxBridge['streams']['host.watchEngines']>;
  return {
    kind: 'bridge',
    async call(method, params) {
      const procedure = procedures[method];
      if (!procedure) throw new ClientError(ErrorCode.unknownMethod, `no procedure named "${method}"`);
      const outcome = await procedure(params);
      if (!outcome.ok) throw new ClientError(outcome.error.code, outcome.error.message);
      return outcome.result;
    },
    subscribe(stream, params, onEvent, onEnd) {
      const start = streams[stream];
      if (!start) {
        onEnd(new ClientError(ErrorCode.unknownMethod, `no stream named "${stream}"`));
        return () => {};
      }
      return start(params as never, onEvent, (error) => onEnd(error ? new ClientError(error.code, error.message) : undefined));
    },
    connection: () => open,
    onConnection: () => () => {},
  };
}
