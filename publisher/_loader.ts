/**
 * Importing the root's modules, and re-importing them in development.
 *
 * ESM caches a module by URL for the life of the process and has no way to unload one, so a
 * changed file is re-imported under a new URL: a copy in a `pubkit-reload-` folder of the
 * system's temporary directory, never in the user's tree (one subfolder per attempt, mirroring
 * the root), deleted by `close()`. A copy of the changed file alone would still be imported by
 * the old instances of its importers, so every module that imports it, directly or not, is
 * copied too. In a copy, every relative import specifier becomes an absolute URL (of the new
 * copy, of the current copy of a module reloaded earlier, or of the original file), and
 * `import.meta` reports the original file, so `new URL("./data.json", import.meta.url)` keeps
 * working. Bare specifiers resolve through the project's import map as seen from the copy's
 * folder. Old instances stay in memory: each reload costs about the size of the reloaded modules.
 *
 * @module
 */
import { dirname, fromFileUrl, join, relative, SEPARATOR, toFileUrl } from "./_fs_path.ts";
import type { Namespaces } from "./_table.ts";
import type { Tree } from "./_scan.ts";

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.\.?\/[^"'\n]*)\2/g;
const SOURCE = /\.(?:[mc]?[jt]sx?)$/;
const IMPORT_META = /\bimport\.meta\b/g;
const USES_META = /\bimport\.meta\b/;
const META = "__pubkitImportMeta";

async function hash(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Loads modules; in development, tracks their dependencies and reloads changed ones. */
export class ModuleLoader {
  #dev: boolean;
  #root = "";
  #version = 0;
  // Never reused, even after a failed attempt: ESM caches a failed import under its URL too.
  #attempt = 0;
  #current = new Map<string, string>();
  #hashes = new Map<string, string>();
  /** The temporary folder of the copies, made on the first reload. */
  #dir: string | undefined;

  constructor(dev: boolean) {
    this.#dev = dev;
  }

  /** How many reloads succeeded. */
  get version(): number {
    return this.#version;
  }

  /** Imports every module and config of the tree (by their own URLs). */
  async load(tree: Tree): Promise<Namespaces> {
    this.#root = tree.root;
    if (this.#dev) {
      this.#hashes = (await this.#survey(tree)).hashes;
    }
    return await this.#importAll(tree, new Map());
  }

  /**
   * Re-imports what changed since the last load and everything that imports it.
   *
   * @returns The namespaces and the changed files, or `undefined` when nothing changed.
   */
  async reload(tree: Tree): Promise<{ namespaces: Namespaces; changed: string[] } | undefined> {
    const state = await this.#survey(tree);
    const changed = [...state.hashes.keys()].filter((file) =>
      state.hashes.get(file) !== this.#hashes.get(file)
    );
    const removed = [...this.#hashes.keys()].filter((file) => !state.hashes.has(file));
    if (changed.length === 0 && removed.length === 0) return undefined;

    const importers = new Map<string, Set<string>>();
    for (const [file, deps] of state.deps) {
      for (const dep of deps) {
        let set = importers.get(dep);
        if (!set) importers.set(dep, set = new Set());
        set.add(file);
      }
    }
    const affected = new Set<string>();
    const queue = [...changed, ...removed];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (affected.has(file)) continue;
      affected.add(file);
      for (const importer of importers.get(file) ?? []) queue.push(importer);
    }
    for (const file of removed) affected.delete(file);

    this.#dir ??= await Deno.makeTempDir({ prefix: "pubkit-reload-" });
    const folder = join(this.#dir, String(++this.#attempt));
    const copyOf = (file: string) => join(folder, relative(this.#root, file));
    const urls = new Map<string, string>();
    for (const file of affected) urls.set(file, toFileUrl(copyOf(file)).href);
    try {
      for (const file of affected) {
        let bytes = await Deno.readFile(file);
        if (SOURCE.test(file)) {
          bytes = new TextEncoder().encode(
            this.#rewrite(file, new TextDecoder().decode(bytes), urls),
          );
        }
        await Deno.mkdir(dirname(copyOf(file)), { recursive: true });
        await Deno.writeFile(copyOf(file), bytes);
      }
      const namespaces = await this.#importAll(tree, urls);
      this.#version++;
      for (const [file, url] of urls) this.#current.set(file, url);
      for (const file of removed) this.#current.delete(file);
      this.#hashes = state.hashes;
      return { namespaces, changed: [...changed, ...removed] };
    } catch (error) {
      await Deno.remove(folder, { recursive: true }).catch(() => {});
      throw error;
    }
  }

  /** Deletes the copies written by reloads. */
  async close(): Promise<void> {
    const dir = this.#dir;
    this.#dir = undefined;
    if (dir !== undefined) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }

  /**
   * The source of `file`'s copy: relative specifiers made absolute (to the newest copy of their
   * target, else to the original) and `import.meta` describing the original file. The helper is
   * appended, a hoisted function, so that line numbers stay those of the original.
   */
  #rewrite(file: string, text: string, fresh: ReadonlyMap<string, string>): string {
    const original = toFileUrl(file).href;
    const rewritten = text.replace(
      SPECIFIER,
      (_match, lead: string, quote: string, specifier: string) => {
        const url = new URL(specifier, original);
        const target = this.#resolve(file, specifier);
        const copy = target === undefined
          ? undefined
          : fresh.get(target) ?? this.#current.get(target);
        return `${lead}${quote}${copy ?? url.href}${quote}`;
      },
    ).replace(IMPORT_META, `${META}()`);
    if (!USES_META.test(text)) return rewritten;
    const [url, filename, folder] = [original, file, dirname(file)].map((s) => JSON.stringify(s));
    return `${rewritten}\nfunction ${META}() {
  return {
    ...import.meta, url: ${url}, filename: ${filename}, dirname: ${folder}, main: false,
    resolve: (s = "") => import.meta.resolve(/^\\.{0,2}\\//.test(s) ? new URL(s, ${url}).href : s),
  };
}\n`;
  }

  async #importAll(tree: Tree, fresh: ReadonlyMap<string, string>): Promise<Namespaces> {
    const namespaces = new Map<string, Record<string, unknown>>();
    for (const folder of tree.folders) {
      const files = folder.config === undefined
        ? folder.modules.map((module) => [module.abs, module.rel])
        : [
          [folder.config, folder.rel === "" ? "_config.ts" : `${folder.rel}/_config.ts`],
          ...folder.modules.map((module) => [module.abs, module.rel]),
        ];
      for (const [file, rel] of files) {
        const url = fresh.get(file) ?? this.#current.get(file) ?? toFileUrl(file).href;
        try {
          namespaces.set(file, await import(url));
        } catch (error) {
          throw new Error(`Cannot import ${rel}: ${(error as Error)?.message ?? error}`, {
            cause: error,
          });
        }
      }
    }
    return namespaces;
  }

  /** Hashes every source file and every file one of them imports, and reads their imports. */
  async #survey(
    tree: Tree,
  ): Promise<{ hashes: Map<string, string>; deps: Map<string, Set<string>> }> {
    const hashes = new Map<string, string>();
    const deps = new Map<string, Set<string>>();
    const queue = [...tree.sources];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (hashes.has(file)) continue;
      let bytes: Uint8Array;
      try {
        bytes = await Deno.readFile(file);
      } catch {
        continue; // gone, or not a file
      }
      hashes.set(file, await hash(bytes));
      if (!SOURCE.test(file)) continue;
      const set = new Set<string>();
      for (const [, , , specifier] of new TextDecoder().decode(bytes).matchAll(SPECIFIER)) {
        const target = this.#resolve(file, specifier);
        if (target !== undefined) {
          set.add(target);
          queue.push(target);
        }
      }
      deps.set(file, set);
    }
    return { hashes, deps };
  }

  /** The absolute path a relative specifier names, when it stays inside the root. */
  #resolve(from: string, specifier: string): string | undefined {
    const url = new URL(specifier, toFileUrl(from));
    url.search = "";
    url.hash = "";
    const path = fromFileUrl(url);
    const root = this.#root.endsWith(SEPARATOR) ? this.#root : this.#root + SEPARATOR;
    return path.startsWith(root) ? path : undefined;
  }
}
