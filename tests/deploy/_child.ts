// A child process for the deployment tests: its own process group (a "host" of its own), its
// stdout and stderr collected as lines, waited on with deadlines, and stopped by its PID only.

/** A running child; `await using` stops it (SIGKILL if it will not stop). */
export interface Child extends AsyncDisposable {
  readonly pid: number;
  /** Every line it printed so far, stdout and stderr interleaved as read. */
  readonly lines: string[];
  /** True once it has exited. */
  readonly exited: boolean;
  /** Resolves with the first match of `pattern` in a line; rejects on exit or after `timeout`. */
  waitFor(pattern: RegExp, timeout: number): Promise<RegExpMatchArray>;
  /**
   * Sends `signal` to its PID and waits for the exit code; past `timeout` sends SIGKILL and
   * throws.
   */
  stop(signal: Deno.Signal, timeout: number): Promise<number>;
}

/** Starts `command args` in its own process group (`setsid`), with exactly `env` added. */
export function spawnChild(
  command: string,
  args: string[],
  options: { cwd?: string | URL; env?: Record<string, string> } = {},
): Child {
  const process = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      lines.push(...parts);
      for (const wake of waiters) wake();
    }
    if (rest) lines.push(rest);
  };
  const readers = Promise.all([read(process.stdout), read(process.stderr)]);
  let exited = false;
  const status = process.status.then(async (status) => {
    exited = true;
    await readers;
    for (const wake of waiters) wake();
    return status;
  });
  const describe = () => `${command} ${args.join(" ")} (pid ${process.pid})`;

  const child: Child = {
    pid: process.pid,
    lines,
    get exited() {
      return exited;
    },
    waitFor(pattern, timeout) {
      return new Promise((resolve, reject) => {
        let seen = 0;
        const check = () => {
          for (; seen < lines.length; seen++) {
            const match = lines[seen].match(pattern);
            if (match) return done(() => resolve(match));
          }
          if (exited) {
            done(() =>
              reject(new Error(`Cannot find ${pattern}: ${describe()} exited\n${tail()}`))
            );
          }
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`Cannot find ${pattern} in ${timeout} ms\n${tail()}`))),
          timeout,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal, timeout) {
      if (!exited) process.kill(signal);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) =>
        timer = setTimeout(() => resolve("late"), timeout)
      );
      const outcome = await Promise.race([status, late]);
      clearTimeout(timer);
      if (outcome === "late") {
        process.kill("SIGKILL");
        await status;
        throw new Error(
          `Cannot stop ${describe()}: no exit ${timeout} ms after ${signal}\n${tail()}`,
        );
      }
      return outcome.code;
    },
    async [Symbol.asyncDispose]() {
      if (!exited) process.kill("SIGKILL");
      await status;
    },
  };
  const tail = () => lines.slice(-20).join("\n");
  return child;
}

/** A port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
