/**
 * Head and idle deadlines on connections, which `Deno.serve` does not enforce.
 *
 * @module
 */

/** Options for {@linkcode ConnectionGuard}. */
export interface ConnectionGuardOptions {
  /**
   * How long a client may take to send a complete request head (up to the blank line), from
   * the start of the connection or of each later request; 10 s by default.
   */
  headTimeout?: number;
  /** How long a connection may carry no byte in either direction; 60 s by default. */
  idleTimeout?: number;
}

const CRLFCRLF = [13, 10, 13, 10];

/**
 * A TCP front for a server on loopback that closes slow and idle connections: a head that is
 * not complete within `headTimeout` (slowloris), and a connection silent for `idleTimeout` (idle
 * keep-alive, or a socket left open after `Connection: close`). Bytes are copied unchanged; the
 * guard only finds where request heads end. The server behind it sees the guard's address;
 * {@linkcode ConnectionGuard.clientOf} maps it back to the client's.
 *
 * @example
 * ```ts
 * import { ConnectionGuard } from "@pubkit/server";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("hi"));
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const guard = new ConnectionGuard(listener, server.addr, { headTimeout: 1000 });
 * const response = await fetch(`http://127.0.0.1:${listener.addr.port}/`);
 * assert.equal(await response.text(), "hi");
 * await guard.close();
 * await server.shutdown();
 * ```
 */
export class ConnectionGuard {
  #listener: Deno.TcpListener;
  #target: Deno.NetAddr;
  #headTimeout: number;
  #idleTimeout: number;
  #clients = new Map<number, Deno.NetAddr>();
  #closers = new Set<() => void>();
  #accepting: Promise<void>;

  /**
   * Starts accepting on `listener` and forwarding to `target`.
   *
   * @param listener Where clients connect.
   * @param target The server behind the guard (on loopback).
   * @param options The deadlines.
   * @throws {RangeError} For a deadline that is not a positive number.
   */
  constructor(
    listener: Deno.TcpListener,
    target: Deno.NetAddr,
    options: ConnectionGuardOptions = {},
  ) {
    const { headTimeout = 10_000, idleTimeout = 60_000 } = options;
    for (const [name, value] of [["headTimeout", headTimeout], ["idleTimeout", idleTimeout]]) {
      if (typeof value !== "number" || !(value > 0)) {
        throw new RangeError(`Cannot guard connections: ${name} ${value} is not a positive number`);
      }
    }
    this.#listener = listener;
    this.#target = target;
    this.#headTimeout = headTimeout;
    this.#idleTimeout = idleTimeout;
    this.#accepting = this.#accept();
  }

  /** How many client connections are open. */
  get connections(): number {
    return this.#closers.size;
  }

  /**
   * The client behind a connection the guard opened to the server.
   *
   * @param port The port of the guard's side, as the server sees it in `remoteAddr`.
   * @returns The client's address, if that connection is open.
   */
  clientOf(port: number): Deno.NetAddr | undefined {
    return this.#clients.get(port);
  }

  /**
   * Stops accepting; open connections go on until they end or hit a deadline.
   *
   * @returns When the listener is closed.
   */
  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    await this.#accepting;
  }

  /** Closes every open connection at once. */
  closeAll(): void {
    for (const close of [...this.#closers]) close();
  }

  async #accept(): Promise<void> {
    while (true) {
      let client: Deno.TcpConn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // the listener was closed
      }
      this.#forward(client).catch(() => {});
    }
  }

  async #forward(client: Deno.TcpConn): Promise<void> {
    let server: Deno.TcpConn;
    try {
      server = await Deno.connect({ hostname: this.#target.hostname, port: this.#target.port });
    } catch {
      client.close();
      return;
    }
    const port = (server.localAddr as Deno.NetAddr).port;
    this.#clients.set(port, client.remoteAddr as Deno.NetAddr);
    let closed = false;
    let headTimer: ReturnType<typeof setTimeout> | undefined;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const close = () => {
      if (closed) return;
      closed = true;
      clearTimeout(headTimer);
      clearTimeout(idleTimer);
      this.#clients.delete(port);
      this.#closers.delete(close);
      for (const conn of [client, server]) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
    };
    this.#closers.add(close);
    const touch = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(close, this.#idleTimeout);
    };
    // A request head is awaited at the start and whenever the client sends again after the
    // server has answered (the next request on a kept-alive connection).
    let awaitingHead = true;
    let matched = 0;
    let answered = false;
    headTimer = setTimeout(close, this.#headTimeout);
    touch();
    // Copies `from` to `to` until either side ends or fails, showing each chunk to `seen` first.
    const pump = async (
      from: Deno.TcpConn,
      to: Deno.TcpConn,
      size: number,
      seen: (chunk: Uint8Array) => void,
    ) => {
      const buffer = new Uint8Array(size);
      while (!closed) {
        const n = await from.read(buffer).catch(() => null);
        if (n === null) break;
        touch();
        const chunk = buffer.subarray(0, n);
        seen(chunk);
        if (!(await writeAll(to, chunk))) break;
      }
    };
    const watchHead = (chunk: Uint8Array) => {
      if (!awaitingHead && answered) {
        awaitingHead = true;
        answered = false;
        matched = 0;
        headTimer = setTimeout(close, this.#headTimeout);
      }
      for (let i = 0; i < chunk.length && awaitingHead; i++) {
        matched = chunk[i] === CRLFCRLF[matched] ? matched + 1 : chunk[i] === 13 ? 1 : 0;
        if (matched === 4) {
          awaitingHead = false;
          clearTimeout(headTimer);
        }
      }
    };
    const upstream = async () => {
      await pump(client, server, 16 * 1024, watchHead);
      await server.closeWrite().catch(() => {});
    };
    const downstream = async () => {
      await pump(server, client, 64 * 1024, () => void (answered = true));
      close();
    };
    await Promise.all([upstream(), downstream()]);
    close();
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<boolean> {
  try {
    for (let written = 0; written < bytes.length;) {
      written += await conn.write(bytes.subarray(written));
    }
    return true;
  } catch {
    return false;
  }
}
