// Runs the benchmarks a file registered with mitata, then prints one Markdown table with every
// case's time relative to the baseline of its group (the first `bench()` of the group, or the one
// marked `.baseline()`). `BENCH_MD=<file>` appends that table to a file as well, and each group is
// drawn as an SVG chart in bench/charts/ (the README shows them).
import process from "node:process";
import { run } from "mitata";
import { barChart, chartFileName } from "./_chart.ts";

/** A ratio target checked after the run: `case` must take at most `max` × `baseline`. */
export interface Target {
  /** Group name as given to `group()`. */
  group: string;
  /** The case measured against the baseline of its group. */
  name: string;
  /** Largest acceptable ratio to the group's baseline, or an absolute bound with `maxNs`. */
  max?: number;
  /** Largest acceptable average time in nanoseconds. */
  maxNs?: number;
  /** What the issue calls this target. */
  label: string;
}

interface MitataResult {
  layout: { name: string | number | null }[];
  benchmarks: {
    alias: string;
    group: number;
    baseline: boolean;
    runs: { stats?: { avg: number; p99: number } }[];
  }[];
}

/** One measured case of a group. */
export interface Row {
  group: string;
  name: string;
  avg: number;
  p99: number;
  baseline: boolean;
}

/**
 * Runs the registered benchmarks, prints the table and the targets, then runs `cleanup`.
 *
 * @param title Heading of the table.
 * @param targets Ratio or absolute targets to report as held or missed.
 * @param cleanup Closes what the file opened (stores, pools, servers).
 */
export async function runBenches(
  title: string,
  targets: readonly Target[] = [],
  cleanup?: () => unknown,
): Promise<void> {
  try {
    // mitata's typings omit `layout` and `group`, which the runtime result has.
    const result = await run({ colors: Deno.stdout.isTerminal() }) as unknown as MitataResult;
    const rows: Row[] = [];
    for (const b of result.benchmarks) {
      const stats = b.runs[0]?.stats;
      if (!stats) continue;
      const group = result.layout[b.group]?.name;
      rows.push({
        group: typeof group === "string" ? group : "",
        name: b.alias,
        avg: stats.avg,
        p99: stats.p99,
        baseline: b.baseline,
      });
    }
    const text = table(title, rows) + checkTargets(rows, targets);
    console.log("\n" + text);
    const file = Deno.env.get("BENCH_MD");
    if (file) await Deno.writeTextFile(file, text + "\n", { append: true });
    await writeCharts(title, rows);
  } finally {
    await cleanup?.();
  }
}

/** Writes one chart per group of `rows` into bench/charts/, named for the title and group. */
export async function writeCharts(title: string, rows: readonly Row[]): Promise<void> {
  const dir = new URL("./charts/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  const subtitle = `${title}: mean time per operation, shorter is better (${today()})`;
  for (const group of new Set(rows.map((r) => r.group))) {
    const members = rows.filter((r) => r.group === group);
    const base = baselineOf(rows, group);
    const svg = barChart({
      title: group || title,
      subtitle,
      format: time,
      bars: members.map((r) => ({ label: r.name, value: r.avg, baseline: r === base })),
    });
    await Deno.writeTextFile(new URL(chartFileName(`${title} ${group}`), dir), svg);
  }
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function baselineOf(rows: readonly Row[], group: string): Row | undefined {
  const members = rows.filter((r) => r.group === group);
  return members.find((r) => r.baseline) ?? members[0];
}

function table(title: string, rows: Row[]): string {
  const lines = [
    `### ${title}`,
    "",
    "| group | case | avg | p99 | × baseline |",
    "| --- | --- | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    const base = baselineOf(rows, row.group);
    const ratio = base === row ? "baseline" : base ? `${(row.avg / base.avg).toFixed(2)}×` : "";
    lines.push(
      `| ${row.group} | ${row.name} | ${time(row.avg)} | ${time(row.p99)} | ${ratio} |`,
    );
  }
  return lines.join("\n") + "\n";
}

function checkTargets(rows: Row[], targets: readonly Target[]): string {
  if (targets.length === 0) return "";
  const lines = ["", "| target | measured | holds |", "| --- | --- | :---: |"];
  for (const t of targets) {
    const row = rows.find((r) => r.group === t.group && r.name === t.name);
    const base = baselineOf(rows, t.group);
    if (!row || !base) {
      lines.push(`| ${t.label} | not measured | – |`);
      continue;
    }
    const ratio = row.avg / base.avg;
    const okRatio = t.max === undefined || ratio <= t.max;
    const okAbs = t.maxNs === undefined || row.avg <= t.maxNs;
    const measured = t.maxNs !== undefined ? time(row.avg) : `${ratio.toFixed(2)}×`;
    lines.push(`| ${t.label} | ${measured} | ${okRatio && okAbs ? "yes" : "**no**"} |`);
  }
  return lines.join("\n") + "\n";
}

/** Formats nanoseconds the way mitata does (ns, µs, ms). */
export function time(ns: number): string {
  if (ns < 1e3) return `${ns.toFixed(1)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${(ns / 1e6).toFixed(2)} ms`;
}

/** A case of {@linkcode cpuRounds}: `run` does `ops` operations. */
export interface RoundCase {
  run: () => unknown;
  ops: number;
}

/**
 * One round of one case in this process: CPU nanoseconds per operation (user + system, all
 * threads) over `total` operations, after as many of warm-up.
 */
export async function cpuRound(cases: Record<string, RoundCase>, name: string, total = 200_000) {
  const { run, ops } = cases[name]!;
  const calls = total / ops;
  for (let i = 0; i < calls; i++) await run();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1000 / (calls * ops);
}

/**
 * Runs every case `n` times, each in a fresh process (`deno run -A <file> round <case>`, which
 * must print `cpuRound()`'s result), as an outside harness measures, and prints a table with the
 * median and the best round, and the median's ratio to `ratioTo(case)` when that names a case.
 */
export async function cpuRounds(
  file: string | URL,
  cases: Record<string, RoundCase>,
  n: number,
  title: string,
  ratioTo: (name: string) => string | undefined = () => undefined,
): Promise<void> {
  const results: Record<string, number[]> = {};
  for (let r = 0; r < n; r++) {
    for (const name of Object.keys(cases)) {
      const { stdout, code } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL(file).pathname, "round", name],
        stderr: "inherit",
      }).output();
      if (code !== 0) throw new Error(`Cannot run the round "${name}": exit code ${code}`);
      (results[name] ??= []).push(Number(new TextDecoder().decode(stdout)));
    }
  }
  const median = (name: string) => {
    const sorted = [...results[name]!].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const lines = [
    `### ${title}: ${n} fresh processes per case, CPU time per operation`,
    "",
    "| case | median | best | all rounds (ns) | median × |",
    "| --- | ---: | ---: | --- | ---: |",
  ];
  for (const name of Object.keys(cases)) {
    const other = ratioTo(name);
    const ratio = other && other in results
      ? `${(median(name) / median(other)).toFixed(2)}× ${other}`
      : "";
    const all = results[name]!.map((ns) => ns.toFixed(0)).join(", ");
    const best = time(Math.min(...results[name]!));
    lines.push(`| ${name} | ${time(median(name))} | ${best} | ${all} | ${ratio} |`);
  }
  console.log(lines.join("\n"));
}
