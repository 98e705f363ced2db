import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The kernel's ephemeral range (net.ipv4.ip_local_port_range): the local ports of outgoing
 * connections and of `listen(0)`.
 */
export function ephemeralPortRange(
  read: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'),
): [number, number] {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low <= high) return [low, high];
  } catch {
    /* not Linux: the IANA range */
  }
  return [49152, 65535];
}

/**
 * The ports freePort may hand out: the largest block outside the ephemeral range (above 10000,
 * clear of well-known services). A port from `listen(0)` is an ephemeral one, and between
 * closing it and the process that is given it listening, any outgoing connection of the machine
 * (a database pool, a Kafka client) can take it as its local port: the listen then fails with
 * EADDRINUSE. Ports outside the range are never taken that way.
 */
export function listenPortBlock([low, high]: [number, number]): [number, number] | undefined {
  const below: [number, number] = [10_000, low - 1];
  const above: [number, number] = [high + 1, 65_535];
  const size = ([a, b]: [number, number]) => b - a + 1;
  const best = size(below) >= size(above) ? below : above;
  return size(best) >= 1_000 ? best : undefined;
}

const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    // The platform's processes listen on every address: check the same.
    server.listen(port, () => server.close(() => done(true)));
  });
}

function ephemeralPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/**
 * A port nothing listens on, for a process that will listen on it later: chosen at random
 * outside the ephemeral range (see listenPortBlock) and never the same twice in this process.
 */
export async function freePort(): Promise<number> {
  const block = listenPortBlock(ephemeralPortRange());
  if (!block) return ephemeralPort();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = block[0] + Math.floor(Math.random() * (block[1] - block[0] + 1));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  return ephemeralPort();
}
