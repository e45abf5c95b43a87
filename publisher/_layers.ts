/**
 * How scope options, module hooks and function options are layered over inherited values.
 *
 * @module
 */
import { resolveFormLimits } from "@pubkit/request/body";
import { resolve as resolvePath } from "./_fs_path.ts";
import type { AccessCheck, AccessHooks, EffectiveHooks, Guard } from "./access_hooks.ts";
import type {
  ListEdit,
  ListOption,
  Scope,
  ScopeOptions,
  StartupFunction,
  StartupHook,
} from "./scope.ts";
import { DEFAULT_METHODS } from "./define_scope.ts";
import { checkOptionKeys } from "./_check_options.ts";

const SCOPE_KEYS: ReadonlySet<string> = new Set([
  "auth",
  "realm",
  "access",
  "guard",
  "methods",
  "formLimits",
  "templates",
  "session",
  "settings",
  "securityHeaders",
  "startup",
  "errorPage",
]);

export function checkScopeOptions(
  options: unknown,
  source: string,
): asserts options is ScopeOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot use ${source}: the default export must be an object`);
  }
  checkOptionKeys(options, SCOPE_KEYS, `use ${source}`);
  const o = options as ScopeOptions;
  if (
    o.session !== undefined && o.session !== false && o.session !== "lock" && o.session !== "read"
  ) {
    throw new TypeError(`Cannot use ${source}: session must be "lock", "read" or false`);
  }
  if (o.formLimits !== undefined) resolveFormLimits(o.formLimits);
  if (o.settings !== undefined && (typeof o.settings !== "object" || o.settings === null)) {
    throw new TypeError(`Cannot use ${source}: settings must be an object`);
  }
  if (o.securityHeaders !== undefined) checkHeaderMap(o.securityHeaders, source);
  if (o.errorPage !== undefined && o.errorPage !== false && typeof o.errorPage !== "string") {
    throw new TypeError(`Cannot use ${source}: errorPage must be a template name or false`);
  }
  startupHooks(o.startup, `${source}#startup`);
}

/**
 * The start-up hooks a `_config.ts` option or a module's `_startup` export declares (a function
 * or a list of them), named for where they were declared: `source`, or `source[i]` in a list.
 */
export function startupHooks(value: unknown, source: string): readonly StartupHook[] {
  if (value === undefined) return Object.freeze([]);
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.some((hook) => typeof hook !== "function")) {
    throw new TypeError(`Cannot use ${source}: it must be a function or a list of functions`);
  }
  return Object.freeze(list.map((run, i) =>
    Object.freeze({
      name: Array.isArray(value) ? `${source}[${i}]` : source,
      run: run as StartupFunction,
    })
  ));
}

/** Throws a `TypeError` unless `map` holds header names with a valid value or `false`. */
function checkHeaderMap(map: unknown, source: string): void {
  if (typeof map !== "object" || map === null || Array.isArray(map)) {
    throw new TypeError(`Cannot use ${source}: securityHeaders must be an object`);
  }
  for (const [name, value] of Object.entries(map)) {
    let valid = value === false || typeof value === "string";
    try {
      if (valid) new Headers().set(name, value === false ? "" : value);
    } catch {
      valid = false;
    }
    if (!valid) {
      throw new TypeError(
        `Cannot use ${source}: securityHeaders ${JSON.stringify(name)} must be a header name ` +
          "with a valid string value or false",
      );
    }
  }
}

function lowerCaseKeys<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(map).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

/** The scope of a root without any `_config.ts`. */
export function rootScope(): Scope {
  return Object.freeze({
    dir: "",
    sources: Object.freeze([]),
    hooks: Object.freeze({ auth: undefined, realm: "pubkit", access: undefined, guard: undefined }),
    methods: DEFAULT_METHODS,
    formLimits: undefined,
    templates: Object.freeze([]),
    session: false,
    settings: Object.freeze({}),
    securityHeaders: undefined,
    startup: Object.freeze([]),
    errorPage: undefined,
  });
}

/**
 * Computes a folder's scope from its parent's and its `_config.ts` options.
 *
 * @param parent The parent folder's scope.
 * @param dir The folder, relative to the root.
 * @param absDir The folder's absolute path, for relative template entries.
 * @param options The default export of the folder's `_config.ts`, if any.
 * @param source The config file's name for messages, e.g. `admin/_config.ts`.
 * @returns The folder's scope.
 * @throws {RangeError} For an unknown option.
 * @throws {TypeError} For a value of the wrong type.
 */
export function childScope(
  parent: Scope,
  dir: string,
  absDir: string,
  options: unknown,
  source: string,
): Scope {
  if (options === undefined) return Object.freeze({ ...parent, dir, startup: Object.freeze([]) });
  checkScopeOptions(options, source);
  return Object.freeze({
    dir,
    sources: Object.freeze([...parent.sources, source]),
    hooks: layerHooks(parent.hooks, options, source),
    methods: layerMethods(parent.methods, options.methods, source),
    formLimits: options.formLimits === undefined
      ? parent.formLimits
      : Object.freeze({ ...parent.formLimits, ...options.formLimits }),
    templates: options.templates === undefined ? parent.templates : Object.freeze(
      editList(parent.templates, options.templates, source, "templates", (entry) => {
        if (typeof entry !== "string") {
          throw new TypeError(`Cannot use ${source}: templates entries must be strings`);
        }
        return resolvePath(absDir, entry);
      }),
    ),
    session: options.session ?? parent.session,
    settings: Object.freeze({ ...parent.settings, ...options.settings }),
    securityHeaders: options.securityHeaders === undefined
      ? parent.securityHeaders
      : Object.freeze({ ...parent.securityHeaders, ...lowerCaseKeys(options.securityHeaders) }),
    errorPage: options.errorPage === undefined
      ? parent.errorPage
      : options.errorPage === false
      ? undefined
      : options.errorPage,
    startup: startupHooks(options.startup, `${source}#startup`),
  });
}

/** Hook values as one level gives them; `false` turns an inherited hook off. */
export interface HookLayer {
  /** See {@linkcode AccessHooks.auth}. */
  auth?: AccessHooks["auth"] | false;
  /** See {@linkcode AccessHooks.realm}. */
  realm?: string;
  /** See {@linkcode AccessHooks.access}; lists may extend. */
  access?: ListOption<string> | AccessCheck | false;
  /** See {@linkcode AccessHooks.guard}. */
  guard?: Guard | false;
}

/**
 * Puts one level's hooks over inherited ones: each hook is inherited until a more specific
 * level sets it; `false` turns it off; an access list may extend the inherited list.
 *
 * @param base The inherited hooks.
 * @param layer The level's hooks.
 * @param source Where the level is declared, for messages.
 * @returns The effective hooks.
 * @throws {TypeError} For a value of the wrong type.
 */
export function layerHooks(base: EffectiveHooks, layer: HookLayer, source: string): EffectiveHooks {
  const { auth, realm, access, guard } = layer;
  if (auth !== undefined && auth !== false && typeof auth !== "function") {
    if (typeof auth !== "object" || auth === null) {
      throw new TypeError(
        `Cannot use ${source}: auth must be a function, a user → password map or false`,
      );
    }
    for (const user of Object.keys(auth)) {
      if (typeof (auth as Record<string, unknown>)[user] !== "string") {
        throw new TypeError(
          `Cannot use ${source}: the password of ${JSON.stringify(user)} is not a string`,
        );
      }
    }
  }
  if (guard !== undefined && guard !== false && typeof guard !== "function") {
    throw new TypeError(`Cannot use ${source}: guard must be a function or false`);
  }
  let effectiveAccess = base.access;
  if (access === false) effectiveAccess = undefined;
  else if (typeof access === "function") effectiveAccess = access as AccessCheck;
  else if (access !== undefined) {
    if (typeof base.access === "function" && !Array.isArray(access)) {
      throw new TypeError(
        `Cannot use ${source}: cannot extend an inherited access function with a list`,
      );
    }
    const inherited = typeof base.access === "function" ? [] : base.access ?? [];
    effectiveAccess = Object.freeze(
      editList(inherited, access as ListOption<string>, source, "access", (user) => {
        if (typeof user !== "string") {
          throw new TypeError(`Cannot use ${source}: access entries must be user names`);
        }
        return user;
      }),
    );
  }
  return Object.freeze({
    auth: auth === false
      ? undefined
      : auth === undefined
      ? base.auth
      : typeof auth === "function"
      ? auth
      : Object.freeze(Object.assign(Object.create(null), auth)),
    realm: realm === undefined ? base.realm : checkRealm(realm),
    access: effectiveAccess,
    guard: guard === false ? undefined : guard ?? base.guard,
  });
}

/**
 * Puts a level's methods over inherited ones.
 *
 * @param base The inherited methods.
 * @param option The level's list or edit.
 * @param source Where the level is declared, for messages.
 * @returns The methods, upper case, without duplicates.
 * @throws {TypeError} For a method that is not an HTTP token.
 */
export function layerMethods(
  base: readonly string[],
  option: ListOption<string> | undefined,
  source: string,
): readonly string[] {
  if (option === undefined) return base;
  const methods = editList(base, option, source, "methods", (method) => {
    if (typeof method !== "string" || !/^[A-Za-z]+$/.test(method)) {
      throw new TypeError(`Cannot use ${source}: ${JSON.stringify(method)} is not an HTTP method`);
    }
    return method.toUpperCase();
  });
  return Object.freeze([...new Set(methods)]);
}

function editList<T>(
  base: readonly T[],
  option: ListOption<unknown>,
  source: string,
  name: string,
  check: (entry: unknown) => T,
): T[] {
  if (Array.isArray(option)) return option.map(check);
  if (typeof option !== "object" || option === null) {
    throw new TypeError(
      `Cannot use ${source}: ${name} must be a list or { prepend, append, remove }`,
    );
  }
  for (const key of Object.keys(option)) {
    if (key !== "prepend" && key !== "append" && key !== "remove") {
      throw new RangeError(`Cannot use ${source}: unknown ${name} edit ${JSON.stringify(key)}`);
    }
  }
  const edit = option as ListEdit<unknown>;
  const lists = [edit.prepend, edit.append, edit.remove];
  if (lists.some((list) => list !== undefined && !Array.isArray(list))) {
    throw new TypeError(`Cannot use ${source}: ${name} edits must be lists`);
  }
  const removed = new Set((edit.remove ?? []).map(check));
  return [
    ...(edit.prepend ?? []).map(check),
    ...base.filter((entry) => !removed.has(entry)),
    ...(edit.append ?? []).map(check),
  ];
}

/**
 * Checks a realm for use in a header.
 *
 * @param realm The realm.
 * @returns The realm.
 * @throws {TypeError} For quotes, backslashes or control characters.
 */
export function checkRealm(realm: unknown): string {
  // deno-lint-ignore no-control-regex -- control characters are exactly what is refused
  if (typeof realm !== "string" || /["\\\x00-\x1f\x7f]/.test(realm)) {
    throw new TypeError(
      `Cannot use realm ${
        JSON.stringify(realm)
      }: it must be a string without quotes, backslashes or control characters`,
    );
  }
  return realm;
}
