/**
 * Building the route table from the scanned tree and the imported modules: scopes folder by
 * folder, then the published functions of each module with their effective hooks and methods.
 *
 * @module
 */
import { isPlainObject, isPublicName, isPublishableFunction, publishedMembers } from "./_names.ts";
import { childScope, layerHooks, layerMethods, rootScope, startupHooks } from "./_layers.ts";
import { publishedOptions } from "./publish.ts";
import type { PublishedFunction, Route } from "./route.ts";
import type { Scope, StartupHook } from "./scope.ts";
import type { ModuleEntry, Tree } from "./_scan.ts";
import { PathIndex } from "./_path_index.ts";

/** A route before the path info is known. */
export type StaticRoute = Omit<Route, "pathInfo">;

interface Candidate {
  readonly route: StaticRoute;
  /** Answers only its exact path: no path info (a defaulted `index`, or not opted in). */
  readonly exact: boolean;
  readonly depth: number;
  readonly indexFile: boolean;
  /** The frozen route for the exact path (no path info). */
  readonly whole: Route;
}

/** The route table: everything dispatch needs, with no filesystem work left. */
export interface Table {
  /** The best candidate per key (`/`-joined segments). */
  readonly routes: ReadonlyMap<string, Candidate>;
  /** The longest key, in segments. */
  readonly maxDepth: number;
  /**
   * The route for each raw request path that needs no decoding and has no path info (`/hello`
   * and `/hello/`): the common request skips splitting and checking.
   */
  readonly plainPaths: PathIndex<Route>;
  /** The scope per public folder key. */
  readonly scopes: ReadonlyMap<string, Scope>;
  /** The start-up hooks, in order. */
  readonly startup: readonly StartupHook[];
}

/** The modules' namespaces by real absolute path. */
export type Namespaces = ReadonlyMap<string, Record<string, unknown>>;

function better(a: Candidate, b: Candidate): boolean {
  if (a.depth !== b.depth) return a.depth < b.depth;
  return !a.indexFile && b.indexFile;
}

/**
 * Builds the table.
 *
 * @param tree The scanned tree.
 * @param namespaces The imported modules and configs.
 * @returns The table.
 * @throws {TypeError|RangeError} For a bad `_config.ts` or module hook.
 */
export function buildTable(tree: Tree, namespaces: Namespaces): Table {
  const routes = new Map<string, Candidate>();
  const scopes = new Map<string, Scope>();
  const startup: StartupHook[] = [];
  let maxDepth = 0;

  const add = (key: string[], candidate: Candidate) => {
    const joined = key.join("/");
    const current = routes.get(joined);
    if (!current || better(candidate, current)) routes.set(joined, candidate);
    maxDepth = Math.max(maxDepth, key.length);
  };

  for (const folder of tree.folders) {
    const parentKey = folder.segments.slice(0, -1).join("/");
    const parent = folder.segments.length === 0 ? rootScope() : scopes.get(parentKey)!;
    let scope: Scope;
    if (folder.config === undefined) {
      scope = childScope(parent, folder.rel, folder.abs, undefined, "");
    } else {
      const source = folder.rel === "" ? "_config.ts" : `${folder.rel}/_config.ts`;
      const ns = namespaces.get(folder.config)!;
      if (!("default" in ns)) {
        throw new TypeError(
          `Cannot use ${source}: it has no default export (export default defineScope({ … }))`,
        );
      }
      scope = childScope(parent, folder.rel, folder.abs, ns.default, source);
    }
    scopes.set(folder.segments.join("/"), scope);
    startup.push(...scope.startup);
    for (const module of folder.modules) {
      const ns = namespaces.get(module.abs)!;
      startup.push(...startupHooks(ns._startup, `${module.rel}#_startup`));
      addModule(module, ns, scope, add);
    }
  }
  return { routes, maxDepth, scopes, startup, plainPaths: plainPaths(routes) };
}

// A key whose raw form is its decoded form, and which splitPath() would accept unchanged.
const PLAIN_KEY = /^(?:[A-Za-z0-9_~-][A-Za-z0-9_.~-]*(?:\/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*)?$/;

function plainPaths(routes: ReadonlyMap<string, Candidate>): PathIndex<Route> {
  const paths: [string, Route][] = [];
  for (const [key, candidate] of routes) {
    if (!PLAIN_KEY.test(key)) continue;
    paths.push(["/" + key, candidate.whole]);
    if (key !== "") paths.push(["/" + key + "/", candidate.whole]);
  }
  return new PathIndex(paths);
}

function addModule(
  module: ModuleEntry,
  ns: Record<string, unknown>,
  scope: Scope,
  add: (key: string[], candidate: Candidate) => void,
): void {
  const moduleHooks = layerHooks(
    scope.hooks,
    { auth: ns._auth, realm: ns._realm, access: ns._access, guard: ns._guard } as never,
    module.rel,
  );
  const moduleMethods = layerMethods(scope.methods, ns._methods as never, module.rel);
  const depth = module.segments.length;

  const publishOne = (names: string[], fn: PublishedFunction) => {
    const name = names.join(".");
    const source = `${module.rel}#${name}`;
    const options = publishedOptions(fn);
    const route: StaticRoute = Object.freeze({
      path: "/" + [...module.segments, ...names].join("/"),
      module: module.rel,
      name,
      fn,
      options,
      scope,
      hooks: options ? layerHooks(moduleHooks, options.hooks, source) : moduleHooks,
      methods: options ? layerMethods(moduleMethods, options.methods, source) : moduleMethods,
    });
    add([...module.segments, ...names], {
      route,
      whole: wholeRoute(route),
      exact: options?.pathInfo !== true,
      depth,
      indexFile: module.indexFile,
    });
    // A module's `index` answers the module's path, and an object's `index` the object's path
    // (mod_python called a callable instance there).
    if (names[names.length - 1] === "index") {
      const key = [...module.segments, ...names.slice(0, -1)];
      const defaulted = Object.freeze({ ...route, path: "/" + key.join("/") });
      add(key, {
        route: defaulted,
        whole: wholeRoute(defaulted),
        exact: true,
        depth,
        indexFile: module.indexFile,
      });
    }
  };

  for (const name of Object.keys(ns)) {
    if (!isPublicName(name)) continue;
    let value: unknown;
    try {
      value = ns[name];
    } catch {
      continue; // an export still in its temporal dead zone (an import cycle): not callable
    }
    if (isPublishableFunction(value)) publishOne([name], value);
    else if (isPlainObject(value)) {
      for (const [member, fn] of publishedMembers(value)) publishOne([name, member], fn);
    }
  }
}

const NO_PATH_INFO: readonly string[] = Object.freeze([]);

function wholeRoute(route: StaticRoute): Route {
  return Object.freeze({ ...route, pathInfo: NO_PATH_INFO });
}

/**
 * Looks a path up: the longest key that matches and accepts the rest as path info wins; a
 * defaulted `index` and functions that did not opt in answer only their exact path.
 *
 * @param table The table.
 * @param segments The decoded segments.
 * @returns The route, or `undefined`.
 */
export function lookup(table: Table, segments: readonly string[]): Route | undefined {
  for (let k = Math.min(segments.length, table.maxDepth); k >= 0; k--) {
    const candidate = table.routes.get(segments.slice(0, k).join("/"));
    if (!candidate) continue;
    if (candidate.exact && k !== segments.length) continue;
    if (k === segments.length) return candidate.whole;
    return Object.freeze({ ...candidate.route, pathInfo: Object.freeze(segments.slice(k)) });
  }
  return undefined;
}

/**
 * The scope of the deepest public folder on the path.
 *
 * @param table The table.
 * @param segments The decoded segments.
 * @returns The scope (the root's at least).
 */
export function scopeOf(table: Table, segments: readonly string[]): Scope {
  for (let k = segments.length; k > 0; k--) {
    const scope = table.scopes.get(segments.slice(0, k).join("/"));
    if (scope) return scope;
  }
  return table.scopes.get("")!;
}
