/** Upper bounds (inclusive, milliseconds) of the acquire-wait histogram buckets. */
export const WAIT_BUCKETS: readonly number[] = Object.freeze([
  0,
  1,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
]);

/** A fixed-bucket histogram; recording allocates nothing. */
export class Histogram {
  readonly counts: Float64Array = new Float64Array(WAIT_BUCKETS.length + 1);
  count = 0;
  sum = 0;

  /** Records an acquisition served at once (the hot path). */
  recordZero(): void {
    this.counts[0]++;
    this.count++;
  }

  record(ms: number): void {
    let i = 0;
    while (i < WAIT_BUCKETS.length && ms > WAIT_BUCKETS[i]) i++;
    this.counts[i]++;
    this.count++;
    this.sum += ms;
  }
}
