// The browser of the end-to-end tests: Debian's chromium, driven by playwright-core (never a
// browser download).

/** CHROMIUM_PATH if set, else `chromium` on the PATH (Debian's package); `undefined` if missing. */
function findChromium(): string | undefined {
  const explicit = Deno.env.get("CHROMIUM_PATH");
  const candidates = explicit
    ? [explicit]
    : (Deno.env.get("PATH") ?? "").split(":").filter(Boolean).map((dir) => `${dir}/chromium`);
  return candidates.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  });
}

/** The executable, or `undefined` when there is none. */
export const CHROMIUM: string | undefined = findChromium();

/** Whether a browser test is ignored: no browser, and PUBKIT_TEST_ALL (CI) is not set. */
export const IGNORE_WITHOUT_CHROMIUM: boolean = !CHROMIUM &&
  Deno.env.get("PUBKIT_TEST_ALL") !== "1";

/** Headless, no sandbox (containers), and no traffic of its own. */
export const ARGS: string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The browser, or an error: without one the test is ignored (and named by `deno task test`),
 * unless PUBKIT_TEST_ALL=1 (CI, which installs Debian's `chromium`) makes it run and fail here.
 */
export function requireChromium(): string {
  if (CHROMIUM) return CHROMIUM;
  throw new Error(
    "Cannot run the browser test: no chromium on the PATH and CHROMIUM_PATH " +
      `${Deno.env.get("CHROMIUM_PATH") ?? "unset"}; install Debian's chromium package ` +
      "(apt-get install chromium) or set CHROMIUM_PATH",
  );
}
