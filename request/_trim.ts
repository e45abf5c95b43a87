/**
 * Linear-time trimming of HTTP white space. Not `replace(/[ \t]+$/)`: a regular expression
 * anchored at the end retries from every character of a long inner run of white space, which
 * is quadratic (a 60,000-space Content-Type took 2 s; found by the fuzzer).
 *
 * @module
 */

/** Space and tab: HTTP's optional white space in header values. */
export const OWS = " \t";
/** Space, tab, CR and LF: the Fetch standard's HTTP white space (media types). */
export const HTTP_WHITESPACE = " \t\r\n";

/**
 * Trims the given characters from both ends of `value`.
 *
 * @param value The text.
 * @param chars The characters to trim, e.g. {@linkcode OWS}.
 * @returns The trimmed text.
 */
export function trimChars(value: string, chars: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && chars.includes(value[start])) start++;
  while (end > start && chars.includes(value[end - 1])) end--;
  return value.slice(start, end);
}
