// nginx for the deployment tests: the configuration documented in docs/DEPLOY.md, with only the
// ports, the certificate and the per-address limit replaced, run as a child in the foreground
// with its own prefix, pid and log files (never the system's nginx service).
import { type Child, spawnChild } from "./_child.ts";

/** Where Debian installs nginx; `NGINX` overrides it. */
export const NGINX = Deno.env.get("NGINX") || "/usr/sbin/nginx";
const DEPLOY_MD = new URL("../../docs/DEPLOY.md", import.meta.url);
const START_TIMEOUT = 10_000;

/** What the test's nginx listens on and proxies to. */
export interface NginxOptions {
  /** Plain HTTP port on 127.0.0.1. */
  httpPort: number;
  /** HTTPS port on 127.0.0.1 (a self-signed certificate for 127.0.0.1). */
  httpsPort: number;
  /** The three backend ports, in the order of the documented upstream. */
  backends: [number, number, number];
  /** Connections per client address (the documented 64 would refuse the 200-request race). */
  perAddressLimit: number;
  /** The address nginx connects to the backends from (a second loopback address). */
  bindAddress: string;
}

/** A running nginx. */
export interface Nginx extends AsyncDisposable {
  child: Child;
  http: URL;
  https: URL;
  /** The self-signed certificate, for `Deno.createHttpClient({ caCerts })`. */
  certificate: string;
  /** The access log: one line per request, `status upstream_addrs upstream_statuses`. */
  accessLog(): Promise<AccessLine[]>;
  /** Graceful stop (SIGQUIT); the exit code. */
  stop(): Promise<number>;
}

/** One request in nginx's access log. */
export interface AccessLine {
  status: number;
  /** Every backend tried, in order (more than one when nginx retried). */
  upstreams: string[];
  upstreamStatuses: string[];
}

/** The `nginx` block of docs/DEPLOY.md. */
export async function documentedConfig(): Promise<string> {
  const markdown = await Deno.readTextFile(DEPLOY_MD);
  const block = markdown.match(/```nginx\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error("Cannot find the nginx block in docs/DEPLOY.md");
  return block;
}

/** Replaces `from` in `text`, throwing when it is not there (the document changed). */
function replace(text: string, from: string | RegExp, to: string): string {
  const replaced = text.replace(from, to);
  if (replaced === text) throw new Error(`Cannot adapt docs/DEPLOY.md: ${from} not found`);
  return replaced;
}

/** The documented site with the test's ports, certificate and limit. */
export function adaptConfig(site: string, options: NginxOptions, dir: string): string {
  let config = site;
  for (const [i, port] of options.backends.entries()) {
    config = replace(config, `server 127.0.0.1:${8001 + i} `, `server 127.0.0.1:${port} `);
  }
  config = replace(config, "listen 80;", `listen 127.0.0.1:${options.httpPort};`);
  config = replace(config, "listen 443 ssl;", `listen 127.0.0.1:${options.httpsPort} ssl;`);
  config = replace(config, "/etc/ssl/certs/pubkit.pem", `${dir}/cert.pem`);
  config = replace(config, "/etc/ssl/private/pubkit.key", `${dir}/key.pem`);
  return replace(
    config,
    /limit_conn pubkit_per_address \d+;/,
    `limit_conn pubkit_per_address ${options.perAddressLimit};`,
  );
}

/** Writes a certificate and the configuration into the prefix `dir`. */
async function writePrefix(dir: string, options: NginxOptions): Promise<void> {
  // nginx's workers run as an unprivileged user when the master is root: let them in.
  await Deno.chmod(dir, 0o755);
  const openssl = await new Deno.Command("openssl", {
    args: [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
      // A server certificate, not a CA (rustls refuses a CA as the server's own).
      ...["-addext", "basicConstraints=critical,CA:FALSE"],
      ...["-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`],
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!openssl.success) {
    throw new Error(`Cannot make a certificate: ${new TextDecoder().decode(openssl.stderr)}`);
  }
  await Deno.writeTextFile(
    `${dir}/pubkit.conf`,
    adaptConfig(await documentedConfig(), options, dir),
  );
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((name) => `  ${name}_temp_path ${dir}/${name};`).join("\n");
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr notice;
events { worker_connections 1024; }
http {
  log_format pubkit '$status $upstream_addr|$upstream_status';
  access_log ${dir}/access.log pubkit;
${temp}
  # The test's own: backends see nginx at this address, the test's client at 127.0.0.1.
  proxy_bind ${options.bindAddress};
  # Which hosts answered (several when nginx retried), for the test's failure messages.
  add_header X-Upstream "$upstream_addr $upstream_status" always;
  include ${dir}/pubkit.conf;
}
`,
  );
}

/** Starts nginx in the foreground on a temporary prefix; `stop()` removes the prefix. */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const dir = await Deno.makeTempDir({ prefix: "pubkit-nginx-" });
  let child: Child;
  try {
    await writePrefix(dir, options);
    child = spawnChild(NGINX, ["-p", `${dir}/`, "-c", `${dir}/nginx.conf`, "-e", "stderr"]);
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  let stopped: Promise<number> | undefined;
  const stop = () =>
    stopped ??= child.stop("SIGQUIT", START_TIMEOUT).finally(() =>
      Deno.remove(dir, { recursive: true })
    );
  try {
    await waitForPort(options.httpPort, child);
    return {
      child,
      http: new URL(`http://127.0.0.1:${options.httpPort}/`),
      https: new URL(`https://127.0.0.1:${options.httpsPort}/`),
      certificate: await Deno.readTextFile(`${dir}/cert.pem`),
      accessLog: async () => parseAccessLog(await Deno.readTextFile(`${dir}/access.log`)),
      stop,
      [Symbol.asyncDispose]: async () => void await stop().catch(() => {}),
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

function parseAccessLog(text: string): AccessLine[] {
  return text.split("\n").filter(Boolean).map((line) => {
    const space = line.indexOf(" ");
    const [addrs, statuses] = line.slice(space + 1).split("|");
    // nginx separates the tries with ", " (and groups with " : ").
    const list = (value: string) => value.split(/, | : /).filter((item) => item !== "-");
    return {
      status: Number(line.slice(0, space)),
      upstreams: list(addrs),
      upstreamStatuses: list(statuses),
    };
  });
}

/** Polls until something accepts connections on 127.0.0.1:`port`. */
async function waitForPort(port: number, child: Child): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT;
  while (true) {
    if (child.exited) throw new Error(`Cannot start nginx:\n${child.lines.join("\n")}`);
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`Cannot reach nginx on ${port} in ${START_TIMEOUT} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
