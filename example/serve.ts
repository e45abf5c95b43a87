/**
 * `deno serve --parallel -A example/serve.ts`: the notes board as `export default { fetch }`,
 * one worker per core (`DENO_JOBS` sets the count). Sessions in files or Redis are shared by
 * the workers; each worker runs the start-up hooks once.
 *
 * A separate entry because `deno serve` sets `import.meta.main` in its entry module too, so
 * `main.ts` would start its own listener there instead of letting `deno serve` listen.
 */
export { default } from "./main.ts";
