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
  [ErrorCode.forbidden]: '{procedure} needs the {role} role; {operator} has the {role} role — an admin can change it (or: origin {origin} may not sign in here)',
  [ErrorCode.unauthenticated]: '{why} (the session ended, no token); sign in again',
} as const;

export const hostErrors = {
  E_UPGRADE_UNSUPPORTED: 'the {engine} engine cannot be upgraded in place; restart it instead',
  E_UPGRADE_RUNNING: 'an upgrade of {engine} is already running',
  // serve's sign-in, sessions, operators and API tokens.
  E_SERVE_NEEDS_TLS: 'serve: --host {host} reaches beyond this machine, and passwords and session cookies must not cross a network in clear: give --cert and --key ...',
  E_METHOD: '{method} {path}: use POST',
  E_SETUP_REFUSED: '{reason}',
  E_NOT_FOUND: 'no endpoint {path}',
  E_TOO_LARGE: 'a sign-in body is at most {bytes} bytes',
  E_NO_SESSION: 'no live session {id}; it may have ended already',
  E_OPERATORS_FILE: '{file} is not a valid operators file ({problem}); restore it from a backup or move it away to start over',
  E_OPERATOR_EXISTS: 'operator {name} exists already; pick another name, or use set-role / reset-password',
  E_RATE_LIMITED: 'too many failed sign-ins for {name} from here; try again in {seconds} s',
  E_SIGN_IN: 'wrong name or password',
  E_TOKEN_EXISTS: 'an API token named {name} exists; revoke it first or pick another name',
  E_NO_TOKEN: 'no API token named {name}; see the list of tokens',
  E_NO_OPERATOR: 'no operator named {name}; signalbox operators list shows who exists',
  E_LAST_ADMIN: '{name} is the last admin; make another operator admin before you {action} {name}',
  E_BAD_NAME: '"{name}": {problem}',
  E_BAD_PASSWORD: '{problem}',
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
