// Copyright 2025 the pubkit authors. MIT license.
// Private redis-server processes for tests that need a server of their own: a single one (whose
// INFO commandstats no other client disturbs) or a cluster of three primaries with a replica
// each. Each server gets its own temp folder and free ports; stop() kills them by PID.
import { Redis } from "ioredis";

/** Running servers. */
export interface RedisServers extends AsyncDisposable {
  /** `redis://127.0.0.1:<port>` of each server, primaries first. */
  urls: string[];
  /** The ports, in the order of `urls`. */
  ports: number[];
  /** Stops every server (SIGTERM, then SIGKILL) and removes the temp folders. */
  stop(): Promise<void>;
}

/** Whether `redis-server` and `redis-cli` can be run here. */
export async function haveRedisServer(): Promise<boolean> {
  try {
    const [server, cli] = await Promise.all(
      ["redis-server", "redis-cli"].map((name) =>
        new Deno.Command(name, { args: ["--version"], stdout: "null", stderr: "null" }).output()
      ),
    );
    return server.success && cli.success;
  } catch {
    return false;
  }
}

/** A port that was free a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("redis-cli", {
    args: ["-h", "127.0.0.1", "-p", String(port), ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`redis-cli ${args.join(" ")}: ${text}`);
  return text;
}

/** Polls `check` every 50 ms until it returns true, or throws after `ms`. */
export async function until(what: string, check: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Cannot ${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts `count` redis-server processes (with `cluster`, in cluster mode, and joins them into
 * a cluster of `count / 2` primaries with one replica each).
 */
export async function startRedis(count = 1, cluster = false): Promise<RedisServers> {
  const children: Deno.ChildProcess[] = [];
  const dirs: string[] = [];
  const ports: number[] = [];
  const stop = async () => {
    for (const child of children) {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone (a test may kill a primary).
      }
    }
    const timer = setTimeout(() => {
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch {
          // Gone.
        }
      }
    }, 5000);
    await Promise.all(children.map((child) => child.status));
    clearTimeout(timer);
    for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      const port = freePort();
      const dir = await Deno.makeTempDir({ prefix: "pubkit-redis-" });
      dirs.push(dir);
      ports.push(port);
      const args = [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--logfile",
        `${dir}/redis.log`,
        // Every command in the slow log: it tells a client's commands (with its address) from
        // those a script runs (address "?:0"), which INFO commandstats counts alike.
        "--slowlog-log-slower-than",
        "0",
        "--slowlog-max-len",
        "100000",
      ];
      if (cluster) {
        args.push(
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          `${dir}/nodes.conf`,
          "--cluster-node-timeout",
          "2000",
          "--cluster-port",
          String(freePort()),
        );
      }
      children.push(
        new Deno.Command("redis-server", { args, stdout: "null", stderr: "null", stdin: "null" })
          .spawn(),
      );
    }
    for (const port of ports) {
      await until(
        `reach redis-server on ${port}`,
        async () => (await cli(port, "ping")).includes("PONG"),
      );
    }
    if (cluster) {
      await cli(
        ports[0]!,
        "--cluster",
        "create",
        ...ports.map((port) => `127.0.0.1:${port}`),
        "--cluster-replicas",
        "1",
        "--cluster-yes",
      );
      // `cluster_state:ok` comes before every node has learnt of every replica, and a replica
      // still syncing cannot take over: wait until each node sees every primary with a replica
      // and each replica's link to its primary is up.
      for (const port of ports) {
        await until(
          `see the cluster ok on ${port}`,
          async () => (await cli(port, "cluster", "info")).includes("cluster_state:ok"),
        );
        await until(`see every primary with a replica from ${port}`, async () => {
          const lines = (await cli(port, "cluster", "nodes")).trim().split("\n");
          const primaries = lines.filter((line) => line.split(" ")[2]!.includes("master"));
          const replicaOf = new Set(
            lines.filter((line) => line.split(" ")[2]!.includes("slave"))
              .map((line) => line.split(" ")[3]),
          );
          return primaries.length === count / 2 &&
            primaries.every((line) => replicaOf.has(line.split(" ")[0]));
        });
        const role = await cli(port, "role");
        if (role.startsWith("slave")) {
          await until(
            `see the replica on ${port} in sync`,
            async () => (await cli(port, "info", "replication")).includes("master_link_status:up"),
          );
        }
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    urls: ports.map((port) => `redis://127.0.0.1:${port}`),
    ports,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Runs a command on one server through redis-cli and returns its output. */
export function redisCli(port: number, ...args: string[]): Promise<string> {
  return cli(port, ...args);
}

/**
 * The commands that clients sent (round trips), by name, from the slow log (which logs every
 * command here), not counting what scripts ran inside; the log is emptied after reading.
 */
export async function clientCommands(port: number): Promise<Map<string, number>> {
  const client = new Redis(port, "127.0.0.1");
  try {
    const entries = await client.slowlog("GET", 100_000) as [
      number,
      number,
      number,
      string[],
      string,
      string,
    ][];
    await client.slowlog("RESET");
    const counts = new Map<string, number>();
    for (const [, , , [name], address] of entries) {
      const command = name!.toLowerCase();
      if (address === "?:0" || command === "slowlog") continue;
      counts.set(command, (counts.get(command) ?? 0) + 1);
    }
    return counts;
  } finally {
    client.disconnect();
  }
}

/** The `calls` of every command in `INFO commandstats`, by command name. */
export async function commandCalls(port: number): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (
    const [, name, count] of (await cli(port, "info", "commandstats")).matchAll(
      /^cmdstat_([^:]+):calls=(\d+)/gm,
    )
  ) calls.set(name!, Number(count));
  return calls;
}
