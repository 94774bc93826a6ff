// A TCP proxy the checker puts between one spawned instance and Redis, so that it can cut that
// instance's link (a partition: every connection reset, new ones refused) while the others keep theirs,
// and restore it.
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let open = true;
  const pairs = new Set<[Socket, Socket]>();
  const end = (pair: [Socket, Socket]) => {
    pairs.delete(pair);
    pair[0].destroy();
    pair[1].destroy();
  };
  const server = createServer((client) => {
    if (!open) return void client.resetAndDestroy();
    const upstream = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    for (const socket of pair) socket.on('error', () => end(pair)).on('close', () => end(pair));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      open = false;
      for (const pair of [...pairs]) {
        pairs.delete(pair);
        pair[0].resetAndDestroy();
        pair[1].destroy();
      }
    },
    restore() {
      open = true;
    },
    async close() {
      for (const pair of [...pairs]) end(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
