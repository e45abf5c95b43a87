// Which render has the turn: the one whose template code is running. A template's lines write
// only on their own render's turn, so a function it defined and kept in shared data writes
// nothing when it is called by another render (of any engine, nested in it or interleaved at
// an await) or by no render (after it finished). Process-wide, as JavaScript runs the code of
// one render at a time: a render that does not await has the turn while it runs (`now`); one
// that awaits has it in its async context, across its awaits (`now` is 0 while it runs).
import { AsyncLocalStorage } from "node:async_hooks";

/** The render whose code runs now (0: none, or one that awaits), and the last number given. */
export const TURN: { now: number; last: number } = { now: 0, last: 0 };
const ASYNC_TURN = new AsyncLocalStorage<number>();

/** Runs a render's code on a turn of its own (a fresh number, passed to `run`). */
export function onTurn<T>(isAsync: boolean, run: (turn: number) => T): T {
  const turn = ++TURN.last;
  const before = TURN.now;
  TURN.now = isAsync ? 0 : turn;
  try {
    return isAsync ? ASYNC_TURN.run(turn, run, turn) : run(turn);
  } finally {
    TURN.now = before;
  }
}

/** Whether some render has the turn now (code that runs outside every render has none). */
export function someTurn(): boolean {
  return TURN.now !== 0 || ASYNC_TURN.getStore() !== undefined;
}

/** A line of the string form: `out` then `text` on the line's render's turn, else `out`. */
export function writeOnTurn(turn: number, out: string, text: string): string {
  return (TURN.now === 0 ? ASYNC_TURN.getStore() : TURN.now) === turn ? out + text : out;
}
