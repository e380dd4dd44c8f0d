// The floor of a cache miss: a bare Node UDP forwarder. Each query goes to the upstream under a
// new ID on one connected socket, and the answer goes back to its client with the client's ID. No
// parsing, no cache, no checks, no timeouts: what two UDP round trips through Node cost, the work
// every miss of a Node DNS proxy has to do whatever else it does.
// Run: node test/bench/udp-forward.ts PORT UPSTREAM_PORT   (prints "listening" once bound)
import { createSocket } from 'node:dgram';

const [port, upstreamPort] = process.argv.slice(2, 4).map(Number);
for (const value of [port, upstreamPort]) {
  if (!Number.isInteger(value) || value! <= 0 || value! > 65535) {
    process.stderr.write('udp-forward: run it as: node test/bench/udp-forward.ts PORT UPSTREAM_PORT\n');
    process.exit(2);
  }
}

/** Who asked under each upstream ID: the ID space is the table (a floor, so no reuse checks). */
const clientPorts = new Uint16Array(0x10000);
const clientIds = new Uint16Array(0x10000);
const clientAddresses: string[] = new Array<string>(0x10000).fill('');
let nextId = 0;

const listener = createSocket('udp4');
const upstream = createSocket('udp4');
listener.on('message', (message, peer) => {
  if (message.length < 12) return;
  const id = nextId;
  nextId = (nextId + 1) & 0xffff;
  clientIds[id] = message.readUInt16BE(0);
  clientPorts[id] = peer.port;
  clientAddresses[id] = peer.address;
  message.writeUInt16BE(id, 0);
  upstream.send(message);
});
upstream.on('message', (message) => {
  if (message.length < 12) return;
  const id = message.readUInt16BE(0);
  message.writeUInt16BE(clientIds[id]!, 0);
  listener.send(message, clientPorts[id]!, clientAddresses[id]!);
});
upstream.connect(upstreamPort!, '127.0.0.1', () => {
  listener.bind(port, '127.0.0.1', () => process.stdout.write('listening\n'));
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
