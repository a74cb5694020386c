import net from 'node:net';

/** Below Linux's ephemeral range (32768–60999), from which outgoing connections take their source ports. */
const LOW = 20_000;
const HIGH = 32_000;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port on 127.0.0.1 for a process a test starts. Not one the kernel hands out (listen(0)
 * picks from the ephemeral range), since in the moment between this check and the child's own
 * bind, any outgoing connection of the machine (to Temporal, PostgreSQL, a receiver) could be
 * given that same port as its source and the child fail with EADDRINUSE, as seen in CI.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}
