// The escapers a hole gets by context (text and attributes use escapeHtml).
import { _animationAllowed, _refreshAllowed, _urlAllowed } from "./_url_policy.ts";
import { escapeHtml } from "./escape_html.ts";
import { Trusted } from "./trusted.ts";

/** What a refused URL renders as (what Go's html/template writes is `#ZgotmplZ`). */
export const REFUSED_URL = "about:invalid#pubkit";

/** A value already encoded as JSON safe for a `<script>` (from `json()`). */
export class JsonText {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A hole's value as text: `null` and `undefined` are empty, anything else goes through `String`. */
export function toText(value: unknown): string {
  return typeof value === "string"
    ? value
    : value === null || value === undefined
    ? ""
    : String(value);
}

// Escapes for characters in a JavaScript string (also a JSON string): quotes, backslash,
// backtick, `$` and `{` (template literals: a static `$` before a value must not start `${`), `<`/`>` (`</script`, `<!--`), `&` (SVG scripts
// decode references), line terminators and other controls.
const JS: (string | undefined)[] = (() => {
  const table: (string | undefined)[] = new Array(128).fill(undefined);
  for (let c = 0; c < 32; c++) table[c] = `\\u${c.toString(16).padStart(4, "0")}`;
  table[10] = "\\n";
  table[13] = "\\r";
  table[9] = "\\t";
  table[92] = "\\\\";
  for (const c of `"'\`$<>&/{`) table[c.charCodeAt(0)] = `\\u00${c.charCodeAt(0).toString(16)}`;
  table[127] = "\\u007f";
  return table;
})();

/**
 * Escapes a string for the inside of a JavaScript string or template literal
 * in a `<script>` (the result is also valid inside a JSON string).
 */
export function escapeJsString(value: string): string {
  let out = "";
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    let rep: string | undefined;
    if (code < 128) rep = JS[code];
    else if (code === 0x2028) rep = "\\u2028";
    else if (code === 0x2029) rep = "\\u2029";
    if (rep === undefined) continue;
    if (last !== i) out += value.slice(last, i);
    out += rep;
    last = i + 1;
  }
  return last === 0 ? value : out + value.slice(last);
}

/** `<%= x %>` inside a script string or template literal. */
export function jsString(value: unknown): string {
  return escapeJsString(toText(value));
}

/** Encodes a value as JSON that cannot end a `<script>` or change meaning in it. */
export function jsonForScript(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `<%= x %>` where a `<script>` expects a value: JSON, with a space before a minus. */
export function jsValue(value: unknown): string {
  const text = value instanceof JsonText ? value.value : jsonForScript(value);
  return text.charCodeAt(0) === 45 ? " " + text : text;
}

/** Reports a refused value: the attribute, the value and where the hole is. */
export type RefusalReporter = (attribute: string, value: string, where: string) => void;

/**
 * The URL-policy escapers for one engine, reporting refusals to `report`. An allowed value
 * goes through `escape` (identity where the escaping is done later, on the bytes).
 */
export function urlEscapers(
  report: RefusalReporter | undefined,
  escape: (text: string) => string = escapeHtml,
): {
  url: (value: unknown, attribute: string, tag: string, where: string) => string;
  animation: (value: unknown, attribute: string, where: string) => string;
  refresh: (value: unknown, prefix: string, suffix: string, where: string) => string;
} {
  const refuse = (attribute: string, text: string, where: string) => {
    report?.(attribute, text, where);
    return REFUSED_URL;
  };
  return {
    url(value, attribute, tag, where) {
      // A string first: the common case, decided without an instanceof.
      if (typeof value === "string") {
        return _urlAllowed(attribute, value, tag) ? escape(value) : refuse(attribute, value, where);
      }
      if (value instanceof Trusted) return escape(value.value);
      const text = toText(value);
      return _urlAllowed(attribute, text, tag) ? escape(text) : refuse(attribute, text, where);
    },
    animation(value, attribute, where) {
      if (value instanceof Trusted) return escape(value.value);
      const text = toText(value);
      return _animationAllowed(text) ? escape(text) : refuse(attribute, text, where);
    },
    refresh(value, prefix, suffix, where) {
      if (value instanceof Trusted) return escape(value.value);
      const text = toText(value);
      // The whole content as written (static text on both sides): a static "&#58;" after the
      // value can finish its scheme.
      return _refreshAllowed(prefix + text + suffix)
        ? escape(text)
        : refuse("content", text, where);
    },
  };
}
