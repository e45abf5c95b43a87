// The browser of the end-to-end tests: Debian's chromium, driven by playwright-core (never a
// browser download).

/** The executable: `CHROMIUM_PATH`, or Debian's package. */
export const CHROMIUM: string = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

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

/** Fails (never skips) when the browser is missing: CI installs Debian's `chromium`. */
export async function requireChromium(): Promise<void> {
  try {
    await Deno.stat(CHROMIUM);
  } catch (error) {
    throw new Error(
      `Cannot run the browser test: ${CHROMIUM} is missing; install Debian's chromium ` +
        "package (apt-get install chromium) or set CHROMIUM_PATH",
      { cause: error },
    );
  }
}
