/**
 * A TCP proxy on 127.0.0.1 that a test can cut, to take a shared server (PostgreSQL) "down" for one
 * client without stopping it for everyone else.
 *
 * ```ts
 * const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
 * const url = `postgres://postgres@127.0.0.1:${proxy.port}/test`;
 * proxy.cut();     // destroys every open connection; new ones are accepted and closed at once
 * proxy.silence(); // a network partition: nothing passes either way, nothing is closed
 * proxy.restore(); // connections pass through again (silenced ones resume where they stopped)
 * await proxy.close();
 * ```
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** True between `cut()` and `restore()`. */
  readonly down: boolean;
  /** Connections accepted and passed through so far. */
  readonly passed: number;
  /** Connections refused (closed at once) while down. */
  readonly refused: number;
  cut(): void;
  silence(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down = false;
  let silent = false;
  const held: Socket[] = [];
  let passed = 0;
  let refused = 0;
  const pass = (client: Socket) => {
    passed++;
    const upstream = createConnection(target);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  };
  const server = createServer((client) => {
    if (down) {
      refused++;
      client.destroy(); // the client sees its connection closed before the server's greeting
      return;
    }
    if (silent) {
      client.pause(); // accepted, never answered: the connect hangs
      held.push(client);
      return;
    }
    pass(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    get down() {
      return down;
    },
    get passed() {
      return passed;
    },
    get refused() {
      return refused;
    },
    cut() {
      down = true;
      for (const s of open) s.destroy();
    },
    silence() {
      silent = true;
      for (const s of open) s.pause(); // bytes stay in the kernel's buffers, as on a dead link
    },
    restore() {
      down = false;
      silent = false;
      for (const s of open) s.resume();
      for (const c of held.splice(0)) {
        c.resume();
        pass(c);
      }
    },
    close() {
      down = true;
      for (const s of open) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
