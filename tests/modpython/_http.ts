// The port's client side: the handlers of testdata/htdocs served by createApp on 127.0.0.1:0,
// and requests sent as raw bytes over TCP, as mod_python's test.py sent them with http.client.
import { type App, type AppOptions, createApp } from "@pubkit/server";

/** A served app; `await using` stops it. */
export interface Served extends AsyncDisposable {
  app: App;
  port: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): string;
}

const HTDOCS = new URL("./testdata/htdocs/", import.meta.url);

/** Serves the port's publish root (plus `options`) on 127.0.0.1:0. */
export async function serveHtdocs(options: Partial<AppOptions> = {}): Promise<Served> {
  const app = createApp({ publish: { root: HTDOCS }, accessLog: false, log: () => {}, ...options });
  const abort = new AbortController();
  const listening = Promise.withResolvers<URL>();
  const stopped = app.serve({
    port: 0,
    signal: abort.signal,
    handleSignals: false,
    shutdownTimeout: 2_000,
    onListen: (url) => listening.resolve(url),
  });
  const port = Number((await listening.promise).port);
  return {
    app,
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    async [Symbol.asyncDispose]() {
      abort.abort();
      await stopped;
    },
  };
}

/** A parsed HTTP/1.1 response. */
export interface RawResponse {
  status: number;
  /** Header lines in order, names lower-cased (repeated headers stay separate). */
  headers: [string, string][];
  body: Uint8Array;
  /** The first value of a header, or `undefined`. */
  header(name: string): string | undefined;
  text(): string;
}

const encoder = new TextEncoder();

/**
 * Sends `head` (the request line and header lines, without the empty line; `Host` and
 * `Connection: close` are added) and `body` as raw bytes, then reads one response (to its
 * `Content-Length`, its last chunk, or the end of the connection). `body` may be short of its
 * `Content-Length`: the server must answer without the rest.
 */
export async function raw(
  port: number,
  head: string,
  body: Uint8Array | string = new Uint8Array(),
  timeoutMs = 10_000,
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const deadline = setTimeout(() => conn.close(), timeoutMs);
  try {
    const bytes = typeof body === "string" ? encoder.encode(body) : body;
    const request = `${head}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
    await writeAll(conn, concat([encoder.encode(request), bytes]));
    const chunks: Uint8Array[] = [];
    for await (const chunk of conn.readable) {
      chunks.push(chunk);
      if (complete(concat(chunks))) break;
    }
    return parseResponse(concat(chunks));
  } finally {
    clearTimeout(deadline);
    try {
      conn.close();
    } catch { /* closed by the deadline or the stream */ }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Whether `bytes` hold a whole response with a known length or chunked framing. */
function complete(bytes: Uint8Array): boolean {
  const text = new TextDecoder("latin1").decode(bytes);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const head = text.slice(0, end).toLowerCase();
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) return bytes.length - end - 4 >= Number(length[1]);
  return /\r\ntransfer-encoding: *chunked/.test(head) && text.endsWith("\r\n0\r\n\r\n");
}

function parseResponse(bytes: Uint8Array): RawResponse {
  const text = new TextDecoder("latin1").decode(bytes);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`no response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  });
  let body = bytes.subarray(end + 4);
  if (headers.some(([name, value]) => name === "transfer-encoding" && value === "chunked")) {
    body = unchunk(body);
  }
  return {
    status: Number(statusLine.split(" ")[1]),
    headers,
    body,
    header: (name) => headers.find(([n]) => n === name)?.[1],
    text: () => new TextDecoder().decode(body),
  };
}

function unchunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const latin1 = new TextDecoder("latin1");
  let at = 0;
  while (at < bytes.length) {
    const lineEnd = latin1.decode(bytes.subarray(at)).indexOf("\r\n");
    const size = parseInt(latin1.decode(bytes.subarray(at, at + lineEnd)), 16);
    if (!(size > 0)) break;
    at += lineEnd + 2;
    parts.push(bytes.subarray(at, at + size));
    at += size + 2;
  }
  return concat(parts);
}

/**
 * The body mod_python's `vhost_post_multipart_form_data` builds, byte for byte: a text part per
 * variable whose `Content-Disposition` is folded over two lines, then a part per file, all
 * latin-1. Returns the boundary and the body.
 */
export function modPythonMultipart(
  variables: Record<string, string>,
  files: Record<string, [filename: string, content: Uint8Array]>,
): { boundary: string; body: Uint8Array } {
  const digits = Array.from({ length: 10 }, () => String(Math.floor(Math.random() * 10)));
  const boundary = `=============${digits.join("")}==`;
  const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const parts: Uint8Array[] = [];
  for (const [name, value] of Object.entries(variables)) {
    parts.push(latin1(`--${boundary}\r\nContent-Type: text/plain\r\n`));
    parts.push(latin1(`Content-Disposition: form-data;\r\n name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const [name, [filename, content]] of Object.entries(files)) {
    parts.push(latin1(`--${boundary}\r\nContent-Type: application/octet-stream\r\n`));
    parts.push(
      latin1(`Content-Disposition: form-data; name="${name}"; filename="${filename}"\r\n\r\n`),
    );
    parts.push(content, latin1("\r\n"));
  }
  parts.push(latin1(`--${boundary}--\r\n`));
  return { boundary, body: concat(parts) };
}
