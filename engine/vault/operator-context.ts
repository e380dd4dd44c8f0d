// Which console operator a vault call is made for (the host forwards the signed-in operator with
// each call: engine/api/identity.ts), so the audit log names them beside the vault account that
// acted. Carried through the call's async work, not as a parameter of every vault method.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ProcedureHandlers } from '../api/engine.ts';
import type { Caller } from '../api/identity.ts';

export const consoleOperator = new AsyncLocalStorage<string>();

/** The procedures, each run with the operator of its call in consoleOperator. */
export function withConsoleOperator(procedures: ProcedureHandlers): ProcedureHandlers {
  type Handler = (request: unknown, caller?: Caller) => unknown;
  return Object.fromEntries(
    Object.entries(procedures as Record<string, Handler>).map(([name, handler]) => [
      name,
      (request: unknown, caller?: Caller) => (caller && caller.via !== 'host' ? consoleOperator.run(caller.name, () => handler(request)) : handler(request)),
    ]),
  ) as ProcedureHandlers;
}
