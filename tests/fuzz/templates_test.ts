/** Fuzz target: template sources for both compilers (embedded code and fill). */
import fc from "fast-check";
import { FillTemplate, TemplateSyntaxError } from "@pubkit/render";
// The embedded compiler is internal; the engine only compiles files on a search path.
import { compileEmbedded } from "../../render/_embedded_compile.ts";
import { anyString, checkLinear, checkTotal, DANGEROUS, params } from "./_fuzz.ts";

/** Shrunk counterexamples, kept as literal template sources. */
export const regressions: readonly string[] = [
  "<%",
  "<%= %>",
  "<% } %>",
  '<%@ include file="main" %>',
  "<%-- unterminated",
  "<%= '%>' %>",
  "<%= `${'%>'}` %>",
  '<a data-node="con:x"><b data-node="con:x"></b></a>',
  '<a data-node="rep:">',
  "<!--",
  "<![CDATA[",
];

const fragment = fc.constantFrom(
  "<%",
  "%>",
  "<%=",
  "<%~",
  "<%--",
  "--%>",
  "<%%",
  '<%@ include file="x" %>',
  "{",
  "}",
  "'",
  '"',
  "`",
  "/*",
  "*/",
  "//",
  "\n",
  '<a data-node="con:a">',
  "</a>",
  '<b data-node="rep:b">',
  "</b>",
  '<p data-node="att:c">',
  "<!--",
  "-->",
  "<script>",
  "</script>",
  "<",
  ">",
  "=",
  '"',
  "&amp;",
  "it.x",
  "for (;;) {",
  "await",
  "return",
  ")",
  "(",
);

const source = fc.oneof(
  anyString(),
  fc.array(fc.oneof(fragment, anyString(10)), { maxLength: 40 }).map((parts) => parts.join("")),
);

const host = {
  read: (path: string) => Promise.resolve(path === "main" ? current : "<%= 1 %>"),
  resolveInclude: (_from: string, target: string) => target,
};
let current = "";

async function compile(text: string) {
  current = text;
  await compileEmbedded("main", host, "pubkit-fuzz:main");
}

const typed = { allowed: (error: unknown) => error instanceof TemplateSyntaxError };

Deno.test("fuzz: the embedded compiler ends every source in a template or a TemplateSyntaxError", async (t) => {
  await t.step("regressions and dangerous seeds", async () => {
    for (const input of [...regressions, ...DANGEROUS]) await checkTotal(compile, input, typed);
  });
  await t.step("generated sources", async () => {
    await fc.assert(
      fc.asyncProperty(source, (input) => checkTotal(compile, input, typed)),
      params(300),
    );
  });
  await t.step("linear in the source length", async () => {
    const run = (input: unknown) => compile(input as string);
    await checkLinear("compileEmbedded (text)", (n) => "a".repeat(n), run);
    await checkLinear("compileEmbedded (tags)", (n) => "<%= it.a %>".repeat(n / 11), run);
    await checkLinear("compileEmbedded (open quotes)", (n) => "<% '".repeat(n / 4), run);
    await checkLinear("compileEmbedded (unclosed comment)", (n) => "<% /*".repeat(n / 5), run);
  });
});

Deno.test("fuzz: the fill compiler ends every source in a template or a TemplateSyntaxError", async (t) => {
  const target = (input: string) => new FillTemplate(input, { file: "fuzz.html" });
  await t.step("regressions and dangerous seeds", async () => {
    for (const input of [...regressions, ...DANGEROUS]) await checkTotal(target, input, typed);
  });
  await t.step("generated sources", async () => {
    await fc.assert(
      fc.asyncProperty(source, (input) => checkTotal(target, input, typed)),
      params(300),
    );
  });
  await t.step("linear in the source length", async () => {
    const run = (input: unknown) => target(input as string);
    await checkLinear("FillTemplate (text)", (n) => "a".repeat(n), run);
    await checkLinear(
      "FillTemplate (nodes)",
      (n) => '<a data-node="con:x">y</a>'.repeat(n / 26),
      run,
    );
    await checkLinear("FillTemplate (open tags)", (n) => '<a b="'.repeat(n / 6), run);
    await checkLinear("FillTemplate (nesting)", (n) => "<div>".repeat(n / 5), run);
  });
});
