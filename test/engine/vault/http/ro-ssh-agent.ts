// What `ro ssh-agent` does (Red October's cmd/ro, spec §6): a unix socket speaking the ssh-agent
// protocol (draft-ietf-sshm-ssh-agent §4-6) whose keys are ciphertexts on the vault: listing
// identities answers the public keys registered with it (`ro ssh-add` registers ciphertext +
// public key), and a sign request becomes one /ssh-sign-with call with the caller's credentials.
// `ro` cannot be built here, so the tests run this in its place. Like ro's agent it sends no
// algorithm for RSA unless the client's flags ask for SHA-256 (the vault's default is SHA-512).
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

const SSH_AGENT_FAILURE = 5;
const SSH_AGENTC_REQUEST_IDENTITIES = 11;
const SSH_AGENT_IDENTITIES_ANSWER = 12;
const SSH_AGENTC_SIGN_REQUEST = 13;
const SSH_AGENT_SIGN_RESPONSE = 14;
const SSH_AGENT_RSA_SHA2_256 = 2;

export interface AgentKey {
  /** The public key line (`ssh-ed25519 AAAA… comment`). */
  publicKey: string;
  /** The ciphertext (base64, as /encrypt answered it) holding the private key. */
  ciphertext: string;
}

export interface RoSshAgent {
  socketPath: string;
  /** Every /ssh-sign-with answer's Status, in order. */
  statuses: string[];
  close(): Promise<void>;
}

type Post = (path: string, body: unknown) => Promise<{ answer: { Status: string; Response?: string } }>;

const string = (bytes: Buffer) => Buffer.concat([uint32(bytes.length), bytes]);
function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}
const blobOf = (publicKey: string) => Buffer.from(publicKey.trim().split(/\s+/)[1]!, 'base64');

export async function startRoSshAgent(dir: string, credentials: { Name: string; Password: string }, keys: AgentKey[], post: Post): Promise<RoSshAgent> {
  const socketPath = join(dir, 'ro-agent.sock');
  const statuses: string[] = [];
  const answer = async (message: Buffer): Promise<Buffer> => {
    if (message[0] === SSH_AGENTC_REQUEST_IDENTITIES) {
      const entries = keys.map((key) => Buffer.concat([string(blobOf(key.publicKey)), string(Buffer.from('signalbox vault'))]));
      return Buffer.concat([Buffer.from([SSH_AGENT_IDENTITIES_ANSWER]), uint32(keys.length), ...entries]);
    }
    if (message[0] !== SSH_AGENTC_SIGN_REQUEST) return Buffer.from([SSH_AGENT_FAILURE]);
    let offset = 1;
    const read = () => {
      const length = message.readUInt32BE(offset);
      const value = message.subarray(offset + 4, offset + 4 + length);
      offset += 4 + length;
      return value;
    };
    const blob = read();
    const data = read();
    const flags = message.readUInt32BE(offset);
    const key = keys.find((k) => blobOf(k.publicKey).equals(blob));
    if (!key) return Buffer.from([SSH_AGENT_FAILURE]);
    const { answer: reply } = await post('/ssh-sign-with', {
      ...credentials,
      Data: key.ciphertext,
      TBSData: data.toString('base64'),
      ...(flags & SSH_AGENT_RSA_SHA2_256 ? { Algorithm: 'rsa-sha2-256' } : {}),
    });
    statuses.push(reply.Status);
    if (reply.Status !== 'ok') return Buffer.from([SSH_AGENT_FAILURE]);
    const signed = JSON.parse(Buffer.from(reply.Response!, 'base64').toString('utf8')) as { SignatureFormat: string; Signature: string };
    const signature = Buffer.concat([string(Buffer.from(signed.SignatureFormat)), string(Buffer.from(signed.Signature, 'base64'))]);
    return Buffer.concat([Buffer.from([SSH_AGENT_SIGN_RESPONSE]), string(signature)]);
  };
  const serve = (socket: Socket) => {
    let pending = Buffer.alloc(0);
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
        const message = pending.subarray(4, 4 + pending.readUInt32BE(0));
        pending = pending.subarray(4 + message.length);
        queue = queue.then(async () => {
          const reply = await answer(message).catch(() => Buffer.from([SSH_AGENT_FAILURE]));
          if (!socket.destroyed) socket.write(Buffer.concat([uint32(reply.length), reply]));
        });
      }
    });
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer(serve);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  return { socketPath, statuses, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
