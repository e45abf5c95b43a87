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
      closeAll(conns);
      await accepting;
      await Promise.all(pipes);
    },
  };
}

function closeAll(conns: Set<Deno.Conn>): void {
  for (const conn of conns) {
    try {
      conn.close();
    } catch {
      // Already closed by its pipe.
    }
  }
  conns.clear();
}

/**
 * A proxy (to Redis) that can lose one reply: after `loseNextReply()`, the next bytes from the
 * client reach Redis, then both connections are cut before Redis answers, and new connections
 * wait until `reconnect()`. What a client sees when a connection drops or a slot moves mid-call.
 */
export function replyLosingProxy(target: URL) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  let lose: PromiseWithResolvers<void> | undefined;
  let gate: PromiseWithResolvers<void> | undefined;
  let dropReplies = false;
  const pipe = async (from: Deno.Conn, to: Deno.Conn, toRedis: boolean) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (let n; (n = await from.read(buffer)) !== null;) {
        if (toRedis && lose !== undefined) dropReplies = true;
        if (!toRedis && dropReplies) continue; // the reply is lost
        await to.write(buffer.subarray(0, n));
        if (toRedis && lose !== undefined) {
          await new Promise((resolve) => setTimeout(resolve, 100)); // Redis runs it
          closeAll(conns);
          dropReplies = false;
          lose.resolve();
          lose = undefined;
          return;
        }
      }
    } catch {
      // Cut.
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      await gate?.promise;
      const upstream = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
      conns.add(conn).add(upstream);
      pipe(conn, upstream, true);
      pipe(upstream, conn, false);
    }
  })().catch(() => {});
  return {
    url: `redis://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    /** Resolves once a call went through and its reply was lost. */
    loseNextReply(): Promise<void> {
      gate = Promise.withResolvers();
      lose = Promise.withResolvers();
      return lose.promise;
    },
    reconnect(): void {
      gate?.resolve();
    },
    async close() {
      listener.close();
      closeAll(conns);
      await accepting;
    },
  };
}
