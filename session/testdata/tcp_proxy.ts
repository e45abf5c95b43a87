// Copyright 2025 the pubkit authors. MIT license.
// A TCP proxy in front of a store's server (Redis, PostgreSQL) that a fault test can take down
// and bring back on the same port: the store sees its server vanish and return.

/** A running proxy. */
export interface TcpProxy {
  /** The port it listens on. */
  port: number;
  /** Stops listening and cuts every connection through it. */
  close(): Promise<void>;
}

/** Starts a proxy to `target` (its port is required) on `port` (0: any free port). */
export function startProxy(target: URL, port = 0): TcpProxy {
  if (target.port === "") throw new TypeError(`Cannot proxy to ${target.origin}: give its port`);
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const conns = new Set<Deno.Conn>();
  const pipes: Promise<unknown>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      const upstream = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
      conns.add(conn).add(upstream);
      pipes.push(
        conn.readable.pipeTo(upstream.writable).catch(() => {}),
        upstream.readable.pipeTo(conn.writable).catch(() => {}),
      );
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Already closed by its pipe.
        }
      }
      await accepting;
      await Promise.all(pipes);
    },
  };
}
