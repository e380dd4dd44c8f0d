// A real redis-server (Debian's, from apt) for the tests of Railgun's shared version store: on a
// free loopback port, in memory only (no RDB, no AOF), up once it answers PING.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { waitFor } from './wait.ts';

export interface RedisServer {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `password`: clients must AUTH with it (`--requirepass`). */
export async function startRedis(port: number, password?: string): Promise<RedisServer> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'no',
    ...(password ? ['--requirepass', password] : []),
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0, ...(password ? { password } : {}) });
  probe.on('error', () => undefined);
  await waitFor(async () => (await probe.ping().catch(() => null)) === 'PONG', `redis-server on port ${port}`);
  probe.disconnect();
  return {
    port,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
