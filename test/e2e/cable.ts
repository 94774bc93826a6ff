// The network between the browser and the server, as a TCP relay a test can unplug (offline and live
// update tests).
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * The network between the browser and the server, as a TCP relay that can be unplugged. Playwright's
 * offline emulation sets navigator.onLine and fails the page's requests, but not reliably those that
 * pass through the service worker: now and then a comment made "offline" reached the server (sent
 * twice, or before the network was back). Unplugged, nothing can.
 */
export class Cable {
  private readonly sockets = new Set<Socket>();
  private plugged = true;
  private constructor(
    private readonly relay: Server,
    readonly origin: string,
  ) {}

  static async to(target: string): Promise<Cable> {
    const { hostname, port } = new URL(target);
    const relay = createServer();
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const address = relay.address();
    if (!address || typeof address === 'string') throw new Error('the relay has no port');
    const cable = new Cable(relay, `http://127.0.0.1:${address.port}`);
    relay.on('connection', (client) => {
      if (!cable.plugged) return client.destroy();
      const upstream = createConnection({ host: hostname, port: Number(port) });
      for (const socket of [client, upstream]) {
        cable.sockets.add(socket);
        socket.on('close', () => cable.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    return cable;
  }

  unplug(): void {
    this.plugged = false;
    for (const socket of this.sockets) socket.destroy();
  }

  plug(): void {
    this.plugged = true;
  }

  close(): Promise<void> {
    this.unplug();
    return new Promise((resolve) => this.relay.close(() => resolve()));
  }
}
