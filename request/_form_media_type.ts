// Internal: a `Content-Type` parser after the WHATWG MIME sniffing "parse a MIME type"
// algorithm, enough to dispatch a form body and find its multipart boundary.
import { HTTP_WHITESPACE, trimChars } from "./_trim.ts";

export interface MediaType {
  /** `type/subtype`, lowercased. */
  essence: string;
  /** Parameters by lowercased name; the first occurrence of a name wins. */
  params: Map<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Parses a `Content-Type` value; `undefined` when it is absent or not a MIME type. */
export function parseMediaType(value: string | null): MediaType | undefined {
  if (value === null) return undefined;
  const input = trimChars(value, HTTP_WHITESPACE);
  const slash = input.indexOf("/");
  if (slash === -1) return undefined;
  const type = input.slice(0, slash);
  let semicolon = input.indexOf(";", slash);
  if (semicolon === -1) semicolon = input.length;
  const subtype = trimChars(input.slice(slash + 1, semicolon), HTTP_WHITESPACE);
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  const params = new Map<string, string>();
  let i = semicolon;
  while (i < input.length) {
    i++; // past ";"
    while (i < input.length && /[\t\n\r ]/.test(input[i])) i++;
    let nameEnd = i;
    while (nameEnd < input.length && input[nameEnd] !== ";" && input[nameEnd] !== "=") nameEnd++;
    const name = input.slice(i, nameEnd).toLowerCase();
    i = nameEnd;
    if (i >= input.length || input[i] === ";") continue;
    i++; // past "="
    let paramValue = "";
    if (input[i] === '"') {
      i++;
      while (i < input.length && input[i] !== '"') {
        if (input[i] === "\\" && i + 1 < input.length) i++;
        paramValue += input[i++];
      }
      i++; // past the closing quote (or the end)
      while (i < input.length && input[i] !== ";") i++;
    } else {
      let valueEnd = input.indexOf(";", i);
      if (valueEnd === -1) valueEnd = input.length;
      paramValue = trimChars(input.slice(i, valueEnd), HTTP_WHITESPACE);
      i = valueEnd;
      if (paramValue === "") continue;
    }
    if (TOKEN.test(name) && !params.has(name)) params.set(name, paramValue);
  }
  return { essence: `${type}/${subtype}`.toLowerCase(), params };
}
