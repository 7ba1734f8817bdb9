import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, it } from 'node:test';
import { ROOT } from '../src/root';

// The pure helpers of bench/flash-sale.mjs (plain ESM under bench/lib), loaded as the script loads them.
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(ROOT, 'bench/lib', file)).href)) as T;

interface Run { section: string; seatIds: number[] }
interface Refusal { atMs: number; quantity: number; section?: string }
interface PlanRow { seats: number; aisles: number[] }
interface PlanSection { name: string; price: number; rows: PlanRow[] }

describe('flash-sale benchmark helpers', () => {
  let stats: {
    percentile(values: number[], p: number): number | undefined;
    summarize(values: number[]): { count: number; p50: number | null; p95: number | null; p99: number | null; max: number | null };
    Timeline: new (startMs: number) => { count(name: string, atMs: number): void; sample(name: string, atMs: number, v: number): void; series(s: number): Record<string, (number | null)[]> };
    ratio(a?: number | null, b?: number | null): number | null;
  };
  let svg: { lineChartSvg(chart: object): string; niceCeiling(v: number): number };
  let falseSoldOut: { findFalseSoldOuts(input: { runs: Run[]; firstHeldAt: Map<number, number>; refusals: Refusal[]; marginMs?: number }): (Refusal & { freeSeatIds: number[] })[] };
  let plan: {
    arenaPlan(total: number): PlanSection[];
    rectangularPlan(plan: PlanSection[]): { name: string; rows: number; seatsPerRow: number }[];
    planSeats(plan: object[]): number;
    adjacentRuns(map: object, plan: PlanSection[] | null): Run[];
  };
  before(async () => {
    stats = await load('stats.mjs');
    svg = await load('svg-chart.mjs');
    falseSoldOut = await load('false-sold-out.mjs');
    plan = await load('seat-plan.mjs');
  });

  it('percentiles by nearest rank, whatever the order of the values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    assert.equal(stats.percentile(values, 0.5), 50);
    assert.equal(stats.percentile(values, 0.95), 95);
    assert.equal(stats.percentile(values, 0.99), 99);
    assert.equal(stats.percentile(values, 1), 100);
    assert.equal(stats.percentile([7], 0.99), 7);
    assert.equal(stats.percentile([], 0.5), undefined);
    assert.throws(() => stats.percentile([1], 0));
    assert.deepEqual(stats.summarize([3, 1, 2]), { count: 3, p50: 2, p95: 3, p99: 3, max: 3 });
    assert.deepEqual(stats.summarize([]), { count: 0, p50: null, p95: null, p99: null, max: null });
    assert.equal(stats.ratio(1, 4), 0.25);
    assert.equal(stats.ratio(1, 0), null);
  });

  it('a timeline counts per second and gives each second its p99, null where nothing completed', () => {
    const t = new stats.Timeline(10_000);
    t.count('holds', 10_100);
    t.count('holds', 10_999);
    t.count('holds', 12_500);
    t.sample('hold', 10_200, 40);
    t.sample('hold', 10_300, 900);
    const s = t.series(3);
    assert.deepEqual(s.second, [0, 1, 2]);
    assert.deepEqual(s.holds, [2, 0, 1]);
    assert.deepEqual(s.holdP99, [900, null, null]);
  });

  it('the chart is one SVG document with a path per series, broken where a value is missing', () => {
    const doc = svg.lineChartSvg({
      title: 'Sale <1>',
      x: [0, 1, 2, 3],
      series: [
        { name: 'holds/s', values: [1, 2, null, 4] },
        { name: 'p99 ms', values: [100, 200, 300, 400], axis: 'right' },
      ],
    });
    assert.match(doc, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(doc.trimEnd().endsWith('</svg>'));
    assert.ok(doc.includes('Sale &lt;1&gt;'), 'text is escaped');
    const paths = [...doc.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(paths.length, 2);
    assert.equal((paths[0].match(/M/g) ?? []).length, 2, 'the gap starts a new sub-path');
    assert.equal((paths[1].match(/M/g) ?? []).length, 1);
    assert.equal(svg.niceCeiling(0), 1);
    assert.equal(svg.niceCeiling(3.2), 5);
    assert.equal(svg.niceCeiling(180), 200);
    assert.equal(svg.niceCeiling(1000), 1000);
  });

  describe('false sold-outs', () => {
    // One row 1..6 cut by an aisle after seat 3, and a row 7..8 in another section.
    const runs: Run[] = [
      { section: 'A', seatIds: [1, 2, 3] },
      { section: 'A', seatIds: [4, 5, 6] },
      { section: 'B', seatIds: [7, 8] },
    ];

    it('a refusal while a fitting block was free all along is false, and names the block', () => {
      const firstHeldAt = new Map([[1, 100], [2, 100], [3, 100], [4, 100], [5, 500], [6, 500], [7, 100], [8, 100]]);
      const found = falseSoldOut.findFalseSoldOuts({ runs, firstHeldAt, refusals: [{ atMs: 200, quantity: 2 }] });
      assert.deepEqual(found, [{ atMs: 200, quantity: 2, freeSeatIds: [5, 6] }]);
    });

    it('seats never held count as free for the whole sale', () => {
      const firstHeldAt = new Map([[1, 100], [2, 100], [3, 100], [4, 100], [5, 100], [6, 100]]);
      const found = falseSoldOut.findFalseSoldOuts({ runs, firstHeldAt, refusals: [{ atMs: 10_000, quantity: 2 }] });
      assert.deepEqual(found[0].freeSeatIds, [7, 8]);
    });

    it('free seats on both sides of an aisle are not a block', () => {
      const firstHeldAt = new Map([[1, 100], [2, 100], [3, 900], [4, 900], [5, 100], [6, 100], [7, 100], [8, 100]]);
      assert.deepEqual(falseSoldOut.findFalseSoldOuts({ runs, firstHeldAt, refusals: [{ atMs: 200, quantity: 2 }] }), []);
    });

    it('a seat first held before the answer (or within the margin) was not certainly free: no false positive', () => {
      const firstHeldAt = new Map([[1, 100], [2, 100], [3, 100], [4, 100], [5, 200], [6, 300], [7, 100], [8, 100]]);
      assert.deepEqual(falseSoldOut.findFalseSoldOuts({ runs, firstHeldAt, refusals: [{ atMs: 200, quantity: 2 }], marginMs: 1 }), []);
      assert.equal(falseSoldOut.findFalseSoldOuts({ runs, firstHeldAt, refusals: [{ atMs: 150, quantity: 2 }], marginMs: 1 }).length, 1);
    });

    it('a refusal for a section looks only there', () => {
      const firstHeldAt = new Map([[1, 100], [2, 100], [3, 100], [4, 100], [5, 100], [6, 100]]);
      const refusals = [{ atMs: 200, quantity: 2, section: 'A' }, { atMs: 200, quantity: 3, section: 'B' }];
      assert.deepEqual(falseSoldOut.findFalseSoldOuts({ runs, firstHeldAt, refusals }), []);
    });
  });

  it('the arena plan holds exactly the seats asked for, in rows of different lengths within the service limits, with aisles', () => {
    for (const total of [600, 10_000, 20_001]) {
      const arena = plan.arenaPlan(total);
      assert.equal(plan.planSeats(arena), total);
      for (const section of arena) {
        assert.ok(section.rows.length <= 200);
        for (const row of section.rows) {
          assert.ok(row.seats >= 1 && row.seats <= 500, `row of ${row.seats}`);
          assert.ok(row.aisles.every((a) => a >= 1 && a < row.seats));
        }
      }
    }
    const arena = plan.arenaPlan(10_000);
    assert.ok(new Set(arena.flatMap((s) => s.rows.map((r) => r.seats))).size > 5, 'rows of several lengths');
    assert.ok(arena.some((s) => s.rows.some((r) => r.aisles.length > 0)));
    const rect = plan.rectangularPlan(arena);
    assert.equal(rect.length, arena.length);
    assert.ok(Math.abs(plan.planSeats(rect) - 10_000) < 500);
  });

  it('runs of adjacent seats follow the map row by row, front to back, cut after each aisle', () => {
    const map = {
      sections: [
        {
          section: 'A',
          rows: [
            { row: 'B', y: 1, seats: [[13, '3', 'AVAILABLE', 0], [11, '1', 'AVAILABLE', 0], [12, '2', 'RESERVED', 0]] },
            { row: 'A', y: 0, seats: [[1, '1', 'AVAILABLE', 0], [2, '2', 'AVAILABLE', 0], [3, '3', 'AVAILABLE', 0], [4, '4', 'AVAILABLE', 0]] },
          ],
        },
      ],
    };
    const shaped: PlanSection[] = [{ name: 'A', price: 1, rows: [{ seats: 4, aisles: [2] }, { seats: 3, aisles: [] }] }];
    assert.deepEqual(plan.adjacentRuns(map, shaped), [
      { section: 'A', seatIds: [1, 2] },
      { section: 'A', seatIds: [3, 4] },
      { section: 'A', seatIds: [11, 12, 13] },
    ]);
    assert.deepEqual(plan.adjacentRuns(map, null).map((r) => r.seatIds), [[1, 2, 3, 4], [11, 12, 13]]);
  });
});

describe('benchmark outputs stay out of git', () => {
  let nodeArgs: { DIAGNOSTICS_DIR: string; benchNodeArgs(defaults?: string[], env?: NodeJS.ProcessEnv): string[] };
  before(async () => {
    nodeArgs = await load('node-args.mjs');
  });
  const ignored = (path: string) => spawnSync('git', ['check-ignore', '-q', path], { cwd: ROOT }).status === 0;

  it('a profiled service writes its profile under bench/results/ (git-ignored), not into its folder', () => {
    assert.deepEqual(nodeArgs.benchNodeArgs(['--max-old-space-size=128'], {}), [`--diagnostic-dir=${nodeArgs.DIAGNOSTICS_DIR}`, '--max-old-space-size=128']);
    const args = nodeArgs.benchNodeArgs(['--max-old-space-size=128'], { BENCH_NODE_ARGS: '--cpu-prof' });
    assert.deepEqual(args.slice(1), ['--cpu-prof'], 'BENCH_NODE_ARGS replaces the defaults');
    // The services run in their own folder (e2e/src/stack.ts, as the benchmarks start them).
    const cwd = join(ROOT, 'services', 'user');
    const before = new Set(readdirSync(cwd));
    const result = spawnSync(process.execPath, [...args, '-e', 'for (let i = 0; i < 1e5; i++);'], { cwd });
    assert.equal(result.status, 0, String(result.stderr));
    assert.deepEqual(readdirSync(cwd).filter((f) => !before.has(f)), [], 'nothing new in the service folder');
    const profiles = readdirSync(nodeArgs.DIAGNOSTICS_DIR).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(nodeArgs.DIAGNOSTICS_DIR, f));
    try {
      assert.ok(profiles.length > 0, 'the profile is in bench/results/diagnostics/');
      for (const file of profiles) assert.ok(ignored(file), `${file} is not ignored by git`);
    } finally {
      for (const file of profiles) rmSync(file, { force: true });
    }
  });

  it('every benchmark that starts node processes gives them those flags, and writes its results under bench/results/', () => {
    assert.ok(ignored(join(ROOT, 'bench', 'results', 'seating-2026-12-05.json')));
    for (const dir of ['bench', 'bench/lib']) {
      for (const file of readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.mjs'))) {
        const text = readFileSync(join(ROOT, dir, file), 'utf8');
        if (/spawn\(process\.execPath, \[\.\.\.nodeArgs/.test(text)) assert.match(text, /benchNodeArgs\(/, `${dir}/${file} starts node without benchNodeArgs`);
        for (const [, target] of text.matchAll(/fs\.(?:writeFileSync|createWriteStream|mkdirSync)\(([^,)]+)/g)) {
          assert.match(target, /RESULTS_DIR|DIAGNOSTICS_DIR|stem|file|dir\b/, `${dir}/${file} writes to ${target}`);
        }
      }
    }
  });
});
