// What a development reload costs in memory (issue 18): a publish root whose page imports a chain
// of three modules (about 12 KB of source each); the leaf changes and is reloaded N times, which
// re-imports all four. Deno cannot unload a module, so every reload leaves its instances behind;
// this prints the resident set and the V8 heap (after a full GC) before and after.
// Run: deno run -A --v8-flags=--expose-gc bench/reload_memory.ts [N=200]
import { join } from "node:path";
import { Publisher } from "@pubkit/publisher";

const reloads = Number(Deno.args[0] ?? 200);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("Run with --v8-flags=--expose-gc");

/** About 12 KB of source: 100 small functions, as a page's helpers might be. */
function body(name: string, version: number): string {
  const lines = [];
  for (let i = 0; i < 100; i++) {
    lines.push(
      `export function ${name}${i}(value: string): string {\n` +
        `  return \`${name} ${i} v${version}: \${value.toUpperCase()} \${value.length}\`;\n}`,
    );
  }
  return lines.join("\n") + "\n";
}

const root = await Deno.makeTempDir({ prefix: "pubkit-reload-bench-" });
const write = (file: string, text: string) => Deno.writeTextFile(join(root, file), text);
await write("_c.ts", body("c", 0));
await write(
  "_b.ts",
  'import { c0 } from "./_c.ts";\nexport const b = () => c0("b");\n' + body("b", 0),
);
await write("_a.ts", 'import { b } from "./_b.ts";\nexport const a = () => b();\n' + body("a", 0));
await write(
  "page.ts",
  'import { a } from "./_a.ts";\nexport const show = () => a();\n' + body("p", 0),
);

function measure(): { rss: number; heap: number } {
  gc!();
  const { rss, heapUsed } = Deno.memoryUsage();
  return { rss, heap: heapUsed };
}

const publisher = await Publisher.create({ root, dev: true, watch: false });
// Warm up: the first reloads pay one-time costs (the temporary folder, compiler caches).
for (let i = 1; i <= 5; i++) {
  await write("_c.ts", body("c", i));
  await publisher.reload();
}
const before = measure();
for (let i = 6; i < 6 + reloads; i++) {
  await write("_c.ts", body("c", i));
  if (!await publisher.reload()) throw new Error("Cannot measure: a reload found no change");
}
const after = measure();
await publisher.close();
await Deno.remove(root, { recursive: true });

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const kib = (bytes: number) => (bytes / 1024).toFixed(0);
console.log(
  `${reloads} reloads of 4 modules (${kib(4 * body("c", 0).length)} KiB of source each time)`,
);
console.log(
  `RSS  ${mib(before.rss)} → ${mib(after.rss)} MiB: ${
    kib((after.rss - before.rss) / reloads)
  } KiB per reload`,
);
console.log(
  `heap ${mib(before.heap)} → ${mib(after.heap)} MiB: ${
    kib((after.heap - before.heap) / reloads)
  } KiB per reload`,
);
