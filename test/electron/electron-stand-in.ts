// A recording stand-in for the `electron` module, for loading the built shell (dist/electron/) in
// plain Node: Electron's binary cannot be downloaded here. It keeps the rules of the real API that
// the shell's start-up depends on, so a wrong order fails as it would in Electron:
// - protocol.registerSchemesAsPrivileged only before `ready` (Electron: "can only be called before
//   app is ready"); protocol.handle, session and BrowserWindow only after it;
// - ipcMain.handle refuses a second handler for a channel ("Attempted to register a second handler");
// - app.quit() emits `before-quit`, which a listener may prevent; a new BrowserWindow's webContents
//   is announced with `web-contents-created`.
// Every call is appended to `calls` in order, with its arguments.
import { EventEmitter } from 'node:events';

export interface Call {
  name: string;
  args: unknown[];
}

export const calls: Call[] = [];
const record = (name: string, ...args: unknown[]) => calls.push({ name, args });

let isReady = false;
let resolveReady: () => void;
const readyPromise = new Promise<void>((resolve) => (resolveReady = resolve));

function requireReady(what: string): void {
  if (!isReady) throw new Error(`electron stand-in: ${what} used before the app is ready`);
}

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;

type CertificateVerifyProc = (request: { hostname: string; certificate: { data: string } }, callback: (result: number) => void) => void;

class Session {
  readonly partition: string;
  constructor(partition = '') {
    this.partition = partition;
  }
  permissionRequestHandler: PermissionRequestHandler | null = null;
  certificateVerifyProc: CertificateVerifyProc | null = null;
  setCertificateVerifyProc(proc: CertificateVerifyProc | null): void {
    record('session.setCertificateVerifyProc', this.partition);
    this.certificateVerifyProc = proc;
  }
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    record('session.setPermissionRequestHandler');
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: (...args: unknown[]) => boolean): void {
    record('session.setPermissionCheckHandler');
    this.permissionCheckHandler = handler;
  }
}

const defaultSession = new Session();
export const session = {
  get defaultSession(): Session {
    requireReady('session.defaultSession');
    return defaultSession;
  },
  /** A session of its own per partition, as Electron keeps them (the same one for the same name). */
  fromPartition(partition: string): Session {
    requireReady('session.fromPartition');
    record('session.fromPartition', partition);
    let found = partitions.get(partition);
    if (!found) partitions.set(partition, (found = new Session(partition)));
    return found;
  },
};
const partitions = new Map<string, Session>();

export type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };

export class WebContents extends EventEmitter {
  static nextId = 1;
  readonly id = WebContents.nextId++;
  /** webPreferences.session when the window was given one (BrowserWindow sets it). */
  session = defaultSession;
  windowOpenHandler: WindowOpenHandler | null = null;
  loadedUrl: string | null = null;
  setWindowOpenHandler(handler: WindowOpenHandler): void {
    record('webContents.setWindowOpenHandler');
    this.windowOpenHandler = handler;
  }
  loadURL(url: string): Promise<void> {
    record('webContents.loadURL', url);
    this.loadedUrl = url;
    return Promise.resolve();
  }
  /** Emits `name` with an event object and tells whether a listener called preventDefault(). */
  prevented(name: string, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(name, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly windows: BrowserWindow[] = [];
  readonly webContents = new WebContents();
  readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>;
  constructor(options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
    super();
    this.options = options;
    requireReady('new BrowserWindow');
    if (options.webPreferences?.session instanceof Session) this.webContents.session = options.webPreferences.session;
    record('new BrowserWindow', options);
    BrowserWindow.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  show(): void {
    record('BrowserWindow.show');
  }
}

type Handler = (request: Request) => Response | Promise<Response>;
export const protocol = {
  privileged: [] as { scheme: string; privileges: Record<string, boolean> }[],
  handlers: new Map<string, Handler>(),
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void {
    if (isReady) throw new Error('electron stand-in: protocol.registerSchemesAsPrivileged can only be called before app is ready');
    record('protocol.registerSchemesAsPrivileged', schemes);
    protocol.privileged.push(...schemes);
  },
  handle(scheme: string, handler: Handler): void {
    requireReady('protocol.handle');
    if (protocol.handlers.has(scheme)) throw new Error(`electron stand-in: scheme ${scheme} is already handled`);
    record('protocol.handle', scheme);
    protocol.handlers.set(scheme, handler);
  },
};

type IpcListener = (event: unknown, ...args: unknown[]) => unknown;
export const ipcMain = {
  handlers: new Map<string, IpcListener>(),
  handle(channel: string, listener: IpcListener): void {
    if (ipcMain.handlers.has(channel)) throw new Error(`electron stand-in: Attempted to register a second handler for '${channel}'`);
    record('ipcMain.handle', channel);
    ipcMain.handlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    record('ipcMain.removeHandler', channel);
    ipcMain.handlers.delete(channel);
  },
};

export const shell = {
  openExternal(url: string): Promise<void> {
    record('shell.openExternal', url);
    return Promise.resolve();
  },
};

class App extends EventEmitter {
  userData = '';
  exitCode: number | null = null;
  quitted = false;
  enableSandbox(): void {
    if (isReady) throw new Error('electron stand-in: app.enableSandbox() must be called before the app is ready');
    record('app.enableSandbox');
  }
  whenReady(): Promise<void> {
    record('app.whenReady');
    return readyPromise;
  }
  /** The test's switch: Electron's `ready`. */
  becomeReady(): void {
    record('ready');
    isReady = true;
    this.emit('ready');
    resolveReady();
  }
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`electron stand-in: getPath(${name}) is not recorded`);
    return this.userData;
  }
  getVersion(): string {
    return '0.0.0-stand-in';
  }
  quit(): void {
    record('app.quit');
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    record('quit');
    this.quitted = true;
    this.emit('quit');
  }
  exit(code: number): void {
    record('app.exit', code);
    this.exitCode = code;
    this.emit('exit', code);
  }
}
export const app = new App();

/** For the preload: what it exposes, and where its invokes go (the ipcMain handlers above). */
export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    record('contextBridge.exposeInMainWorld', key);
    contextBridge.exposed.set(key, api);
  },
};

/** The event a handler sees for an invoke from the app's own top frame (or from `url`, if given). */
export function invokeEvent(url = 'app://signalbox/index.html', topLevel = true): unknown {
  return { sender: { id: 1, send: () => undefined, isDestroyed: () => false, once: () => undefined }, senderFrame: { url, parent: topLevel ? null : {} } };
}

export const ipcRenderer = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = ipcMain.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`electron stand-in: no handler for '${channel}'`));
    return Promise.resolve(handler(invokeEvent(), ...args));
  },
  on(channel: string): void {
    record('ipcRenderer.on', channel);
  },
};

const standIn = { app, BrowserWindow, protocol, session, ipcMain, shell, contextBridge, ipcRenderer };
(globalThis as Record<symbol, unknown>)[Symbol.for('signalbox.electron-stand-in')] = standIn;
export default standIn;
