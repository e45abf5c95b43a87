// A site on loopback: three app hosts (each `deno serve --parallel` of example/serve.ts, its own
// process group, port and data folder, sessions in Redis, notes in PostgreSQL) behind nginx.
import assert from "node:assert/strict";
import { type Child, freePort, spawnChild } from "./_child.ts";
import { type Nginx, startNginx } from "./_nginx.ts";

const ROOT = new URL("../../", import.meta.url);
const START_TIMEOUT = 30_000;
const STOP_TIMEOUT = 15_000;
/** Worker isolates per host. */
export const JOBS = 2;
/** The address nginx connects to the hosts from; the test's client uses 127.0.0.1. */
export const NGINX_ADDRESS = "127.0.0.2";
const WORKER = /^\[(serve-worker-\d+)\s*\] /;

/** Where the services are. */
export interface SiteEnv {
  redisUrl: string;
  databaseUrl: string;
}

/** One app host: a port, a data folder, and the process currently serving it. */
export class Host {
  readonly port: number;
  readonly dataDir: string;
  #env: Record<string, string>;
  #child: Child | undefined;
  /** The exit report of every process this host ran, oldest first. */
  readonly stopped: HostReport[] = [];

  constructor(port: number, dataDir: string, env: Record<string, string>) {
    this.port = port;
    this.dataDir = dataDir;
    this.#env = env;
  }

  get child(): Child {
    assert.ok(this.#child, `host ${this.port} is running`);
    return this.#child;
  }

  get running(): boolean {
    return this.#child !== undefined && !this.#child.exited;
  }

  /** Starts `deno serve --parallel` and waits for its listening line. */
  async start(): Promise<void> {
    const child = spawnChild(Deno.execPath(), [
      ...["serve", "--parallel", "-A", "--unstable-no-legacy-abort"],
      ...["--host", "127.0.0.1", "--port", String(this.port), "example/serve.ts"],
    ], {
      cwd: ROOT,
      // LOG=console: a line per console.log, which `deno serve --parallel` prefixes with its
      // worker, so that each worker's requests and cleanups can be told apart.
      env: { ...this.#env, DATA_DIR: this.dataDir, DENO_JOBS: String(JOBS), LOG: "console" },
    });
    this.#child = child;
    await child.waitFor(/Listening on http:\/\/127\.0\.0\.1:\d+\//, START_TIMEOUT);
  }

  /** Lines of every process this host ran that include `text`. */
  grep(text: string): string[] {
    const all = [...this.stopped.flatMap((report) => report.lines), ...(this.#child?.lines ?? [])];
    return all.filter((line) => line.includes(text));
  }

  /** The number of access-log lines the current process has written for `path`. */
  served(path = ""): number {
    return this.child.lines.filter((line) => WORKER.test(line) && line.includes(`"GET ${path}`))
      .length;
  }

  /** SIGTERM to the PID; waits for the exit and reads what the process reported. */
  async stop(): Promise<HostReport> {
    const child = this.child;
    const started = performance.now();
    const code = await child.stop("SIGTERM", STOP_TIMEOUT);
    const report = hostReport(child.lines, code, performance.now() - started);
    this.stopped.push(report);
    this.#child = undefined;
    return report;
  }
}

/** What one host process showed when it stopped. */
export interface HostReport {
  code: number;
  ms: number;
  /** Workers that served at least one request (and so ran the start-up hooks). */
  startedWorkers: string[];
  /** Workers that logged `Stopped: server cleanups ran`. */
  cleanedWorkers: string[];
  /** Lines about failed or late cleanups, and uncaught errors. */
  problems: string[];
  requests: number;
  /** Everything it printed. */
  lines: string[];
}

// A failed or late cleanup (server or request), an uncaught error, an answer 5xx but 503.
const PROBLEM =
  /cleanup\b.*\b(failed|did not finish)|Uncaught| "[A-Z]+ \S+" 5(?!03)\d\d |\] [A-Z]+ \S+: 5(?!03)\d\d /;

function hostReport(lines: string[], code: number, ms: number): HostReport {
  const started = new Set<string>();
  const cleaned: string[] = [];
  let requests = 0;
  for (const line of lines) {
    const worker = line.match(WORKER)?.[1];
    if (!worker) continue;
    if (/ "[A-Z]+ \S+" \d{3} /.test(line)) {
      started.add(worker);
      requests++;
    }
    if (line.endsWith("Stopped: server cleanups ran")) cleaned.push(worker);
  }
  return {
    code,
    ms,
    startedWorkers: [...started].sort(),
    cleanedWorkers: cleaned.sort(),
    problems: lines.filter((line) => PROBLEM.test(line)),
    requests,
    lines,
  };
}

/** Asserts that a host exited 0 after every worker that served ran its cleanups. */
export function assertCleanStop(report: HostReport, label: string): void {
  assert.equal(report.code, 0, `${label}: exit code`);
  assert.deepEqual(report.problems, [], `${label}: no failed cleanup or 5xx`);
  assert.ok(report.startedWorkers.length > 0, `${label}: served requests`);
  assert.deepEqual(
    report.cleanedWorkers,
    report.startedWorkers,
    `${label}: every worker that served ran its server cleanups`,
  );
}

/** The three hosts and nginx; `await using` stops whatever is still running. */
export interface Site extends AsyncDisposable {
  hosts: Host[];
  nginx: Nginx;
  /** Stops nginx and every host, asserting each stopped cleanly. */
  stop(): Promise<HostReport[]>;
}

/** Starts three hosts (one data folder each, the same session secret) and nginx before them. */
export async function startSite(env: SiteEnv): Promise<Site> {
  const secret = crypto.randomUUID() + crypto.randomUUID();
  const hosts: Host[] = [];
  const dirs: string[] = [];
  let nginx: Nginx | undefined;
  const cleanup = async () => {
    await nginx?.[Symbol.asyncDispose]();
    for (const host of hosts) if (host.running) await host.child[Symbol.asyncDispose]();
    for (const dir of dirs.splice(0)) await Deno.remove(dir, { recursive: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      const dir = await Deno.makeTempDir({ prefix: `pubkit-host${i + 1}-` });
      dirs.push(dir);
      await Deno.writeTextFile(`${dir}/session-secret`, secret, { mode: 0o600 });
      hosts.push(
        new Host(freePort(), dir, {
          REDIS_URL: env.redisUrl,
          DATABASE_URL: env.databaseUrl,
          TRUST_PROXY: NGINX_ADDRESS,
        }),
      );
    }
    await Promise.all(hosts.map((host) => host.start()));
    nginx = await startNginx({
      httpPort: freePort(),
      httpsPort: freePort(),
      backends: hosts.map((host) => host.port) as [number, number, number],
      perAddressLimit: 512,
      bindAddress: NGINX_ADDRESS,
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    hosts,
    nginx,
    async stop() {
      try {
        assert.equal(await nginx.stop(), 0, `nginx exit code:\n${nginx.child.lines.join("\n")}`);
        const reports: HostReport[] = [];
        for (const host of hosts) reports.push(await host.stop());
        return reports;
      } finally {
        await cleanup();
      }
    },
    [Symbol.asyncDispose]: cleanup,
  };
}
