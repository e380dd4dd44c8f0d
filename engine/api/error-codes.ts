// Every error code the host and the engines can give, one table per namespace, each with the
// pattern of its message ({name}: a value the message names). Clients (the renderer, scripts)
// match on the code, through these tables (`codes`); people read the message.
// test/architecture/error-codes.test.ts checks that every code written in engine/ is declared here
// and that every declared code is still given somewhere; `toApiError` is the one way an error
// crosses the API: with its own code when that code is declared, else as E_INTERNAL.
import { bundlerErrors, bundlerProblems, trustStoreErrors } from './bundler-errors.ts';
import { ApiError, ErrorCode } from './errors.ts';
import { vaultErrors } from './vault-errors.ts';

export { bundlerErrors, bundlerProblems, vaultErrors };

/** Every namespace: the transport and the host's router. */
export const transportErrors = {
  [ErrorCode.badMessage]: 'a message that is not valid JSON or not a request: {reason}',
  [ErrorCode.unknownMethod]: 'no procedure or stream named {name}',
  [ErrorCode.invalidParams]: '{method}: {field}: {problem}; ... (each field the request got wrong)',
  [ErrorCode.engineUnavailable]: 'the {engine} engine is not running ({why}); start it or wait for its restart',
  [ErrorCode.timeout]: '{method} got no answer within {ms} ms',
  [ErrorCode.closed]: 'the connection to {peer} closed before the answer',
  [ErrorCode.internal]: '{what} failed; the log has the details (error id {id})',
  [ErrorCode.forbidden]:
    '{procedure} needs the {role} role; {operator} has the {role} role — an admin can change it (or: origin {origin} may not sign in here)',
  [ErrorCode.unauthenticated]: '{why} (the session ended, no token); sign in again',
} as const;

/** Given by parts the host and the engines share (engine/common): the login guard. */
export const commonErrors = {
  E_RATE_LIMITED: 'too many failed sign-ins (or attempts) for {name} from here; try again in {seconds} s',
} as const;

export const hostErrors = {
  // The config file (engine/host/config.ts): refused before anything starts, exit 2.
  E_CONFIG_MISSING_FILE: 'config: {file}: no such file; give an existing file or leave --config out',
  E_CONFIG_SYNTAX: 'config: {file} line {line}: not YAML: {problem}',
  E_CONFIG_UNKNOWN_KEY: 'config: {key} (line {line} of {file}): unknown key "{name}" — known keys here: {keys}',
  E_CONFIG_TYPE: 'config: {key} (line {line} of {file}): {expected}, not {actual}',
  E_CONFIG_VALUE: 'config: {key} (line {line} of {file}): {problem}',
  // The query history (engine/host/history/): the store could not open or answer; an export that is gone.
  E_HISTORY_UNAVAILABLE: 'history: {reason}',
  E_EXPORT_NOT_FOUND:
    'no export {id}: it was read to its end, cancelled, or left unread for 10 minutes; start it again (or: export {id} is {state}, not ready to read)',
  // Why an engine did not start (the engine's lastError in host.engines, with a hint).
  E_ENGINE_CONFIG: 'config refused: {field}: {problem}',
  E_ENGINE_ADDRESS_IN_USE: 'bind EADDRINUSE {address} (another program holds it)',
  E_ENGINE_PORT_DENIED: 'bind EACCES {address} (port {port} needs root or CAP_NET_BIND_SERVICE)',
  E_ENGINE_ADDRESS_UNAVAILABLE: 'bind EADDRNOTAVAIL {address} (not an address of this host)',
  E_ENGINE_START: '{error} (the host restarts it with backoff)',
  // Logged, not answered.
  E_HEARTBEAT_SAMPLE: 'cannot sample the resident memory; the heartbeat goes on without it',
  E_WS: 'closed an API connection after a protocol violation ({reason})',
  // Upgrades.
  E_UPGRADE_UNSUPPORTED: 'the {engine} engine cannot be upgraded in place; restart it instead',
  E_UPGRADE_RUNNING: 'an upgrade of {engine} is already running',
  // serve's sign-in, sessions, operators and API tokens.
  E_SERVE_NEEDS_TLS:
    'serve: --host {host} reaches beyond this machine, and passwords and session cookies must not cross a network in clear: give --cert and --key ...',
  E_METHOD: '{method} {path}: use POST',
  E_SETUP_REFUSED: '{reason}',
  E_NOT_FOUND: 'no endpoint {path}',
  E_TOO_LARGE: 'a sign-in body is at most {bytes} bytes',
  E_NO_SESSION: 'no live session {id}; it may have ended already',
  E_OPERATORS_FILE: '{file} is not a valid operators file ({problem}); restore it from a backup or move it away to start over',
  E_OPERATOR_EXISTS: 'operator {name} exists already; pick another name, or use set-role / reset-password',
  E_SIGN_IN: 'wrong name or password',
  E_TOKEN_EXISTS: 'an API token named {name} exists; revoke it first or pick another name',
  E_NO_TOKEN: 'no API token named {name}; see the list of tokens',
  E_NO_OPERATOR: 'no operator named {name}; signalbox operators list shows who exists',
  E_LAST_ADMIN: '{name} is the last admin; make another operator admin before you {action} {name}',
  E_BAD_NAME: '"{name}": {problem}',
  E_BAD_PASSWORD: '{problem}',
} as const;

export const dnsErrors = {
  E_DNS_TLS_FILE: 'dns tls.{key} {path}: {reason}; give a readable PEM file (or: {address}: an encrypted listener needs tls.certFile and tls.keyFile)',
  E_DNS_LISTEN_RETRY:
    '{address}: TCP was in use by another program when this process tried it, and a DNS engine process cannot try the same address twice; free it, then restart or upgrade the DNS engine',
  E_DNS_UNKNOWN_UPSTREAM: 'no upstream {address}; the upstreams are {addresses}',
  E_DNS_CONFIG_REJECTED: 'config not applied, the old one still runs: {reason}',
  E_DNS_NOT_CAPTURED: 'query {seq} is no longer in the capture (it keeps the last {capture} queries)',
} as const;

export const railgunErrors = {
  E_RAILGUN_CONFIG_REJECTED: 'the ends could not start with this config: {reason}',
  E_RAILGUN_SETUP: 'railgun: {option}: {problem} (a config the ends cannot start with)',
  // What the sender and listener answer HTTP clients with (the text ends with the code in brackets).
  E_RAILGUN_BODILESS_METHOD: 'a {method} request must not carry a body (RFC 9110 §9.3.1); send it without Content-Length or Transfer-Encoding',
  E_RAILGUN_LINK_DOWN: 'the link to the origin is not up; try again in a few seconds',
  E_RAILGUN_LINK_VERSION:
    'the {peer} speaks link protocol {version}, this end {ours}: run the same signalbox release on both ends (upgrade the listener and its senders together)',
  E_RAILGUN_BAD_GATEWAY: 'this request could not be answered',
  E_RAILGUN_BUSY: 'the sender holds as many pages (or connections) as it may; retry in {seconds} s',
  E_RAILGUN_LISTENER: "the listener could not answer this request (error id {id}; the operator's log has the details)",
} as const;

export const errorTables = {
  transport: transportErrors,
  common: commonErrors,
  host: hostErrors,
  dns: dnsErrors,
  railgun: railgunErrors,
  vault: vaultErrors,
  bundler: {
    ...bundlerErrors,
    ...trustStoreErrors,
    ...Object.fromEntries(Object.entries(bundlerProblems).map(([name, problem]) => [name, problem.message])),
  } as Record<keyof typeof bundlerErrors | keyof typeof trustStoreErrors | keyof typeof bundlerProblems, string>,
} as const;

type Tables = typeof errorTables;
/** Every declared code. */
export type ErrorCodeName = { [N in keyof Tables]: keyof Tables[N] }[keyof Tables] & string;

/** Each declared code by its own name (`codes.E_DNS_NOT_CAPTURED`), so that a misspelt one does not compile. */
export const codes = Object.fromEntries(Object.values(errorTables).flatMap((table) => Object.keys(table).map((code) => [code, code]))) as {
  [C in ErrorCodeName]: C;
};

export function isDeclaredCode(code: string): code is ErrorCodeName {
  return Object.hasOwn(codes, code);
}

/**
 * The one way an error crosses the API (every transport's server side calls it): an ApiError (the
 * bundler's BundleError is one) crosses as it is; another error crosses with its `code` when that
 * code is declared above (the vault's VaultCryptoError, OrderError, RedOctoberError, ...); anything
 * else, a Node error's ENOENT included, keeps its message under E_INTERNAL. That every code an
 * engine writes is declared is checked on the source (test/architecture/error-codes.test.ts).
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message =
    err instanceof Error
      ? err.message
      : typeof (err as { message?: unknown } | null)?.message === 'string'
        ? (err as { message: string }).message
        : String(err);
  return new ApiError(typeof code === 'string' && isDeclaredCode(code) ? code : ErrorCode.internal, message);
}
