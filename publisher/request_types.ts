/**
 * The `@pubkit/request` types that appear in this package's API, re-exported so that its
 * documentation is complete on its own.
 *
 * @module
 */
export type {
  Cleanup,
  CookieOptions,
  Fields,
  FieldValue,
  FormLimits,
  HttpError,
  HttpErrorOptions,
  Req,
  RequestChain,
  ResponseHeaders,
} from "@pubkit/request";
