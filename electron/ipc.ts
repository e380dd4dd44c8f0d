// Connects the preload's named functions to the host's router, for the app's own frame only.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { desktopCaller } from '../engine/api/identity.ts';
import type { RpcHandler } from '../engine/host/rpc.ts';
import { serveIpc, type IpcEvent } from '../engine/host/transports/electron.ts';
import { isTrustedFrame } from './security.ts';

export function registerIpc(router: RpcHandler): () => void {
  return serveIpc(
    ipcMain as unknown as Parameters<typeof serveIpc>[0],
    router,
    (event: IpcEvent) => {
      const frame = (event as unknown as IpcMainInvokeEvent).senderFrame;
      return isTrustedFrame(frame ? { url: frame.url, isTopLevel: frame.parent === null } : null);
    },
    desktopCaller,
  );
}
