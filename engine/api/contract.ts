// The shape of the contract: every procedure and event stream is declared once, with the schemas
// that validate what crosses a process or network boundary. Transports, the engine host and the
// renderer client are all typed from these declarations.
import type { z } from 'zod';

export interface Procedure<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly kind: 'procedure';
  readonly summary: string;
  readonly request: Req;
  readonly response: Res;
}

export interface Stream<Params extends z.ZodType = z.ZodType, Event extends z.ZodType = z.ZodType> {
  readonly kind: 'stream';
  readonly summary: string;
  readonly params: Params;
  readonly event: Event;
}

export function procedure<Req extends z.ZodType, Res extends z.ZodType>(
  summary: string,
  request: Req,
  response: Res,
): Procedure<Req, Res> {
  return { kind: 'procedure', summary, request, response };
}

export function stream<Params extends z.ZodType, Event extends z.ZodType>(
  summary: string,
  params: Params,
  event: Event,
): Stream<Params, Event> {
  return { kind: 'stream', summary, params, event };
}
