// The published hello of bench/cold_start.ts: GET /hello.
/** Says hello. */
export function index(): string {
  return "Hello, World!";
}
