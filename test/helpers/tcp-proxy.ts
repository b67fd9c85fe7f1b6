import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './instance.js';

/**
 * A TCP relay to a server (e.g. PostgreSQL) that a test can cut, as a network partition would: every
 * connection through it is destroyed and new ones are refused until it is restored on the same port.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const port = await freePort();
  const open = new Set<Socket>();
  let server: Server | null = null;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const srv = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
          open.add(a);
          a.on('error', () => b.destroy());
          a.on('close', () => {
            open.delete(a);
            b.destroy();
          });
          a.pipe(b);
        }
      });
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        server = srv;
        resolve();
      });
    });
  await listen();
  return {
    port,
    /** Drops every connection and refuses new ones. */
    async cut() {
      const srv = server;
      server = null;
      for (const s of open) s.destroy();
      if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
    restore: listen,
    close() {
      return this.cut();
    },
  };
}
