// Red October's paths (spec §2), each with its handler, the Go request struct it decodes (its name
// appears in error texts, as Go's does) and its body limit: where a body carries data or a
// ciphertext, the API's message limit (40 MiB: a 16 MiB plaintext, or a ciphertext of up to the
// contract's 32 MiB, base64 in JSON), 1 MiB elsewhere.
import { maxMessageBytes } from '../../api/messages.ts';
import { MiB } from './body.ts';
import type { GoStruct } from './go-json.ts';
import { withCredentials, type Handler } from './handler.ts';
import { create, createRequest, createUser, createUserRequest, exportVault, modify, modifyRequest, password, passwordRequest } from './handlers/accounts.ts';
import { decrypt, decryptRequest, encrypt, encryptRequest, owners, ownersRequest, reEncrypt, sshSignWith, sshSignWithRequest } from './handlers/ciphertexts.ts';
import { delegate, delegateRequest, purge, summary } from './handlers/delegations.ts';
import { order, orderCancel, orderInfo, orderNumRequest, orderOut, orderRequest } from './handlers/orders.ts';
import { resetPersisted, restore, restoreRequest, status } from './handlers/persistence.ts';

export interface Route {
  handler: Handler;
  /** The Go struct's name, for error texts. */
  type: string;
  struct: GoStruct;
  limit: number;
}

export const smallBody = MiB;
export const largeBody = maxMessageBytes;

const route = (handler: Handler, type: string, struct: GoStruct, limit = smallBody): Route => ({ handler, type, struct, limit });

export const routes: ReadonlyMap<string, Route> = new Map([
  ['/create', route(create, 'CreateRequest', createRequest)],
  ['/create-user', route(createUser, 'CreateUserRequest', createUserRequest)],
  ['/summary', route(summary, 'SummaryRequest', withCredentials)],
  ['/delegate', route(delegate, 'DelegateRequest', delegateRequest)],
  ['/purge', route(purge, 'PurgeRequest', withCredentials)],
  ['/password', route(password, 'PasswordRequest', passwordRequest)],
  ['/encrypt', route(encrypt, 'EncryptRequest', encryptRequest, largeBody)],
  ['/re-encrypt', route(reEncrypt, 'ReEncryptRequest', encryptRequest, largeBody)],
  ['/decrypt', route(decrypt, 'DecryptRequest', decryptRequest, largeBody)],
  ['/owners', route(owners, 'OwnersRequest', ownersRequest, largeBody)],
  ['/modify', route(modify, 'ModifyRequest', modifyRequest)],
  ['/export', route(exportVault, 'ExportRequest', withCredentials)],
  ['/order', route(order, 'OrderRequest', orderRequest, largeBody)],
  ['/orderout', route(orderOut, 'OrderOutstandingRequest', withCredentials)],
  ['/orderinfo', route(orderInfo, 'OrderInfoRequest', orderNumRequest)],
  ['/ordercancel', route(orderCancel, 'OrderCancelRequest', orderNumRequest)],
  ['/status', route(status, 'StatusRequest', withCredentials)],
  ['/restore', route(restore, 'DelegateRequest', restoreRequest)],
  ['/reset-persisted', route(resetPersisted, 'PurgeRequest', withCredentials)],
  ['/ssh-sign-with', route(sshSignWith, 'SSHSignWithRequest', sshSignWithRequest)],
]);
