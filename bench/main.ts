// `deno task bench`: every benchmark file of this folder, one after another, each in its own
// process (so that one file's JIT state and garbage do not weigh on the next). Set BENCH_MD to
// a file to collect the tables of the files that print one.
// Run: deno task bench            (or: deno run -A bench/main.ts request session)
const FILES = [
  "request_bench.ts",
  "publisher_bench.ts",
  "session_bench.ts",
  "pool_bench.ts",
  "render_bench.ts",
  "app_bench.ts",
  "cold_start.ts",
];

const only = Deno.args;
const failed: string[] = [];
for (const file of FILES) {
  if (only.length > 0 && !only.some((name) => file.startsWith(name))) continue;
  const path = new URL(file, import.meta.url).pathname;
  console.log(`\n## bench/${file}\n`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) failed.push(file);
}
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(", ")}`);
  Deno.exit(1);
}
