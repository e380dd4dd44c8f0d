// Where datagrams were lost to full receive buffers during a load: the kernel counts them per UDP
// socket (the last column of /proc/net/udp), and /proc/PID/fd tells whose socket it is. The soak
// splits them into the engine's listening socket (shared by its processes: queries none read in
// time), the engine processes' other sockets (upstream answers), the relay, Knot, the load (answers
// it did not read in time: the measuring side's fault) and the rest of the host.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { udpReceiveBufferDrops } from './peers.ts';

export const dropPlaces = ['listener', 'engine', 'relay', 'knot', 'load', 'elsewhere'] as const;
export type UdpDrops = Record<(typeof dropPlaces)[number], number>;

/** The processes whose sockets are told apart; asked at every sample, as engine processes come and go. */
export type Owners = Partial<Record<'engine' | 'relay' | 'knot' | 'load', () => number[]>>;

interface UdpSocket {
  port: number;
  inode: number;
  drops: number;
}

function udpSockets(): UdpSocket[] {
  return readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
      const fields = line.trim().split(/\s+/);
      return { port: parseInt(fields[1]!.split(':')[1]!, 16), inode: Number(fields[9]), drops: Number(fields[12]) };
    });
}

function socketInodesOf(pid: number): number[] {
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    // The process has exited: its sockets were seen by the samples before.
  }
  const inodes: number[] = [];
  for (const fd of fds) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.push(Number(inode));
    } catch {
      // Closed between the listing and the read.
    }
  }
  return inodes;
}

/** Samples every `everyMs` until stop(), as sockets close (the load's when it ends, a drained engine process's). */
export function watchUdpDrops(listenerPort: number, owners: Owners, everyMs = 100): { stop(): UdpDrops } {
  const hostBefore = udpReceiveBufferDrops();
  /** By inode: its place, the drops when first seen (0 for a socket opened after the start) and the latest. */
  const seen = new Map<number, { place: keyof UdpDrops; first: number; last: number }>();
  const owner = new Map<number, keyof UdpDrops>();
  const sample = (start: boolean) => {
    for (const [place, pids] of Object.entries(owners) as [keyof Owners, () => number[]][]) {
      for (const pid of pids()) for (const inode of socketInodesOf(pid)) owner.set(inode, place);
    }
    for (const socket of udpSockets()) {
      const place = socket.port === listenerPort ? 'listener' : owner.get(socket.inode);
      const known = seen.get(socket.inode);
      if (known) {
        known.last = socket.drops;
        if (known.place === 'elsewhere' && place) known.place = place;
      } else seen.set(socket.inode, { place: place ?? 'elsewhere', first: start ? socket.drops : 0, last: socket.drops });
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      const drops = Object.fromEntries(dropPlaces.map((place) => [place, 0])) as UdpDrops;
      for (const { place, first, last } of seen.values()) if (place !== 'elsewhere') drops[place] += last - first;
      // Sockets that came and went between two samples are only in the host's counter.
      drops.elsewhere = udpReceiveBufferDrops() - hostBefore - dropPlaces.reduce((total, place) => total + (place === 'elsewhere' ? 0 : drops[place]), 0);
      return drops;
    },
  };
}
