// The whole contract: every namespace's procedures and streams, and the types derived from them.
// Engines add their namespace here; nothing else lists channel names.
import type { z } from 'zod';
import { bundlerApi } from './bundler.ts';
import { dnsApi } from './dns.ts';
import { echoApi } from './echo.ts';
import { hostApi } from './host.ts';
import { operatorsApi } from './operators.ts';
import { railgunApi } from './railgun.ts';
import { vaultApi } from './vault.ts';

export const procedures = {
  ...hostApi.procedures,
  ...operatorsApi.procedures,
  ...echoApi.procedures,
  ...dnsApi.procedures,
  ...railgunApi.procedures,
  ...vaultApi.procedures,
  ...bundlerApi.procedures,
} as const;

export const streams = {
  ...hostApi.streams,
  ...echoApi.streams,
  ...dnsApi.streams,
  ...railgunApi.streams,
  ...vaultApi.streams,
  ...bundlerApi.streams,
} as const;

export type Procedures = typeof procedures;
export type Streams = typeof streams;
export type ProcedureName = keyof Procedures;
export type StreamName = keyof Streams;

export type RequestOf<M extends ProcedureName> = z.input<Procedures[M]['request']>;
export type ResponseOf<M extends ProcedureName> = z.output<Procedures[M]['response']>;
export type StreamParamsOf<S extends StreamName> = z.input<Streams[S]['params']>;
export type StreamEventOf<S extends StreamName> = z.output<Streams[S]['event']>;

/** The namespace a procedure or stream belongs to: the part before the dot. */
export function namespaceOf(name: string): string {
  return name.slice(0, name.indexOf('.'));
}

export function isProcedureName(name: string): name is ProcedureName {
  return Object.hasOwn(procedures, name);
}

export function isStreamName(name: string): name is StreamName {
  return Object.hasOwn(streams, name);
}

export * from './errors.ts';
export * from './error-codes.ts';
export * from './identity.ts';
export * from './address.ts';
export * from './host.ts';
export * from './operators.ts';
export * from './echo.ts';
export * from './dns.ts';
export * from './railgun.ts';
export * from './vault.ts';
export * from './bundler.ts';
export type { ClientMessage, ServerMessage } from './messages.ts';
