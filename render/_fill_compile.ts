// Compiles a fill template: HTML source → static strings plus marked slots.
import { Parser } from "htmlparser2";
import { TemplateSyntaxError } from "./template_syntax_error.ts";

/** What a marker says to do with its element. */
export const CON = 0;
export const REP = 1;
export const SEP = 2;

/** A marked element, or the template root (kind CON, minus). */
export interface NodeDef {
  kind: number;
  name: string;
  /** Omit the element's own tags (the `-` modifier, and the root). */
  minus: boolean;
  tag: string;
  /** The open tag with static attributes, marker removed. */
  openStatic: string;
  /** Static attributes: lowercase name → serialized ` name="value"`. */
  attrs: [string, string][];
  close: string;
  isVoid: boolean;
  /** script/style: escaping cannot make text safe there. */
  rawText: boolean;
  /** Static strings and child defs, in document order (seps included, rendered by their rep). */
  parts: (string | NodeDef)[];
  /** Child name → slot index for `node(name)`. */
  index: Map<string, number>;
  /** Child con/rep defs by slot. */
  children: NodeDef[];
  /** This def's slot in its parent. */
  slot: number;
  /** For a rep: the separator def with the same name, if any. */
  sep: NodeDef | undefined;
  line: number;
  column: number;
}

const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "keygen",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);
const RAW_TEXT = new Set(["script", "style"]);
const MARK = /^(-?)(con|rep|sep|del):([A-Za-z_][A-Za-z0-9_-]*)$/;
const DEL = /^-?del$/;

function newDef(
  kind: number,
  name: string,
  minus: boolean,
  tag: string,
  line: number,
  column: number,
): NodeDef {
  return {
    kind,
    name,
    minus,
    tag,
    openStatic: "",
    attrs: [],
    close: "",
    isVoid: false,
    rawText: RAW_TEXT.has(tag),
    parts: [],
    index: new Map(),
    children: [],
    slot: -1,
    sep: undefined,
    line,
    column,
  };
}

interface Open {
  tag: string;
  /** The marked def this element opened, if any. */
  def: NodeDef | undefined;
  /** Set for a `del` element: drop everything up to its close. */
  deleted: boolean;
}

/**
 * Parses a fill template.
 *
 * @param source The HTML.
 * @param file The name used in error locations.
 * @param marker The marker attribute name (lowercase).
 */
export function compileFill(source: string, file: string, marker: string): NodeDef {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
  const where = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
  const fail = (reason: string, offset: number): never => {
    throw new TemplateSyntaxError(reason, source, { file, ...where(offset) });
  };

  const root = newDef(CON, "", true, "", 1, 1);
  const containers: NodeDef[] = [root];
  const open: Open[] = [];
  let cursor = 0;
  let deleting = 0; // depth inside a del element
  let attrs: [string, string, string | null | undefined][] = [];
  // Names seen per container: "con"/"rep" share a namespace, "sep" pairs with "rep".
  const names = new Map<NodeDef, Map<string, NodeDef>>();
  const seps = new Map<NodeDef, NodeDef[]>();

  const parser: Parser = new Parser({
    onattribute(name, value, quote) {
      attrs.push([name, value, quote]);
    },
    onopentag(tag) {
      const s = parser.startIndex;
      const e = parser.endIndex;
      const current = containers[containers.length - 1];
      const markAttr = attrs.find(([n]) => n === marker);
      const list = attrs;
      attrs = [];
      if (deleting > 0) {
        open.push({ tag, def: undefined, deleted: false });
        deleting++;
        return;
      }
      if (markAttr === undefined) {
        open.push({ tag, def: undefined, deleted: false });
        return;
      }
      const value = markAttr[1].trim();
      if (DEL.test(value) || /^-?del:/.test(value)) {
        if (!DEL.test(value) && !MARK.test(value)) fail(`bad marker ${marker}="${value}"`, s);
        current.parts.push(source.slice(cursor, s));
        cursor = e + 1;
        open.push({ tag, def: undefined, deleted: true });
        deleting = 1;
        return;
      }
      const m = MARK.exec(value);
      if (m === null) {
        fail(
          `bad marker ${marker}="${value}": expected [-]con:name, [-]rep:name, [-]sep:name or del[:name]`,
          s,
        );
      }
      const kind = m![2] === "con" ? CON : m![2] === "rep" ? REP : SEP;
      const def = newDef(kind, m![3], m![1] === "-", tag, where(s).line, where(s).column);
      let openTag = `<${tag}`;
      for (const [n, v, q] of list) {
        if (n === marker) continue;
        const text = q === undefined && v === ""
          ? ` ${n}`
          : ` ${n}="${v.replaceAll('"', "&quot;")}"`;
        def.attrs.push([n.toLowerCase(), text]);
        openTag += text;
      }
      def.openStatic = openTag + ">";
      def.isVoid = VOID.has(tag);
      if (def.isVoid && def.minus) fail(`<${tag}> is a void element: it has no content to keep`, s);
      let seen = names.get(current);
      if (seen === undefined) names.set(current, seen = new Map());
      const key = kind === SEP ? `sep:${def.name}` : def.name;
      const prior = seen.get(key);
      if (prior !== undefined) {
        fail(
          `duplicate node name "${def.name}" (first at line ${prior.line}, column ${prior.column})`,
          s,
        );
      }
      seen.set(key, def);
      if (kind === SEP) {
        const list = seps.get(current) ?? [];
        list.push(def);
        seps.set(current, list);
      } else {
        def.slot = current.index.size;
        current.index.set(def.name, def.slot);
        current.children.push(def);
      }
      current.parts.push(source.slice(cursor, s), def);
      cursor = e + 1;
      open.push({ tag, def, deleted: false });
      containers.push(def);
    },
    onclosetag(tag, implied) {
      const s = parser.startIndex;
      const e = parser.endIndex;
      const top = open.pop();
      if (top === undefined) return;
      if (deleting > 0) {
        deleting--;
        if (deleting === 0) cursor = implied && !VOID.has(tag) ? s : e + 1;
        if (deleting === 0 && implied && !VOID.has(tag)) {
          fail(`<${tag}> marked del needs an explicit closing tag`, s);
        }
        return;
      }
      const def = top.def;
      if (def === undefined) return;
      containers.pop();
      if (def.isVoid) return;
      if (implied) {
        const at = starts[def.line - 1] + def.column - 1;
        fail(`marked <${tag}> needs an explicit closing tag </${tag}>`, at);
      }
      def.parts.push(source.slice(cursor, s));
      def.close = source.slice(s, e + 1);
      cursor = e + 1;
    },
  }, { decodeEntities: false, lowerCaseTags: true, lowerCaseAttributeNames: true });
  parser.end(source);
  root.parts.push(source.slice(cursor));
  // Pair separators with their repeat, in the same container.
  for (const [container, list] of seps) {
    for (const sep of list) {
      const slot = container.index.get(sep.name);
      const rep = slot === undefined ? undefined : container.children[slot];
      if (rep === undefined || rep.kind !== REP) {
        fail(
          `sep:${sep.name} has no rep:${sep.name} beside it`,
          starts[sep.line - 1] + sep.column - 1,
        );
      }
      rep!.sep = sep;
    }
  }
  compact(root);
  return root;
}

/** Merges adjacent strings and drops empty ones, so rendering touches fewer parts. */
function compact(def: NodeDef): void {
  const parts: (string | NodeDef)[] = [];
  for (const p of def.parts) {
    if (typeof p === "string") {
      if (p === "") continue;
      if (typeof parts[parts.length - 1] === "string") parts[parts.length - 1] += p;
      else parts.push(p);
    } else {
      compact(p);
      parts.push(p);
    }
  }
  def.parts = parts;
}
