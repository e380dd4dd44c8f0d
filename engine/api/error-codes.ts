// The error codes an API call can answer with, one table per namespace, each with the pattern of
// its message ({name}: a value the message names). Clients (the renderer, scripts) match on the
// code; people read the message. test/architecture/error-codes.test.ts checks that every code an
// engine throws as an ApiError is declared here. Not yet tabled: vault (E_VAULT_*, E_RO_*) and
// bundler (E_BUNDLER_*, E_INPUT_*, ...), whose engines are being changed by issues 16 and 17.
import { ErrorCode } from './errors.ts';

/** Every namespace: the transport and the host's router. */
export const transportErrors = {
  [ErrorCode.badMessage]: 'a message that is not valid JSON or not a request: {reason}',
  [ErrorCode.unknownMethod]: 'no procedure or stream named {name}',
  [ErrorCode.invalidParams]: '{method}: {field}: {problem}; ... (each field the request got wrong)',
  [ErrorCode.engineUnavailable]: 'the {engine} engine is not running ({why}); start it or wait for its restart',
  [ErrorCode.timeout]: '{method} got no answer within {ms} ms',
  [ErrorCode.closed]: 'the connection to {peer} closed before the answer',
  [ErrorCode.internal]: '{what} failed; the log has the details (error id {id})',
} as const;

export const hostErrors = {
  E_UPGRADE_UNSUPPORTED: 'the {engine} engine cannot be upgraded in place; restart it instead',
  E_UPGRADE_RUNNING: 'an upgrade of {engine} is already running',
} as const;

export const dnsErrors = {
  E_DNS_UNKNOWN_UPSTREAM: 'no upstream {address}; the upstreams are {addresses}',
  E_DNS_CONFIG_REJECTED: 'config not applied, the old one still runs: {reason}',
  E_DNS_NOT_CAPTURED: 'query {seq} is no longer in the capture (it keeps the last {capture} queries)',
} as const;

export const railgunErrors = {
  E_RAILGUN_CONFIG_REJECTED: 'the ends could not start with this config: {reason}',
} as const;

export const errorTables = { transport: transportErrors, host: hostErrors, dns: dnsErrors, railgun: railgunErrors } as const;
