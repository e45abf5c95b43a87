// A published hello for access_log_test.ts: its route is /hello.
export function index(): string {
  return "hello";
}
