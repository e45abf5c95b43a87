// Offsets → 1-based line and column, shared by both template compilers.

/** A location in a template source. */
export interface LineColumn {
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 code units). */
  column: number;
}

/**
 * The line starts of a source, computed once. A line ends at LF, CRLF or a
 * lone CR (as HTML and JavaScript both count them).
 */
export class SourceLines {
  readonly #starts: number[] = [0];

  constructor(source: string) {
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 10) this.#starts.push(i + 1);
      else if (c === 13) {
        if (source.charCodeAt(i + 1) === 10) i++;
        this.#starts.push(i + 1);
      }
    }
  }

  /** How many lines the source has (at least 1). */
  get count(): number {
    return this.#starts.length;
  }

  /** The line and column of an offset. */
  at(offset: number): LineColumn {
    const starts = this.#starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }
}
