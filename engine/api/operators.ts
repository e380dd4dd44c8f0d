// operators: who may use the console (accounts with a role), their sessions and the API tokens of
// machines. Answered by the host itself (engine/host/operators/); all but host.whoami are for admins.
import { z } from 'zod';
import { procedure } from './contract.ts';
import { caller, role } from './identity.ts';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/);
const password = z.string().min(1).max(1024);

export const operatorInfo = z.object({ name: z.string(), role, createdAt: z.number() });
export type OperatorInfo = z.infer<typeof operatorInfo>;

export const sessionInfo = z.object({
  id: z.string(),
  operator: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  /** When it ends unless used again (idle timeout) or at the latest (lifetime). */
  endsAt: z.number(),
  source: z.string(),
  userAgent: z.string(),
});
export type SessionInfo = z.infer<typeof sessionInfo>;

export const apiTokenInfo = z.object({
  name: z.string(),
  role,
  /** metrics: only GET /metrics (Prometheus); api: the WebSocket API as `role`, and /metrics. */
  scope: z.enum(['metrics', 'api']),
  createdAt: z.number(),
  createdBy: z.string(),
});
export type ApiTokenInfo = z.infer<typeof apiTokenInfo>;

const ok = z.object({ ok: z.literal(true) });

export const operatorsApi = {
  procedures: {
    'host.whoami': procedure(
      'Who this connection is (the signed-in operator, a token, the desktop user), their role, and the procedures and streams that role may use (the console disables the rest).',
      z.object({}).strict(),
      z.object({ caller, allowed: z.array(z.string()) }),
      'viewer',
    ),
    'host.operators': procedure('Every operator and their role.', z.object({}).strict(), z.object({ operators: z.array(operatorInfo) }), 'admin'),
    'host.addOperator': procedure(
      'Adds an operator with a role and a first password (at least 10 characters).',
      z.object({ name, role, password }).strict(),
      z.object({ operator: operatorInfo }),
      'admin',
    ),
    'host.setOperatorRole': procedure(
      "Changes an operator's role; their sessions end, so they sign in again with it.",
      z.object({ name, role }).strict(),
      ok,
      'admin',
    ),
    'host.removeOperator': procedure(
      'Removes an operator and ends their sessions; the last admin cannot be removed.',
      z.object({ name }).strict(),
      ok,
      'admin',
    ),
    'host.resetOperatorPassword': procedure("Sets an operator's password; their sessions end.", z.object({ name, password }).strict(), ok, 'admin'),
    'host.sessions': procedure('Console sessions that are live now.', z.object({}).strict(), z.object({ sessions: z.array(sessionInfo) }), 'admin'),
    'host.revokeSession': procedure('Ends a session at once; its connections close.', z.object({ id: z.string().min(1).max(100) }).strict(), ok, 'admin'),
    'host.apiTokens': procedure(
      'API tokens of machines (names and scopes; the secrets are never shown again).',
      z.object({}).strict(),
      z.object({ tokens: z.array(apiTokenInfo) }),
      'admin',
    ),
    'host.createApiToken': procedure(
      'Makes a named API token with a role and scope; the answer carries its secret, shown this once.',
      z.object({ name, role, scope: z.enum(['metrics', 'api']) }).strict(),
      z.object({ token: z.string(), info: apiTokenInfo }),
      'admin',
    ),
    'host.revokeApiToken': procedure('Revokes an API token: it opens nothing from now on.', z.object({ name }).strict(), ok, 'admin'),
  },
  streams: {},
} as const;
