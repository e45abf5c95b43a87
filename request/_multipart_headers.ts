// Internal: parses the header section of one multipart/form-data part (RFC 7578), strictly.
import { malformedError } from "./_form_budget.ts";
import { OWS, trimChars } from "./_trim.ts";

export interface PartHeaders {
  /** The field name from `Content-Disposition`. */
  name: string;
  /** The client's filename when the part is a file (possibly ""), else `undefined`. */
  filename: string | undefined;
  /** The part's `Content-Type`, "" when absent. */
  contentType: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TOKEN_AT = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const OWS_AT = /[ \t]*/y;
const FOLD = /\r\n(?=[ \t])/g;
// Any control character except HTAB.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

function bad(problem: string): Error {
  return malformedError(`bad part headers: ${problem}`);
}

/** Parses the header lines of a part (`block` excludes the empty line that ends them). */
export function parsePartHeaders(block: Uint8Array): PartHeaders {
  let text: string;
  try {
    text = utf8.decode(block);
  } catch {
    throw bad("not valid UTF-8");
  }
  let disposition: string | undefined;
  let contentType: string | undefined;
  // RFC 2046 part headers follow RFC 822, where a line starting with white space continues the
  // previous one: unfold (CRLF removed, the white space kept). The size limit has already
  // counted the folded bytes.
  text = text.replace(FOLD, "");
  for (const line of text === "" ? [] : text.split("\r\n")) {
    if (line.includes("\r") || line.includes("\n")) throw bad("a bare CR or LF in a line");
    if (line.startsWith(" ") || line.startsWith("\t")) {
      throw bad("a continuation line with no header before it");
    }
    const colon = line.indexOf(":");
    const headerName = colon === -1 ? "" : line.slice(0, colon);
    if (!TOKEN.test(headerName)) throw bad(`a line that is not "Name: value"`);
    const value = trimChars(line.slice(colon + 1), OWS);
    if (CONTROL.test(value)) throw bad(`a control character in ${headerName}`);
    switch (headerName.toLowerCase()) {
      case "content-disposition":
        if (disposition !== undefined) throw bad("Content-Disposition appears twice");
        disposition = value;
        break;
      case "content-type":
        if (contentType !== undefined) throw bad("Content-Type appears twice");
        contentType = value;
        break;
    }
  }
  if (disposition === undefined) throw bad("a part has no Content-Disposition");
  const { name, filename } = parseDisposition(disposition);
  return { name, filename, contentType: contentType ?? "" };
}

function parseDisposition(value: string): { name: string; filename: string | undefined } {
  TOKEN_AT.lastIndex = 0;
  const type = TOKEN_AT.exec(value)?.[0];
  if (type?.toLowerCase() !== "form-data") {
    throw bad("Content-Disposition is not form-data");
  }
  const params = new Map<string, string>();
  let i = type.length;
  const skipOws = () => {
    OWS_AT.lastIndex = i;
    OWS_AT.exec(value);
    i = OWS_AT.lastIndex;
  };
  while (true) {
    skipOws();
    if (i === value.length) break;
    if (value[i] !== ";") throw bad("malformed Content-Disposition parameters");
    i++;
    skipOws();
    TOKEN_AT.lastIndex = i;
    const paramName = TOKEN_AT.exec(value)?.[0]?.toLowerCase();
    if (paramName === undefined) throw bad("malformed Content-Disposition parameters");
    i += paramName.length;
    skipOws();
    if (value[i] !== "=") throw bad(`Content-Disposition parameter ${paramName} has no value`);
    i++;
    skipOws();
    let paramValue: string;
    if (value[i] === '"') {
      // No backslash escapes: browsers send `"` as %22 and a backslash as itself (Windows
      // paths such as C:\fakepath\x.txt), as the WHATWG multipart/form-data parser expects.
      const close = value.indexOf('"', i + 1);
      if (close === -1) throw bad("an unterminated quoted string in Content-Disposition");
      paramValue = value.slice(i + 1, close);
      i = close + 1;
    } else {
      TOKEN_AT.lastIndex = i;
      const token = TOKEN_AT.exec(value)?.[0];
      if (token === undefined) throw bad(`Content-Disposition parameter ${paramName} is empty`);
      paramValue = token;
      i += token.length;
    }
    if (params.has(paramName)) throw bad(`Content-Disposition has ${paramName} twice`);
    params.set(paramName, paramValue);
  }
  const name = params.get("name");
  if (name === undefined) throw malformedError("a part has no name in its Content-Disposition");
  let filename = params.get("filename");
  const extended = params.get("filename*");
  if (extended !== undefined) filename = decodeExtValue(extended) ?? filename;
  return {
    name: unescapeFormName(name),
    filename: filename === undefined ? undefined : unescapeFormName(filename),
  };
}

/** The WHATWG multipart/form-data parser's unescaping of names and filenames. */
function unescapeFormName(value: string): string {
  if (!value.includes("%")) return value;
  return value.replace(/%0A|%0D|%22/g, (m) => m === "%0A" ? "\n" : m === "%0D" ? "\r" : '"');
}

/** RFC 8187 `UTF-8''%e2%82%ac`; `undefined` for another charset (the plain filename wins). */
function decodeExtValue(value: string): string | undefined {
  const match =
    /^([!#$%&+\-^_`{}~0-9A-Za-z]+)'[A-Za-z0-9-]*'((?:%[0-9A-Fa-f]{2}|[!#$&+\-.^_`|~0-9A-Za-z])*)$/
      .exec(value);
  if (match === null) throw bad("a malformed filename* parameter");
  if (match[1].toLowerCase() !== "utf-8") return undefined;
  try {
    return decodeURIComponent(match[2]);
  } catch {
    throw bad("filename* is not valid UTF-8");
  }
}
