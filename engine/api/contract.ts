// The shape of the contract: every procedure and event stream is declared once, with the schemas
// that validate what crosses a process or network boundary. Transports, the engine host and the
// renderer client are all typed from these declarations. Each one also names the least role
// (identity.ts) a caller needs for it; the host refuses anyone below it (engine/host/rpc.ts).
import type { z } from 'zod';
import type { Role } from './identity.ts';

export interface Procedure<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly kind: 'procedure';
  readonly summary: string;
  readonly request: Req;
  readonly response: Res;
  /** The least role that may call it. */
  readonly role: Role;
}

export interface Stream<Params extends z.ZodType = z.ZodType, Event extends z.ZodType = z.ZodType> {
  readonly kind: 'stream';
  readonly summary: string;
  readonly params: Params;
  readonly event: Event;
  /** The least role that may subscribe. */
  readonly role: Role;
}

export function procedure<Req extends z.ZodType, Res extends z.ZodType>(summary: string, request: Req, response: Res, role: Role): Procedure<Req, Res> {
  return { kind: 'procedure', summary, request, response, role };
}

export function stream<Params extends z.ZodType, Event extends z.ZodType>(summary: string, params: Params, event: Event, role: Role): Stream<Params, Event> {
  return { kind: 'stream', summary, params, event, role };
}
