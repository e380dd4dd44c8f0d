// The RPC envelope shared by every transport (child-process channel, WebSocket, Electron IPC).
// A client sends call/subscribe/unsubscribe; a server answers result/error and pushes event/end.
import { z } from 'zod';
import { caller } from './identity.ts';

/**
 * The largest API message a transport accepts. Sized for the vault: 16 MiB of data to encrypt
 * becomes about 29 MiB of ciphertext text; everything else stays far below.
 */
export const maxMessageBytes = 40 * 1024 * 1024;

const id = z.number().int().nonnegative();
const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z]+\.[A-Za-z]+$/);

export const clientMessage = z.discriminatedUnion('t', [
  // `caller` is heeded only on the host's own channel to an engine process (serveRpc's acceptForwardedCaller).
  z.object({ t: z.literal('call'), id, method: name, params: z.unknown(), caller: caller.optional() }),
  z.object({ t: z.literal('subscribe'), id, stream: name, params: z.unknown() }),
  z.object({ t: z.literal('unsubscribe'), id }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

const errorShape = z.object({ code: z.string(), message: z.string() });

export const serverMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('result'), id, result: z.unknown() }),
  z.object({ t: z.literal('error'), id, error: errorShape }),
  z.object({ t: z.literal('event'), id, data: z.unknown() }),
  z.object({ t: z.literal('end'), id, error: errorShape.optional() }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;
