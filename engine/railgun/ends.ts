// Starts the ends a config asks for: the pair (both ends here, over loopback TLS with a generated
// certificate that the sender pins and a generated token), a listener alone or a sender alone.
// The engine and `signalbox railgun` both start them through here.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../api/engine.ts';
import type { RailgunConfig } from '../api/railgun.ts';
import { splitHostPort } from '../api/address.ts';
import { Link } from './link.ts';
import { Listener } from './listener.ts';
import { SavingsBook } from './savings.ts';
import { Sender } from './sender.ts';
import { SharedVersions } from './shared-store.ts';
import { generateCertificate, generateToken, spkiPin, type TlsMaterial } from './tls.ts';

export interface Ends {
  listener: Listener | null;
  /** The listener's key pin, for the sender's config (public: it names a public key). */
  pin: string | null;
  sender: Sender | null;
  link: Link | null;
  stop(): Promise<void>;
}

export class RailgunSetupError extends Error {
  override readonly name = 'RailgunSetupError';
  readonly code = 'E_RAILGUN_SETUP';
}

/** The shortest token accepted from a file: 128 bits written as base64. */
const minTokenLength = 22;

export async function startEnds(config: RailgunConfig, book: SavingsBook, dataDir: string, log: Logger): Promise<Ends> {
  const started: Ends = { listener: null, pin: null, sender: null, link: null, stop: async () => undefined };
  const stop = async () => {
    started.link?.stop();
    await Promise.all([started.sender?.close(), started.listener?.close()]);
  };
  started.stop = stop;
  try {
    if (config.role === 'pair') {
      const tls = await generateCertificate(['127.0.0.1', 'localhost']);
      const token = generateToken();
      const at = splitHostPort(config.linkListen ?? '127.0.0.1:0');
      started.listener = await Listener.start({
        ...at,
        origin: new URL(config.origin),
        tls,
        token,
        limits: config.limits,
        ...privacy(config),
        log: log.child('listener'),
      });
      started.pin = spkiPin(tls.cert);
      started.link = new Link({ url: new URL(`https://127.0.0.1:${started.listener.port}`), token, pin: started.pin, log: log.child('link') });
    } else if (config.role === 'listener') {
      const tls = await listenerTls(config, log);
      const token = readToken(config, dataDir, log, true);
      started.listener = await Listener.start({
        ...splitHostPort(config.linkListen ?? '0.0.0.0:8443'),
        origin: new URL(config.origin),
        tls,
        token,
        limits: config.limits,
        ...privacy(config),
        book,
        log: log.child('listener'),
      });
      started.pin = spkiPin(tls.cert);
    } else {
      if (!config.link) throw new RailgunSetupError("a sender needs the listener's URL: set link (or --link https://HOST:PORT)");
      if (!config.ca && !config.pin)
        throw new RailgunSetupError("a sender must know the listener it talks to: give ca (the CA or the listener's certificate, PEM) or pin (sha256/...)");
      const token = readToken(config, dataDir, log, false);
      started.link = new Link({
        url: new URL(config.link),
        token,
        ...(config.ca ? { ca: readFile(config.ca, 'ca') } : {}),
        ...(config.pin ? { pin: config.pin } : {}),
        log: log.child('link'),
      });
    }
    if (started.link) {
      started.link.start();
      const { store } = config;
      const shared =
        store.kind === 'redis'
          ? new SharedVersions({
              url: store.url,
              maxBytes: store.maxBytes,
              ttl: store.ttl,
              versionsPerKey: config.limits.versionsPerKey,
              noStoreIdleMs: config.noStoreIdleMs,
              log: log.child('shared-store'),
            })
          : null;
      started.sender = await Sender.start({
        ...splitHostPort(config.listen),
        link: started.link,
        limits: config.limits,
        clients: config.clients,
        noStoreIdleMs: config.noStoreIdleMs,
        book,
        log: log.child('sender'),
        ...(shared ? { shared } : {}),
      }).catch(async (err: Error) => {
        await shared?.close();
        throw err;
      });
    }
    return started;
  } catch (err) {
    await stop();
    throw err;
  }
}

function privacy(config: RailgunConfig): { honourNoStore: boolean; noStoreIdleMs: number } {
  return { honourNoStore: config.honourNoStore, noStoreIdleMs: config.noStoreIdleMs };
}

async function listenerTls(config: RailgunConfig, log: Logger): Promise<TlsMaterial> {
  if (config.cert && config.key) return { cert: readFile(config.cert, 'cert'), key: readFile(config.key, 'key') };
  if (config.cert || config.key) throw new RailgunSetupError('give both cert and key (PEM files), or neither for a generated certificate');
  const tls = await generateCertificate(['127.0.0.1', 'localhost']);
  log.info('railgun listener: no certificate given, generated one for this run; the sender needs its pin');
  return tls;
}

function readToken(config: RailgunConfig, dataDir: string, log: Logger, mayCreate: boolean): string {
  if (config.tokenFile) {
    const token = readFile(config.tokenFile, 'token file').trim();
    if (token.length < minTokenLength)
      throw new RailgunSetupError(`the token in ${config.tokenFile} is too short: write at least ${minTokenLength} characters (e.g. openssl rand -base64 32)`);
    return token;
  }
  if (!mayCreate) throw new RailgunSetupError("a sender needs the link token: give tokenFile (or --token-file F) with the listener's token");
  const file = path.join(dataDir, 'railgun', 'link-token');
  try {
    return readFile(file, 'token file').trim();
  } catch {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${generateToken()}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    log.info('railgun listener: generated a link token; copy this file to the sender (--token-file)', { file });
    return readFile(file, 'token file').trim();
  }
}

function readFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new RailgunSetupError(`cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
