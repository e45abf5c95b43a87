// The browser is the oracle for contextual escaping: hostile values rendered into every context
// of both engines, each context's page loaded in headless Chromium (Debian's package, driven by
// playwright-core). No payload may run script (each would set window.__pwned), the page must
// have the same elements as with a harmless value, no URL may parse to a script scheme, and
// where the context keeps text the DOM gives the value back.
import { chromium, type Page } from "playwright-core";
import assert from "node:assert/strict";
import { ARGS, IGNORE_WITHOUT_CHROMIUM, requireChromium } from "./_chromium.ts";
import {
  EmbeddedEngine,
  FillEngine,
  type FillNode,
  isSafeUrl,
  UnsafeUrlError,
} from "@pubkit/render";

const REFUSED = "about:invalid#pubkit";
const RUN = "__pwned=1";

/** Breakouts per context, entity and whitespace obfuscation, Unicode tricks, nested quoting. */
const CORPUS: string[] = [
  `<script>${RUN}</script>`,
  `<img src=x onerror=${RUN}>`,
  `"><img src=x onerror=${RUN}>`,
  `'><img src=x onerror=${RUN}>`,
  `" autofocus onfocus="${RUN}" x="`,
  `' autofocus onfocus='${RUN}' x='`,
  ` autofocus onfocus=${RUN} `,
  `</title><img src=x onerror=${RUN}>`,
  `</textarea><img src=x onerror=${RUN}>`,
  `</script><script>${RUN}</script>`,
  `</ScRiPt ><img src=x onerror=${RUN}>`,
  `--><img src=x onerror=${RUN}>`,
  `--!><img src=x onerror=${RUN}>`,
  `<!--<script>`,
  `<svg onload=${RUN}>`,
  `javascript:${RUN}`,
  ` JaVaScRiPt:${RUN}`,
  `java\tscript:${RUN}`,
  `java\nscript:${RUN}`,
  `\u0001javascript:${RUN}`,
  `&#106;avascript:${RUN}`,
  `&#x6A&#x61&#x76&#x61script:${RUN}`,
  `javascript&colon;${RUN}`,
  `vbscript:msgbox(1)`,
  `data:text/html,<script>${RUN}</script>`,
  `/ok.png 1x, javascript:${RUN} 2x`,
  `\\`,
  `\\"; ${RUN}; //`,
  `"; ${RUN}; //`,
  `'; ${RUN}; //`,
  `\`; ${RUN}; //`,
  `\${${RUN}}`,
  `\u2028${RUN}\u2029`,
  `\r\n${RUN}`,
  `&lt;script&gt;${RUN}&lt;/script&gt;`,
  `&amp;&quot;&#39;`,
  `\uFF1Cscript\uFF1E${RUN}\uFF1C/script\uFF1E`,
  `\u202Egnp.exe\u202C`,
  `nul\u0000byte`,
  `"'\`"'\` </p> <!-- --> ]]> %> <%`,
  `a\u00A0b\u3000c`,
  `😀 \uD83D`,
];

/** What the DOM gives back for a value HTML carried as text (HTML cannot carry NUL). */
function asParsed(value: string): string {
  return value.replaceAll("\0", "\uFFFD").toWellFormed();
}

/** What JavaScript gives back (a JavaScript string carries NUL). */
function asJs(value: string): string {
  return value.toWellFormed();
}

interface Context {
  name: string;
  /** Embedded template for one value `v` at index `i`. */
  embedded?: string;
  /** Fill template (one `rep:x` item per value) and how to fill an item. */
  fill?: { html: string; set: (item: FillNode, v: string) => void };
  /** Expression evaluated per `[data-slot]` element `el` (and `i`) in the page. */
  read?: string;
  /** The value expected back; `undefined` skips the comparison for it. */
  expect?: (v: string) => string | undefined;
  /** Attribute holding URLs to check with the browser's URL parser. */
  url?: string;
}

const slot = `data-slot="<%= i %>"`;
const urlExpect = (attribute: string, tag?: string) => (v: string) =>
  isSafeUrl(attribute, v, { tag }) ? asParsed(v) : REFUSED;

const CONTEXTS: Context[] = [
  {
    name: "text",
    embedded: `<p ${slot}><%= v %></p>`,
    fill: { html: `<p data-node="rep:x" data-slot>x</p>`, set: (n, v) => n.text(v) },
    read: "el.textContent",
    expect: asParsed,
  },
  {
    name: "RCDATA title",
    embedded: `<title ${slot}><%= v %></title>`,
    fill: { html: `<title data-node="rep:x" data-slot>x</title>`, set: (n, v) => n.text(v) },
    read: "el.textContent",
    expect: asParsed,
  },
  {
    name: "RCDATA textarea",
    embedded: `<textarea ${slot}><%= v %></textarea>`,
    fill: { html: `<textarea data-node="rep:x" data-slot>x</textarea>`, set: (n, v) => n.text(v) },
    read: "el.value",
    expect: (v) => asParsed(v).replace(/^\n/, "").replaceAll("\r\n", "\n").replaceAll("\r", "\n"),
  },
  {
    name: "double-quoted attribute",
    embedded: `<p ${slot} title="<%= v %>"></p>`,
    fill: { html: `<p data-node="rep:x" data-slot></p>`, set: (n, v) => n.attr("title", v) },
    read: `el.getAttribute("title")`,
    expect: asParsed,
  },
  {
    name: "single-quoted attribute",
    embedded: `<p ${slot} title='<%= v %>'></p>`,
    read: `el.getAttribute("title")`,
    expect: asParsed,
  },
  ...[["a", "href"], ["img", "src"], ["button", "formaction"], ["video", "poster"]].map(
    ([tag, attribute]): Context => ({
      name: `URL attribute ${tag} ${attribute}`,
      embedded: `<${tag} ${slot} ${attribute}="<%= v %>"></${tag}>`,
      fill: {
        html: `<${tag} data-node="rep:x" data-slot></${tag}>`,
        set: (n, v) => n.attr(attribute, v),
      },
      read: `el.getAttribute(${JSON.stringify(attribute)})`,
      expect: urlExpect(attribute, tag),
      url: attribute,
    }),
  ),
  {
    name: "URL attribute img srcset",
    embedded: `<img ${slot} srcset="<%= v %>">`,
    fill: { html: `<img data-node="rep:x" data-slot>`, set: (n, v) => n.attr("srcset", v) },
    read: `el.getAttribute("srcset")`,
    expect: urlExpect("srcset", "img"),
    url: "srcset",
  },
  {
    name: "URL attribute svg xlink:href",
    embedded: `<svg><a ${slot} xlink:href="<%= v %>"><text>x</text></a></svg>`,
    fill: {
      html: `<svg><a data-node="rep:x" data-slot><text>x</text></a></svg>`,
      set: (n, v) => n.attr("xlink:href", v),
    },
    read: `el.getAttribute("xlink:href")`,
    expect: urlExpect("xlink:href"),
    url: "xlink:href",
  },
  {
    name: "URL attribute after a path made by a character reference",
    embedded: `<a ${slot} href="&#x2F;u/<%= v %>"></a>`,
    read: `el.getAttribute("href")`,
    expect: (v) => "/u/" + asParsed(v),
    url: "href",
  },
  {
    name: "script string in an HTML script inside svg foreignObject",
    embedded:
      `<svg><foreignObject><script ${slot}>__out.push("<%= v %>")</script></foreignObject></svg>`,
    read: "__out[i]",
    expect: asJs,
  },
  {
    name: "script double-quoted string",
    embedded: `<script ${slot}>__out.push("<%= v %>")</script>`,
    read: "__out[i]",
    expect: asJs,
  },
  {
    name: "script single-quoted string",
    embedded: `<script ${slot}>__out.push('<%= v %>')</script>`,
    read: "__out[i]",
    expect: asJs,
  },
  {
    name: "script template literal",
    embedded: "<script " + slot + ">__out.push(`${'<'}<%= v %>`.slice(1))</script>",
    read: "__out[i]",
    expect: asJs,
  },
  {
    name: "script value (JSON)",
    embedded: `<script ${slot}>__out.push(<%= v %>)</script>`,
    read: "__out[i]",
    expect: asJs,
  },
  {
    name: "JSON data block",
    embedded: `<script type="application/json" ${slot}><%= json({ v }) %></script>`,
    read: "JSON.parse(el.textContent).v",
    expect: asJs,
  },
];

function page(body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><base href="http://pubkit.test/">` +
    `<script>window.__out = []; window.__pwned = undefined;</script></head>` +
    `<body>${body}</body></html>`;
}

async function renderEmbedded(dir: string, c: Context, values: string[]): Promise<string> {
  const file = `${dir}/${c.name.replaceAll(/\W/g, "_")}.ehtml`;
  await Deno.writeTextFile(
    file,
    `<% for (const [i, v] of it.vs.entries()) { %>${c.embedded}<% } %>`,
  );
  const engine = new EmbeddedEngine({ searchPath: [dir], onRefusedUrl: () => {} });
  const name = file.slice(dir.length + 1);
  const html = await engine.render(name, { vs: values });
  // What a server sends (escaped on the bytes, see render/_html_bytes.ts) is the same page.
  assert.deepEqual(
    await engine.renderBytes(name, { vs: values }),
    new TextEncoder().encode(html),
    `${c.name}: renderBytes() differs from render()`,
  );
  return html;
}

/** Fills one item per value; a value the fill policy refuses leaves its item unset. */
async function renderFill(
  dir: string,
  c: Context,
  values: string[],
): Promise<{ html: string; refused: Set<number> }> {
  const file = `${dir}/${c.name.replaceAll(/\W/g, "_")}.html`;
  await Deno.writeTextFile(file, c.fill!.html);
  const engine = new FillEngine({ searchPath: [dir] });
  let refused = new Set<number>();
  const fill = (root: FillNode) => {
    refused = new Set();
    root.node("x").repeat(values, (item, v, i) => {
      try {
        c.fill!.set(item, v);
      } catch (e) {
        if (!(e instanceof UnsafeUrlError)) throw e;
        refused.add(i);
      }
    });
  };
  const name = file.slice(dir.length + 1);
  const html = await engine.render(name, fill);
  // What a server sends (escaped on the bytes, see render/_html_bytes.ts) is the same page.
  assert.deepEqual(
    await engine.renderBytes(name, fill),
    new TextEncoder().encode(html),
    `${c.name}: renderBytes() differs from render()`,
  );
  return { html, refused };
}

interface Observed {
  pwned: unknown;
  elements: number;
  values: unknown[];
  protocols: string[];
}

async function observe(tab: Page, html: string, c: Context): Promise<Observed> {
  await tab.setContent(page(html), { waitUntil: "load" });
  await tab.waitForTimeout(150); // autofocus and error handlers fire after load
  const url = c.url === undefined ? "null" : JSON.stringify(c.url);
  return JSON.parse(
    await tab.evaluate(`(() => {
      const slots = [...document.querySelectorAll("[data-slot]")];
      const values = slots.map((el, i) => { try { return ${c.read}; } catch (e) { return "!" + e; } });
      const protocols = [];
      if (${url} !== null) {
        for (const el of slots) {
          const text = el.getAttribute(${url});
          if (text === null) continue;
          const urls = ${url} === "srcset"
            ? text.split(",").map((s) => s.trim().split(/\\s+/)[0]) : [text];
          for (const u of urls) {
            try { protocols.push(new URL(u, document.baseURI).protocol); } catch { protocols.push("unparsed"); }
          }
        }
      }
      return JSON.stringify({
        pwned: window.__pwned ?? null,
        elements: document.querySelectorAll("*").length,
        values,
        protocols,
      });
    })()`) as string,
  );
}

Deno.test({
  name: "both engines escape hostile values in every context (Chromium as the oracle) " +
    "(needs Chromium)",
  ignore: IGNORE_WITHOUT_CHROMIUM,
  async fn(t) {
    const executablePath = requireChromium();
    const dir = await Deno.makeTempDir({ prefix: "pubkit-oracle-" });
    const browser = await chromium.launch({
      executablePath,
      args: ARGS,
      timeout: 20_000,
    });
    try {
      const tab = await browser.newPage();
      tab.setDefaultTimeout(10_000);
      await tab.route("**/*", (route) => route.abort());
      const harmless = CORPUS.map(() => "x");
      const check = (c: Context, seen: Observed, shape: Observed, skip = new Set<number>()) => {
        assert.equal(seen.pwned, null, `${c.name}: a payload ran script`);
        assert.equal(
          seen.elements,
          shape.elements,
          `${c.name}: a payload changed the page's elements`,
        );
        for (const p of seen.protocols) {
          assert.ok(!/^(javascript|vbscript|data):$/.test(p), `${c.name}: a URL parses to ${p}`);
        }
        if (c.expect === undefined) return;
        CORPUS.forEach((v, i) => {
          if (skip.has(i)) return;
          // Lone surrogates cross the page boundary either kept or replaced: compare well-formed.
          const got = typeof seen.values[i] === "string"
            ? (seen.values[i] as string).toWellFormed()
            : seen.values[i];
          assert.equal(got, c.expect!(v), `${c.name}: ${JSON.stringify(v)}`);
        });
      };
      await t.step("control: the oracle sees a payload that runs (raw output)", async () => {
        const c: Context = { name: "raw", embedded: `<p ${slot}><%~ v %></p>`, read: "1" };
        for (const v of [`<img src=x onerror=${RUN}>`, `<svg onload=${RUN}>`]) {
          assert.equal((await observe(tab, await renderEmbedded(dir, c, [v]), c)).pwned, 1);
        }
      });
      for (const c of CONTEXTS) {
        if (c.embedded !== undefined) {
          await t.step(`embedded: ${c.name}`, async () => {
            const shape = await observe(tab, await renderEmbedded(dir, c, harmless), c);
            check(c, await observe(tab, await renderEmbedded(dir, c, CORPUS), c), shape);
          });
        }
        if (c.fill !== undefined) {
          await t.step(`fill: ${c.name}`, async () => {
            const shape = await observe(tab, (await renderFill(dir, c, harmless)).html, c);
            const { html, refused } = await renderFill(dir, c, CORPUS);
            const seen = await observe(tab, html, c);
            // A refused value leaves the attribute unset (read back as null).
            refused.forEach((i) => assert.equal(seen.values[i], null));
            check(c, seen, shape, refused);
          });
        }
      }
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
