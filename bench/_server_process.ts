// Starting a server of bench/servers/ in its own process, as bench/http.ts and
// bench/instructions.ts both do: pinned to CPU 0, behind whatever wraps it (valgrind), ready once
// it prints `listening <port>`.

const here = (path: string) => new URL(path, import.meta.url).pathname;

/**
 * The stacks under test by name, each a file of bench/servers/ ("pubkit" with default options,
 * its access log on; "pubkit-log-off" the same with `accessLog: false`); with `compare`, another
 * checkout's pubkit as one more stack, "pubkit-b", to measure a change before and after.
 *
 * @param compare The path of another checkout's `bench/servers/pubkit.ts`.
 * @returns Server files by stack name.
 */
export function benchStacks(compare?: string): Record<string, string> {
  const stacks: Record<string, string> = {
    pubkit: here("./servers/pubkit.ts"),
    "pubkit-log-off": here("./servers/pubkit_log_off.ts"),
    raw: here("./servers/raw.ts"),
    hono: here("./servers/hono.ts"),
  };
  if (compare) stacks["pubkit-b"] = compare;
  return stacks;
}

/** A benchmark server running in its own process. */
export interface ServerProcess {
  /** The stack's name. */
  name: string;
  /** The process id (`taskset` and `valgrind` exec in place, so it is the server's). */
  pid: number;
  /** The port it listens on, on 127.0.0.1. */
  port: number;
  /** The process. */
  child: Deno.ChildProcess;
  /** The end of what it wrote on stderr, for error messages. */
  stderr(): string;
  /** How many lines it wrote on stdout (its access log) since it listened. */
  stdoutLines(): number;
}

/** Options for {@linkcode startServer}. */
export interface StartServerOptions {
  /** Arguments put before `deno run …`, e.g. a valgrind command line. */
  wrapper?: string[];
  /** How long it may take to listen, in ms. */
  timeout: number;
  /**
   * Its stdout into this file instead of a pipe the bench reads (`> file`: the issue measured
   * the access log that way; a regular file takes a batch in one write, a pipe in 4 KiB ones).
   */
  stdoutFile?: string;
}

/**
 * Starts `script` (a file of bench/servers/) serving `db`, pinned to CPU 0, and waits until it
 * listens.
 *
 * @param name The stack's name, for messages.
 * @param script The server file.
 * @param db The path of the posts database.
 * @param options A wrapper command and the start timeout.
 * @returns The running server.
 * @throws {Error} When it exits (or is killed at the timeout) before listening.
 */
export async function startServer(
  name: string,
  script: string,
  db: string,
  options: StartServerOptions,
): Promise<ServerProcess> {
  const command = [
    "taskset",
    "-c",
    "0",
    ...options.wrapper ?? [],
    Deno.execPath(),
    "run",
    "-A",
    // As `deno task serve` runs pubkit: without the flag Deno aborts `request.signal` after each
    // response, building a DOMException (12 µs) for every request that read the signal.
    "--unstable-no-legacy-abort",
    script,
    `--db=${db}`,
    "--port=0",
  ];
  const file = options.stdoutFile;
  // Through `sh -c exec` for a file: the server's pid stays the child's.
  const child = new Deno.Command(file === undefined ? command[0]! : "sh", {
    args: file === undefined
      ? command.slice(1)
      : ["-c", 'exec "$0" "$@" > "$STDOUT_FILE"', ...command],
    env: file === undefined ? undefined : { STDOUT_FILE: file },
    stdout: file === undefined ? "piped" : "null",
    stderr: "piped",
  }).spawn();
  let errors = "";
  child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (errors = (errors + chunk).slice(-4000)) }),
  ).catch(() => {});
  const listening = /listening (\d+)/;
  let seen = "";
  let lines = 0;
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeout);
  let exited = false;
  child.status.then(() => exited = true);
  try {
    if (file !== undefined) {
      while (!listening.test(seen = await Deno.readTextFile(file))) {
        if (exited) throw new Error(`Cannot start ${name}: it exited before listening:\n${errors}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } else {
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      while (!listening.test(seen)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`Cannot start ${name}: it exited before listening:\n${errors}`);
        seen += value;
      }
      // Read on, counting lines: a server whose access log filled the pipe would block on it.
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          for (let i = value.indexOf("\n"); i >= 0; i = value.indexOf("\n", i + 1)) lines++;
        }
      })().catch(() => {});
    }
  } finally {
    clearTimeout(timer);
  }
  const port = Number(listening.exec(seen)![1]);
  const stdoutLines = file === undefined
    ? () => lines
    : () => Deno.readTextFileSync(file).split("\n").length - seen.split("\n").length;
  return { name, pid: child.pid, port, child, stderr: () => errors, stdoutLines };
}
