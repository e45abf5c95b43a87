/**
 * The pool's create back-off: after a failed create, further creates wait `delay`, doubling per
 * failure up to `maxDelay`; the next successful create ends it. Creates started together fail
 * together, so they lengthen the back-off once: each create records the `epoch` it started in,
 * and only a failure from the current epoch counts.
 */
export class CreateBackoff {
  #delay: number;
  #maxDelay: number;
  #streak = 0;
  #epoch = 0;
  #until = 0;
  #lastError: unknown = undefined;

  constructor(delay: number, maxDelay: number) {
    this.#delay = delay;
    this.#maxDelay = maxDelay;
  }

  /** The epoch a create starting now belongs to. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Failures in a row (0 when the last create succeeded). */
  get streak(): number {
    return this.#streak;
  }

  /** The factory's last create error. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** Milliseconds until creating is allowed again (0: now). */
  remaining(now: number): number {
    return now < this.#until ? this.#until - now : 0;
  }

  /**
   * Records a failed create that started in `epoch`.
   *
   * @returns `true` for the first failure of a streak (the one worth logging).
   */
  failed(error: unknown, epoch: number, now: number): boolean {
    this.#lastError = error;
    if (epoch !== this.#epoch) return false;
    this.#epoch++;
    this.#streak++;
    this.#until = now +
      Math.min(this.#maxDelay, this.#delay * 2 ** Math.min(this.#streak - 1, 30));
    return this.#streak === 1;
  }

  /**
   * Records a successful create: the back-off ends.
   *
   * @returns The failures it ended (0 if there was no streak).
   */
  succeeded(): number {
    const streak = this.#streak;
    this.#streak = 0;
    this.#until = 0;
    return streak;
  }
}
