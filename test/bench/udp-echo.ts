// The floor of the DNS benchmark: a bare Node UDP server that sends each query straight back with
// QR set. No parsing, no pipeline: what one UDP round trip through Node costs.
// Run: node test/bench/udp-echo.ts PORT   (prints "listening" once bound to 127.0.0.1:PORT)
import { createSocket } from 'node:dgram';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write(`udp-echo: "${process.argv[2] ?? ''}" is not a port — run it as: node test/bench/udp-echo.ts PORT\n`);
  process.exit(2);
}

const socket = createSocket('udp4');
socket.on('message', (message, peer) => {
  // A DNS header is 12 bytes; anything shorter cannot carry the flags byte we flip.
  if (message.length < 12) return;
  message[2] = message[2]! | 0x80; // RFC 1035 §4.1.1: QR=1 marks a response
  socket.send(message, peer.port, peer.address);
});
socket.bind(port, '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
process.on('SIGINT', () => socket.close(() => process.exit(0)));
