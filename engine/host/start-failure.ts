// Why an engine process could not start, in words an operator acts on, and whether trying again
// can help: a port another program holds, or a bad config, fails the same way every time, so the
// supervisor stops restarting and says so instead of crash-looping ("exited with code 1").
import { z } from 'zod';
import type { EngineError } from '../api/host.ts';
import { describeIssues } from './rpc.ts';

export type StartFailure = Omit<EngineError, 'at'>;

/** The address of a bind error: Node's errno errors carry it as address/port, and end their message with it. */
function addressOf(err: NodeJS.ErrnoException & { address?: string; port?: number }): string | null {
  if (err.address !== undefined && err.port !== undefined) return err.address.includes(':') ? `[${err.address}]:${err.port}` : `${err.address}:${err.port}`;
  return /(\S+:\d+)\s*$/.exec(err.message)?.[1] ?? null;
}

function portOf(address: string | null): number | null {
  const port = address ? Number(/:(\d+)$/.exec(address)?.[1]) : NaN;
  return Number.isInteger(port) ? port : null;
}

export function explainStartFailure(err: unknown): StartFailure {
  if (err instanceof z.ZodError) {
    return {
      code: 'E_ENGINE_CONFIG',
      message: `config refused: ${describeIssues(err)}`,
      hint: 'correct the key it names in signalbox.yaml and restart the engine',
      retrying: false,
    };
  }
  const error: NodeJS.ErrnoException = err instanceof Error ? err : new Error(String(err));
  // The errno code, also when an engine wrapped the error and kept only its message.
  const errno = error.code && /^E[A-Z]+$/.test(error.code) ? error.code : /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL)\b/.exec(error.message)?.[1];
  const address = addressOf(error);
  const port = portOf(address);
  const where = address ?? 'its address';
  if (errno === 'EADDRINUSE') {
    return {
      code: 'E_ENGINE_ADDRESS_IN_USE',
      message: error.message,
      hint: `another program holds ${where}${port !== null ? ` (ss -lntup 'sport = :${port}' shows which)` : ''}: stop it, or listen on another port in signalbox.yaml, then restart the engine`,
      retrying: false,
    };
  }
  if (errno === 'EACCES' && port !== null && port < 1024) {
    return {
      code: 'E_ENGINE_PORT_DENIED',
      message: error.message,
      hint: `port ${port} needs root or CAP_NET_BIND_SERVICE (setcap 'cap_net_bind_service=+ep' on the Node binary), or listen on ${port === 53 ? 5353 : port + 8000}`,
      retrying: false,
    };
  }
  if (errno === 'EADDRNOTAVAIL') {
    return {
      code: 'E_ENGINE_ADDRESS_UNAVAILABLE',
      message: error.message,
      hint: `${where} is not an address of this host: listen on one it has (ip addr lists them)`,
      retrying: false,
    };
  }
  const code = (error as { code?: unknown }).code;
  return {
    code: typeof code === 'string' && code.startsWith('E_') ? code : 'E_ENGINE_START',
    message: error.message,
    hint: "the host restarts it with backoff; if it keeps failing, read the engine's log",
    retrying: true,
  };
}
