/** Runs `deno` commands for the registry tests: bounded in time, output kept for failures. */

/** Where and how a command runs. */
export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** Milliseconds before the command is killed; 180 s by default. */
  timeout?: number;
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/**
 * Runs `deno <args>` to completion and returns its stdout and stderr together.
 *
 * @throws {Error} naming the command and its output when it exits non-zero or times out.
 */
export async function deno(args: string[], options: RunOptions): Promise<string> {
  const { cwd, env, timeout = 180_000 } = options;
  const started = performance.now();
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    signal: AbortSignal.timeout(timeout),
  }).output();
  const output = decode(result.stdout) + decode(result.stderr);
  if (!result.success) {
    const took = Math.round(performance.now() - started);
    throw new Error(
      `Cannot run deno ${args.join(" ")} in ${cwd}: exit ${result.code}` +
        `${result.signal ? ` (${result.signal})` : ""} after ${took} ms\n${output}`,
    );
  }
  return output;
}

/** A running server process; `await using` stops it with SIGTERM and waits for its exit. */
export interface ServerProcess extends AsyncDisposable {
  /** The address it printed. */
  readonly url: URL;
  /** Everything it printed so far. */
  output(): string;
}

/**
 * Starts `deno <args>` and waits until it prints `http://127.0.0.1:<port>/`.
 *
 * @throws {Error} with the output when it exits first or prints no address within `timeout`.
 */
export async function startServer(args: string[], options: RunOptions): Promise<ServerProcess> {
  const { cwd, env, timeout = 180_000 } = options;
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const { promise: listening, resolve, reject } = Promise.withResolvers<URL>();
  const read = (stream: ReadableStream<Uint8Array>) =>
    stream.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({
        write(chunk) {
          output += chunk;
          const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
          if (match) resolve(new URL(match[0]));
        },
      }),
    );
  const drained = Promise.all([read(child.stdout), read(child.stderr)]);
  const status = child.status;
  status.then((s) => reject(new Error(`exited with ${s.code} before listening`)));
  const timer = setTimeout(() => reject(new Error(`printed no address in ${timeout} ms`)), timeout);
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already exited */ }
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await status;
    clearTimeout(killer);
    await drained;
  };
  try {
    const url = await listening;
    return { url, output: () => output, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    throw new Error(`Cannot start deno ${args.join(" ")} in ${cwd}: ${error}\n${output}`);
  } finally {
    clearTimeout(timer);
  }
}
