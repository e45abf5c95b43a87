/**
 * A small JSR registry on loopback, enough of the protocol for the real `deno publish --token`
 * and for Deno resolving `jsr:` imports, with `JSR_URL` pointing at it:
 *
 * - publish API (under `/api/`, as Deno derives it from `JSR_URL`): `GET scopes/<s>/packages/<p>`
 *   (the package exists), `GET …/versions/<v>` (404 until published), `POST …/versions/<v>?config=`
 *   (a gzipped tarball, `Authorization: Bearer <token>`) answering a finished publishing task,
 *   and `GET publish_status/<id>`;
 * - package files: `/@s/p/meta.json` (versions, latest), `/@s/p/<v>_meta.json` (exports and a
 *   manifest with each file's size and `sha256-<hex>` checksum, which Deno verifies on download)
 *   and `/@s/p/<v>/<path>`.
 *
 * Like JSR it refuses a publish whose config does not match the URL, whose exports name a file
 * missing from the tarball, or whose modules import a `jsr:` package it does not hold.
 */
import { untarGzip } from "./_tar.ts";

interface PublishedVersion {
  readonly files: Map<string, Uint8Array>;
  readonly exports: Record<string, string>;
  readonly manifest: Record<string, { size: number; checksum: string }>;
}

interface PublishingTask {
  id: string;
  status: "success" | "failure";
  packageScope: string;
  packageName: string;
  packageVersion: string;
  error: { code: string; message: string } | null;
}

/** Options of {@linkcode LocalJsrRegistry.start}. */
export interface LocalJsrRegistryOptions {
  /** The scope whose packages exist (JSR needs a package created before its first publish). */
  scope: string;
  /** The publish token `deno publish --token` must send. */
  token: string;
}

const SEGMENT = "([a-z0-9][a-z0-9-]*)";
const API_PACKAGE = new RegExp(
  `^/api/scopes/${SEGMENT}/packages/${SEGMENT}(?:/versions/([^/]+))?$`,
);
const FILE = new RegExp(
  `^/@${SEGMENT}/${SEGMENT}/(meta\\.json|([^/]+)_meta\\.json|([^/_][^/]*)(/.+))$`,
);
const JSR_IMPORT = /["']jsr:(@[a-z0-9-]+\/[a-z0-9-]+)@[^"'/]+/g;

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `sha256-${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The loopback registry; `await using` stops it. */
export class LocalJsrRegistry implements AsyncDisposable {
  readonly #options: LocalJsrRegistryOptions;
  readonly #packages = new Map<string, Map<string, PublishedVersion>>();
  readonly #tasks = new Map<string, PublishingTask>();
  #server?: Deno.HttpServer<Deno.NetAddr>;
  /** Every request line answered, for failure messages. */
  readonly log: string[] = [];

  private constructor(options: LocalJsrRegistryOptions) {
    this.#options = options;
  }

  /** Starts a registry on 127.0.0.1 and a free port. */
  static async start(options: LocalJsrRegistryOptions): Promise<LocalJsrRegistry> {
    const registry = new LocalJsrRegistry(options);
    const { promise, resolve } = Promise.withResolvers<void>();
    registry.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => resolve() },
      async (request) => {
        const response = await registry.#handle(request).catch((error) =>
          json({ code: "internalServerError", message: String(error) }, 500)
        );
        registry.log.push(`${request.method} ${new URL(request.url).pathname} ${response.status}`);
        return response;
      },
    );
    await promise;
    return registry;
  }

  /** The registry's address, the value for `JSR_URL`. */
  get url(): URL {
    const { port } = this.#server!.addr;
    return new URL(`http://127.0.0.1:${port}/`);
  }

  /** `@scope/name@version` of every published version, in publish order. */
  get published(): string[] {
    return [...this.#packages].flatMap(([name, versions]) =>
      [...versions.keys()].map((version) => `${name}@${version}`)
    );
  }

  async #handle(request: Request): Promise<Response> {
    const { pathname, searchParams } = new URL(request.url);
    const api = API_PACKAGE.exec(pathname);
    if (api) {
      const [, scope, name, version] = api;
      if (scope !== this.#options.scope) {
        return json({ code: "packageNotFound", message: "Package not found" }, 404);
      }
      const versions = this.#packages.get(`@${scope}/${name}`);
      if (version === undefined) return json({ scope, name });
      if (request.method === "POST") {
        return await this.#publish(request, scope, name, version, searchParams.get("config"));
      }
      return versions?.has(version)
        ? json({ scope, package: name, version })
        : json({ code: "packageVersionNotFound", message: "Package version not found" }, 404);
    }
    const status = /^\/api\/publish_status\/([^/]+)$/.exec(pathname);
    if (status) {
      const task = this.#tasks.get(status[1]);
      return task ? json(task) : json({ code: "publishNotFound", message: "Not found" }, 404);
    }
    const file = request.method === "GET" ? FILE.exec(pathname) : null;
    const versions = file ? this.#packages.get(`@${file[1]}/${file[2]}`) : undefined;
    if (!file || !versions) return json({ code: "notFound", message: "Not found" }, 404);
    if (file[3] === "meta.json") {
      const all = [...versions.keys()];
      return json({
        scope: file[1],
        name: file[2],
        latest: all.at(-1),
        versions: Object.fromEntries(all.map((v) => [v, {}])),
      });
    }
    const version = versions.get(file[4] ?? file[5]);
    if (version && file[4] !== undefined) {
      return json({ exports: version.exports, manifest: version.manifest });
    }
    const bytes = version?.files.get(file[6]);
    if (!bytes) return json({ code: "notFound", message: "Not found" }, 404);
    return new Response(bytes as BodyInit, { headers: { "content-type": "text/plain" } });
  }

  async #publish(
    request: Request,
    scope: string,
    name: string,
    version: string,
    config: string | null,
  ): Promise<Response> {
    if (request.headers.get("authorization") !== `Bearer ${this.#options.token}`) {
      return json({ code: "invalidBearerToken", message: "The bearer token is invalid" }, 401);
    }
    if (request.headers.get("content-encoding") !== "gzip" || !config) {
      return json(
        { code: "malformedTarball", message: "Expected a gzipped tarball and config" },
        400,
      );
    }
    const fullName = `@${scope}/${name}`;
    const versions = this.#packages.get(fullName) ?? new Map<string, PublishedVersion>();
    const existing = [...this.#tasks.values()].find((t) =>
      t.packageScope === scope && t.packageName === name && t.packageVersion === version
    );
    if (existing && versions.has(version)) {
      return json(
        { code: "duplicateVersionPublish", message: "Already published", task: existing },
        409,
      );
    }
    const files = await untarGzip(new Uint8Array(await request.arrayBuffer()));
    const task: PublishingTask = {
      id: crypto.randomUUID(),
      status: "success",
      packageScope: scope,
      packageName: name,
      packageVersion: version,
      error: null,
    };
    this.#tasks.set(task.id, task);
    const problem = this.#check(files, config, fullName, version);
    if (problem) {
      task.status = "failure";
      task.error = { code: "invalidPackage", message: problem };
      return json(task);
    }
    const configJson = JSON.parse(new TextDecoder().decode(files.get(config)));
    const exports: Record<string, string> = typeof configJson.exports === "string"
      ? { ".": configJson.exports }
      : configJson.exports;
    const manifest: PublishedVersion["manifest"] = {};
    for (const [path, bytes] of files) {
      manifest[path] = { size: bytes.length, checksum: await sha256(bytes) };
    }
    versions.set(version, { files, exports, manifest });
    this.#packages.set(fullName, versions);
    return json(task);
  }

  /** What JSR would refuse in this upload, or `undefined`. */
  #check(
    files: Map<string, Uint8Array>,
    config: string,
    fullName: string,
    version: string,
  ): string | undefined {
    const configBytes = files.get(config);
    if (!configBytes) return `config file ${config} is not in the tarball`;
    const configJson = JSON.parse(new TextDecoder().decode(configBytes));
    if (configJson.name !== fullName || configJson.version !== version) {
      return `config names ${configJson.name}@${configJson.version}, not ${fullName}@${version}`;
    }
    const exports = typeof configJson.exports === "string"
      ? { ".": configJson.exports }
      : configJson.exports ?? {};
    for (const [key, target] of Object.entries<string>(exports)) {
      if (!files.has(target.replace(/^\.\//, "/"))) return `export ${key}: ${target} is missing`;
    }
    for (const [path, bytes] of files) {
      if (!/\.(ts|tsx|js|mjs)$/.test(path)) continue;
      for (const [, dependency] of new TextDecoder().decode(bytes).matchAll(JSR_IMPORT)) {
        if (!this.#packages.has(dependency)) {
          return `${path} imports ${dependency}, which is not published`;
        }
      }
    }
    return undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#server?.shutdown();
  }
}
