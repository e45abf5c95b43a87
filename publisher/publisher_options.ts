/**
 * The options of `Publisher`.
 *
 * @module
 */
import type { Req } from "@pubkit/request";
import type { Route } from "./route.ts";

/**
 * Runs after the route is resolved and before the access hooks, for every request that reaches
 * a published function: the server opens the scope's session here. Returning a `Response`
 * answers with it instead.
 */
export type BeforeCall = (req: Req, route: Route) => unknown;

/** Options of `Publisher.create`. */
export interface PublisherOptions {
  /** The root directory of modules (a path or a `file:` URL). */
  root: string | URL;
  /** Development mode: watch the root and reload changed modules and their importers. */
  dev?: boolean;
  /** Watch the root in development mode. Default `true`; `false` leaves reloads to `Publisher.reload`. */
  watch?: boolean;
  /** Called before the access hooks (e.g. to open a session). */
  before?: BeforeCall;
  /** How long changes must settle before a dev reload, in milliseconds. Default 50. */
  debounce?: number;
}

/** Options of `Publisher.handle`. */
export interface HandleOptions {
  /** The route, when the caller resolved it already (e.g. to pick form limits). */
  route?: Route;
}
