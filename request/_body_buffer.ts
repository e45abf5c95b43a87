// Internal: collects bytes in fixed-size blocks, so many tiny chunks (a client dribbling one
// byte at a time) cost neither one object per chunk nor quadratic re-copying.
const BLOCK = 64 * 1024;

export class BodyBuffer {
  #blocks: Uint8Array[] = [];
  #current = new Uint8Array(0);
  #used = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(bytes: Uint8Array): void {
    this.#length += bytes.length;
    let offset = 0;
    while (offset < bytes.length) {
      const room = this.#current.length - this.#used;
      if (room === 0) {
        this.#seal();
        // Blocks grow with the total (so a short value costs a short block), up to BLOCK; a
        // large piece is copied as one block of its own.
        const rest = bytes.length - offset;
        const grown = Math.min(BLOCK, Math.max(256, this.#length - rest));
        this.#current = new Uint8Array(Math.max(rest >= BLOCK ? rest : 0, grown));
        continue;
      }
      const take = Math.min(room, bytes.length - offset);
      this.#current.set(bytes.subarray(offset, offset + take), this.#used);
      this.#used += take;
      offset += take;
    }
  }

  /** The collected bytes as blocks, e.g. for `new File(blocks, …)`. */
  blocks(): Uint8Array[] {
    this.#seal();
    return this.#blocks;
  }

  /** The collected bytes as one array. */
  bytes(): Uint8Array {
    const blocks = this.blocks();
    if (blocks.length === 1) return blocks[0];
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const block of blocks) {
      out.set(block, offset);
      offset += block.length;
    }
    return out;
  }

  #seal(): void {
    if (this.#used > 0) {
      this.#blocks.push(
        this.#used === this.#current.length ? this.#current : this.#current.subarray(0, this.#used),
      );
    }
    this.#current = new Uint8Array(0);
    this.#used = 0;
  }
}
