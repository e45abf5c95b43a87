// Child processes of the parallel tests: start `deno <args>`, wait for its URL, stop it by PID.

export const ROOT = new URL("../../", import.meta.url);
export const START_TIMEOUT = 30_000;
const STOP_TIMEOUT = 10_000;
/** `deno run` of the counter app as one process (PORT=0: any free port). */
export const RUN = [
  "run",
  "-A",
  "--unstable-no-legacy-abort",
  new URL("_counter_main.ts", import.meta.url).pathname,
];

export interface Child extends AsyncDisposable {
  url: URL;
  output: string[];
  /** SIGTERM, then the exit code; SIGKILL and a throw past the deadline. */
  stop(): Promise<number>;
}

/** Starts `deno <args>` and waits for the `Listening on <url>` line it prints. */
export async function start(args: string[], env: Record<string, string>): Promise<Child> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  const { promise: listening, resolve, reject } = Promise.withResolvers<URL>();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        output.push(line);
        const match = line.match(/Listening on (http:\/\/\S+?)\/?(?:\s|$)/);
        if (match) resolve(new URL(match[1]));
      }
    }
  };
  const readers = Promise.all([read(child.stdout), read(child.stderr)]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    reject(new Error(`Cannot start ${args.join(" ")}: exited ${s.code}\n${output.join("\n")}`));
    return s;
  });
  const timer = setTimeout(
    () => reject(new Error(`Cannot start: no URL after ${START_TIMEOUT} ms\n${output.join("\n")}`)),
    START_TIMEOUT,
  );
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    let timedOut = false;
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      deadline = setTimeout(() => {
        timedOut = true;
        if (!exited) child.kill("SIGKILL");
        resolve();
      }, STOP_TIMEOUT);
    });
    await Promise.race([status, timeout]);
    clearTimeout(deadline);
    const { code } = await status;
    await readers;
    if (timedOut) {
      // Seen with RedisStore under `deno serve`: nothing closes the app there, and its open
      // Redis connection keeps each worker alive after deno serve's own graceful stop.
      throw new Error(`Cannot stop ${args[0]}: no exit ${STOP_TIMEOUT} ms after SIGTERM`);
    }
    return code;
  };
  try {
    const url = await listening;
    return { url, output, stop, [Symbol.asyncDispose]: async () => void await stop() };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** A port that was free a moment ago (`deno serve --parallel` needs a fixed port). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

export async function getJson(url: URL | string, cookie?: string) {
  const response = await fetch(url, { headers: cookie ? { cookie } : {} });
  const text = await response.text();
  return {
    status: response.status,
    text,
    setCookie: response.headers.getSetCookie(),
    retryAfter: response.headers.get("retry-after"),
  };
}
