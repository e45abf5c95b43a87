/** Fuzz target: request paths through the static-file handler (never a dot-file, never a 5xx). */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Req } from "@pubkit/request";
import { staticFiles } from "@pubkit/server";
import { anyString, checkTotal, DANGEROUS, params } from "./_fuzz.ts";

/** Shrunk counterexamples and known hostile paths, kept as literal inputs. */
export const regressions: readonly string[] = [
  "sub%2f..%2f.env",
  "sub%2F..%2F.git%2Fconfig",
  "sub%5c..%5c.env",
  ".git/config",
  "%2egit/config",
  "sub/%2e%2e/.env",
  "env-link",
  "git-link/config",
  "outside",
  "site.css%00",
  "%E0%A4%A",
];

const PUBLIC = new Set(["body{}", "page"]);

Deno.test("fuzz: staticFiles() serves only public files, else undefined or a 4xx", async (t) => {
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/sub`);
    await Deno.mkdir(`${dir}/.git`);
    await Deno.writeTextFile(`${dir}/site.css`, "body{}");
    await Deno.writeTextFile(`${dir}/sub/page.txt`, "page");
    await Deno.writeTextFile(`${dir}/.env`, "SECRET=env");
    await Deno.writeTextFile(`${dir}/.git/config`, "SECRET=git");
    await Deno.writeTextFile(`${outside}/secret.txt`, "SECRET=outside");
    await Deno.symlink(`${dir}/.env`, `${dir}/env-link`);
    await Deno.symlink(`${dir}/.git`, `${dir}/git-link`);
    await Deno.symlink(`${outside}/secret.txt`, `${dir}/outside`);
    const serve = staticFiles({ prefix: "/static/", dir });
    const target = async (input: string) => {
      let request: Request;
      try {
        request = new Request(`http://localhost/static/${input}`);
      } catch {
        return undefined; // not a URL: never reaches a server
      }
      const response = await serve(new Req(request));
      if (response?.status === 200) {
        const body = await response.text();
        assert.ok(PUBLIC.has(body), `served ${JSON.stringify(body)} for ${JSON.stringify(input)}`);
      }
      return response;
    };
    await t.step("regressions and dangerous seeds", async () => {
      for (const input of [...regressions, ...DANGEROUS]) await checkTotal(target, input);
    });
    await t.step("generated paths", async () => {
      const segment = fc.oneof(
        anyString(30),
        fc.constantFrom(".env", ".git", "config", "sub", "site.css", "page.txt", "..", "."),
        fc.constantFrom("%2f", "%2F", "%5c", "%2e", "%2e%2e", "%00", "%252f", "env-link"),
      );
      const path = fc.array(segment, { maxLength: 6 }).map((parts) => parts.join(""))
        .chain((joined) =>
          fc.oneof(fc.constant(joined), fc.array(segment, { maxLength: 6 }).map((p) => p.join("/")))
        );
      await fc.assert(fc.asyncProperty(path, (input) => checkTotal(target, input)), params(300));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
