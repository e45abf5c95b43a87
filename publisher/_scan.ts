/**
 * Walking the root at start-up (and on a dev reload): folders, `_config.ts` files, routable
 * modules, and every source file for the dependency graph. Symlinks are resolved with
 * `Deno.realPath` and dropped when they leave the root; dot-files are never visited.
 *
 * @module
 */
import { join, relative, SEPARATOR } from "./_fs_path.ts";
import { isPublicName, MODULE_EXTENSIONS, moduleBase } from "./_names.ts";

/** A module that may publish functions. */
export interface ModuleEntry {
  /** The file, relative to the root, `/`-separated (as the author sees it). */
  readonly rel: string;
  /** The real absolute path. */
  readonly abs: string;
  /** The URL segments of the module: `a/b.ts` and `a/b/index.ts` are both `["a", "b"]`. */
  readonly segments: readonly string[];
  /** Whether it is an `index` file. */
  readonly indexFile: boolean;
}

/** A public folder. */
export interface FolderEntry {
  /** The folder, relative to the root, `/`-separated (`""` for the root). */
  readonly rel: string;
  /** Its URL segments. */
  readonly segments: readonly string[];
  /** The real absolute path. */
  readonly abs: string;
  /** The real absolute path of its `_config.ts`, if any. */
  readonly config: string | undefined;
  /** Its modules, in file-name order. */
  readonly modules: readonly ModuleEntry[];
}

/** What a scan found. */
export interface Tree {
  /** The real absolute root. */
  readonly root: string;
  /** Public folders, depth first, parents before children, names in code-unit order. */
  readonly folders: readonly FolderEntry[];
  /** Every source file under the root (private ones too), real absolute paths. */
  readonly sources: readonly string[];
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(SEPARATOR) ? root : root + SEPARATOR);
}

/**
 * Scans the root.
 *
 * @param rootPath The root directory.
 * @returns The tree.
 */
export async function scan(rootPath: string): Promise<Tree> {
  const root = await Deno.realPath(rootPath);
  const folders: FolderEntry[] = [];
  const sources: string[] = [];
  const visited = new Set<string>();

  async function walk(abs: string, rel: string, segments: string[], isPublic: boolean) {
    if (visited.has(abs)) return;
    visited.add(abs);
    const names: string[] = [];
    for await (const entry of Deno.readDir(abs)) {
      if (!entry.name.startsWith(".") && entry.name !== "node_modules") names.push(entry.name);
    }
    names.sort();
    const modules = new Map<string, ModuleEntry>();
    const dirs: [string, string][] = [];
    let config: string | undefined;
    for (const name of names) {
      let real: string;
      let info: Deno.FileInfo;
      try {
        real = await Deno.realPath(join(abs, name));
        info = await Deno.stat(real);
      } catch {
        continue; // a dangling symlink or a file that vanished
      }
      if (!inside(root, real)) continue; // a symlink that leaves the root
      if (info.isDirectory) {
        dirs.push([name, real]);
        continue;
      }
      if (!info.isFile) continue;
      const parts = moduleBase(name);
      if (!parts) continue;
      sources.push(real);
      if (!isPublic) continue;
      if (parts.base === "_config") {
        if (config === undefined || preferExt(name, config)) config = real;
        continue;
      }
      if (!isPublicName(parts.base) || !publicTarget(root, real)) continue;
      const previous = modules.get(parts.base);
      if (previous && !preferExt(name, previous.abs)) continue;
      const indexFile = parts.base === "index";
      modules.set(parts.base, {
        rel: rel === "" ? name : `${rel}/${name}`,
        abs: real,
        segments: indexFile ? segments : [...segments, parts.base],
        indexFile,
      });
    }
    if (isPublic) {
      folders.push({
        rel,
        segments,
        abs,
        config,
        modules: [...modules.values()].sort((a, b) => a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0),
      });
    }
    for (const [name, real] of dirs) {
      await walk(
        real,
        rel === "" ? name : `${rel}/${name}`,
        [...segments, name],
        isPublic && isPublicName(name),
      );
    }
  }

  await walk(root, "", [], true);
  return { root, folders, sources };
}

/** Whether a module's real path is public too: a public-named symlink to `_helpers.ts` is not. */
function publicTarget(root: string, real: string): boolean {
  return relative(root, real).split(SEPARATOR).every((part) =>
    !part.startsWith("_") && !part.startsWith(".")
  );
}

function preferExt(candidate: string, current: string): boolean {
  const rank = (path: string) => MODULE_EXTENSIONS.findIndex((ext) => path.endsWith(ext));
  return rank(candidate) < rank(current);
}
