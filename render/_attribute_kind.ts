// The fill engine's policy class of an attribute name, found with one lookup for usual names.
import { _URL_ATTRIBUTES } from "./_url_policy.ts";

/** Any value, escaped. */
export const PLAIN = 0;
/** A URL: the URL policy applies. */
export const URL_VALUE = 1;
/** Script, CSS or markup (`on…`, `style`, `srcdoc`, `http-equiv`): only trusted values. */
export const REFUSED = 2;
/** `to`/`from`/`by`/`values`: URLs on an SVG animation element. */
export const ANIMATION_VALUE = 3;
/** `attributeName`: refused on an SVG animation element. */
export const ANIMATION_TARGET = 4;
/** `content`: a URL policy on `<meta http-equiv="refresh">`. */
export const CONTENT = 5;

const REFUSED_ATTRIBUTES = ["style", "srcdoc", "http-equiv"];
const ANIMATION_VALUES = ["to", "from", "by", "values"];

function classify(key: string): number {
  if (key.startsWith("on") || REFUSED_ATTRIBUTES.includes(key)) return REFUSED;
  if (_URL_ATTRIBUTES.has(key)) return URL_VALUE;
  if (ANIMATION_VALUES.includes(key)) return ANIMATION_VALUE;
  if (key === "attributename") return ANIMATION_TARGET;
  return key === "content" ? CONTENT : PLAIN;
}

// Valid lowercase names, classified once: attr() with one of them needs no name check,
// no lowercasing and no set lookups (a third of its time on a list of links).
const KNOWN: ReadonlyMap<string, number> = new Map(
  [
    ..._URL_ATTRIBUTES,
    ...REFUSED_ATTRIBUTES,
    ...ANIMATION_VALUES,
    "attributename",
    "content",
    "id",
    "class",
    "title",
    "alt",
    "name",
    "value",
    "type",
    "rel",
    "target",
    "lang",
    "dir",
    "role",
    "width",
    "height",
    "for",
    "placeholder",
    "hidden",
    "disabled",
    "checked",
    "selected",
    "tabindex",
    "colspan",
    "rowspan",
    "datetime",
    "download",
    "label",
    "max",
    "min",
    "step",
    "method",
  ].map((name) => [name, classify(name)]),
);

/** The class of a valid lowercase name that attr() calls usually pass; `undefined` for others. */
export function knownAttributeKind(name: string): number | undefined {
  return KNOWN.get(name);
}

/** The class of any valid lowercase attribute name. */
export function attributeKind(key: string): number {
  return KNOWN.get(key) ?? classify(key);
}
