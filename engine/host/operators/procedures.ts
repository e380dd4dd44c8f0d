// The host's answers to the operators namespace (engine/api/operators.ts). The role each needs is
// checked by the transport before a call gets here; what is checked here is what roles cannot say
// (the last admin stays, a changed operator signs in again).
import { ApiError } from '../../api/errors.ts';
import { hasRole, type Caller } from '../../api/identity.ts';
import { procedures, streams, type ProcedureName, type RequestOf, type ResponseOf } from '../../api/index.ts';
import type { Logger } from '../../api/engine.ts';
import type { SessionStore } from './sessions.ts';
import type { OperatorStore } from './store.ts';

type OperatorProcedure = Extract<
  ProcedureName,
  `host.${'whoami' | 'operators' | 'addOperator' | 'setOperatorRole' | 'removeOperator' | 'resetOperatorPassword' | 'sessions' | 'revokeSession' | 'apiTokens' | 'createApiToken' | 'revokeApiToken'}`
>;
export type OperatorProcedures = { [M in OperatorProcedure]: (params: RequestOf<M>, caller: Caller) => Promise<ResponseOf<M>> | ResponseOf<M> };

export function operatorProcedures(store: OperatorStore, sessions: SessionStore, log: Logger): OperatorProcedures {
  const ok = { ok: true } as const;
  const audit = (caller: Caller, action: string, fields: Record<string, unknown>) => log.info(action, { operator: caller.name, via: caller.via, ...fields });
  return {
    'host.whoami': (_params, caller) => ({
      caller,
      allowed: [...Object.entries(procedures), ...Object.entries(streams)].filter(([, declared]) => hasRole(caller, declared.role)).map(([name]) => name),
    }),
    'host.operators': () => ({ operators: store.list() }),
    'host.addOperator': async ({ name, role, password }, caller) => {
      const operator = await store.add(name, role, password);
      audit(caller, 'operator added', { name, role });
      return { operator };
    },
    'host.setOperatorRole': async ({ name, role }, caller) => {
      await store.setRole(name, role);
      await sessions.revokeOperator(name);
      audit(caller, 'operator role changed', { name, role });
      return ok;
    },
    'host.removeOperator': async ({ name }, caller) => {
      await store.remove(name);
      await sessions.revokeOperator(name);
      audit(caller, 'operator removed', { name });
      return ok;
    },
    'host.resetOperatorPassword': async ({ name, password }, caller) => {
      await store.resetPassword(name, password);
      await sessions.revokeOperator(name);
      audit(caller, 'operator password reset', { name });
      return ok;
    },
    'host.sessions': () => ({ sessions: sessions.list().map((session) => ({ ...session, endsAt: sessions.endsAt(session) })) }),
    'host.revokeSession': async ({ id }, caller) => {
      if (!(await sessions.revoke(id))) throw new ApiError('E_NO_SESSION', `no live session ${id}; it may have ended already`);
      audit(caller, 'session revoked', { session: id.slice(0, 6) });
      return ok;
    },
    'host.apiTokens': () => ({ tokens: store.listTokens() }),
    'host.createApiToken': async ({ name, role, scope }, caller) => {
      const created = await store.createToken(name, role, scope, caller.name);
      audit(caller, 'API token created', { name, role, scope });
      return created;
    },
    'host.revokeApiToken': async ({ name }, caller) => {
      await store.revokeToken(name);
      audit(caller, 'API token revoked', { name });
      return ok;
    },
  };
}
