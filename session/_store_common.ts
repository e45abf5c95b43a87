// Copyright 2025 the pubkit authors. MIT license.

import type { SessionRecord } from "./session_store.ts";

/** Throws `RangeError` for keys of `options` not in `known`. */
export function checkOptions(options: object, known: readonly string[], action: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new RangeError(`Cannot ${action}: unknown option "${key}"`);
  }
}

/** Throws `RangeError` unless `value` is a finite number >= `min`. */
export function checkNumber(value: number, name: string, action: string, min = 0): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new RangeError(`Cannot ${action}: ${name} must be a finite number >= ${min}`);
  }
  return value;
}

/** Throws `TypeError` unless the record has the expected shape. */
export function checkRecord(record: SessionRecord, action: string): void {
  if (
    typeof record !== "object" || record === null || typeof record.data !== "object" ||
    record.data === null || !Number.isFinite(record.created) ||
    !Number.isFinite(record.lastAccessed) || !Number.isFinite(record.expires)
  ) {
    throw new TypeError(`Cannot ${action}: not a session record`);
  }
}

/** Serialises a record, so every store keeps exactly what JSON can carry. */
export function encodeRecord(record: SessionRecord): string {
  return JSON.stringify({
    data: record.data,
    created: record.created,
    lastAccessed: record.lastAccessed,
    expires: record.expires,
  });
}

export function decodeRecord(text: string): SessionRecord | undefined {
  try {
    const value = JSON.parse(text);
    if (
      typeof value === "object" && value !== null && typeof value.data === "object" &&
      value.data !== null && Number.isFinite(value.expires)
    ) return value as SessionRecord;
  } catch {
    // A torn or foreign file is treated as no session.
  }
  return undefined;
}

/** Starts a periodic sweep that never overlaps itself and never throws. */
export function startSweeper(interval: number, sweep: () => Promise<number>): () => void {
  if (interval === 0) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep().catch(() => {}).finally(() => running = false);
  }, interval);
  // The sweeper alone must not keep a process alive.
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
