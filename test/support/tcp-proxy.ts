// A loopback TCP proxy in front of a dev server, so a test can drop every connection at once
// (what a deploy does to sockets) and hold new ones off for a while, without restarting workerd.
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  /** host:port of the proxy (give this to clients). */
  host: string;
  port: number;
  /** Destroys every open connection. With `hold`, new connections are dropped until `resume()`. */
  cut(options?: { hold?: boolean }): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let holding = false;
  const server: Server = createServer((downstream) => {
    if (holding) {
      downstream.destroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");
  return {
    host: `127.0.0.1:${address.port}`,
    port: address.port,
    cut(options = {}) {
      holding = options.hold ?? false;
      for (const socket of sockets) socket.destroy();
    },
    resume() {
      holding = false;
    },
    close() {
      holding = true;
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
