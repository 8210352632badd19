import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numbersOf, scanTable } from '../../../packages/data-gate/src/gate/table-scan';
import { readTable } from '../../../packages/data-gate/src/readers/index';
import { ExternalSorter } from '../../../packages/data-gate/src/spill/external-sort';
import { MemoryBudget } from '../../../packages/data-gate/src/spill/memory-budget';
import { numericColumnDriftOf } from '../../../packages/data-gate/src/spill/sorted-column-drift';
import type { SortedColumn } from '../../../packages/data-gate/src/spill/sorted-column';
import { distinctValueCountsOf } from '../../../packages/data-gate/src/spill/sorted-binning';
import { outlierParamsOf } from '../../../packages/data-gate/src/spill/sorted-quantiles';
import { SpillDir } from '../../../packages/data-gate/src/spill/spill-dir';
import { sortFloat64 } from '../../../packages/data-gate/src/spill/radix-sort';
import { type ColumnDrift, fitOutlierParams, numericColumnDrift } from '../../../packages/data-gate/src/stats/index';
import { SHARED } from '../readers/helpers';
import { prng } from '../../helpers/prng';

/**
 * The streaming (merge-walk) statistics over spilled sorted columns give the in-memory figures: every
 * numeric column of the shared datasets, and random samples with ties, infinities and −0, sorted
 * through a budget so small that each column is written as dozens of runs and merged in several levels.
 */
// The shared data beside the repository (../shared), wherever the repository is.
const DATA = join(SHARED, 'data');

function sameNumber(actual: number | undefined, expected: number | undefined): boolean {
  if (actual === undefined || expected === undefined) return actual === expected;
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected) || expected === 0) return Object.is(actual, expected) || actual === expected;
  return Math.abs(actual - expected) <= 1e-12 * Math.abs(expected);
}

function compareDrift(label: string, streamed: ColumnDrift, memory: ColumnDrift): string[] {
  const bad: string[] = [];
  const tests = new Set([...Object.keys(memory.tests), ...Object.keys(streamed.tests)]);
  for (const t of tests) {
    for (const field of ['statistic', 'pvalue', 'significance_level'] as const) {
      const a = streamed.tests[t]?.[field];
      const e = memory.tests[t]?.[field];
      if (!sameNumber(a, e)) bad.push(`${label} ${t}.${field}: ${a} vs ${e}`);
    }
  }
  if (streamed.nRef !== memory.nRef || streamed.nCur !== memory.nCur) bad.push(`${label} n`);
  if (streamed.ksMethod !== memory.ksMethod || streamed.ksFellBack !== memory.ksFellBack) bad.push(`${label} ks method`);
  if (!sameNumber(streamed.ksPvalueKolmogorovLimit, memory.ksPvalueKolmogorovLimit)) bad.push(`${label} ks limit`);
  if (streamed.evidently.test !== memory.evidently.test || !sameNumber(streamed.evidently.score, memory.evidently.score) || streamed.evidently.drift !== memory.evidently.drift) bad.push(`${label} evidently`);
  if (JSON.stringify(streamed.decision) !== JSON.stringify(memory.decision)) bad.push(`${label} decision ${JSON.stringify(streamed.decision)} vs ${JSON.stringify(memory.decision)}`);
  return bad;
}

function spill(values: ArrayLike<number>, dir: SpillDir, budget: MemoryBudget, maxRun: number): { column: SortedColumn; runs: number } {
  const sorter = new ExternalSorter(dir, budget, maxRun);
  for (let i = 0; i < values.length; i++) sorter.push(values[i] as number);
  const runs = sorter.runCount;
  return { column: sorter.finish(), runs };
}

describe('external sort', () => {
  it('sorts through many runs and merge levels to the same bits as Float64Array.sort, and holds no more than its budget', () => {
    const rand = prng(7);
    const values = Float64Array.from({ length: 20_000 }, (_, i) => (i % 97 === 0 ? -0 : i % 89 === 0 ? 0 : i % 1000 === 3 ? Infinity : i % 1000 === 5 ? -Infinity : Math.round(rand() * 500) / 10 - 25));
    const dir = new SpillDir();
    try {
      const budget = new MemoryBudget(256);
      const { column, runs } = spill(values, dir, budget, 100);
      expect(runs).toBeGreaterThan(100);
      const expected = values.slice().sort();
      const got = new Float64Array(column.length);
      const c = column.cursor(budget);
      for (; !c.done; c.advance()) got[c.index] = c.peek();
      c.close();
      expect(got.length).toBe(expected.length);
      let mismatch = -1;
      for (let i = 0; i < got.length && mismatch < 0; i++) if (!Object.is(got[i], expected[i])) mismatch = i;
      expect(mismatch).toBe(-1);
      expect(budget.peak).toBeLessThanOrEqual(256);
      column.release();
      expect(budget.held).toBe(0);
    } finally {
      dir.remove();
    }
    expect(existsSync(dir.path)).toBe(false);
  });
});

describe('one bin per distinct value', () => {
  it('counts ref ∪ cur per value, and gives up past its bin limit instead of growing with the batch', () => {
    const dir = new SpillDir();
    try {
      const budget = new MemoryBudget(4096);
      const ref = spill([1, 2, 2, -0, 3], dir, budget, 16).column;
      const cur = spill([0, 2, 5, 5, 6], dir, budget, 16).column;
      expect(distinctValueCountsOf(ref, cur, budget)).toEqual({ mode: 'categories', keys: [-0, 1, 2, 3, 5, 6], refCounts: [1, 1, 2, 1, 0, 0], curCounts: [1, 0, 1, 0, 2, 1] });
      expect(distinctValueCountsOf(ref, cur, budget, 5)).toBeUndefined();
    } finally {
      dir.remove();
    }
  });
});

describe('streaming drift statistics equal the in-memory ones', () => {
  const files = readdirSync(DATA).filter((f) => /_ref\.(csv|jsonl)$/.test(f));
  for (const refFile of files) {
    const scenario = refFile.replace(/_ref\.(csv|jsonl)$/, '');
    it(`${scenario}: every numeric column, a tiny budget`, async () => {
      const curFile = readdirSync(DATA).find((f) => f.startsWith(`${scenario}_cur.`)) as string;
      const ref = await scanTable(readTable(join(DATA, refFile)), undefined);
      const cur = await scanTable(readTable(join(DATA, curFile)), undefined);
      const bad: string[] = [];
      let compared = 0;
      let maxRuns = 0;
      for (const name of ref.columns) {
        if (ref.types[name] !== 'integer' && ref.types[name] !== 'number') continue;
        const refCol = ref.byName.get(name);
        const curCol = cur.byName.get(name);
        if (!refCol || !curCol) continue;
        const a = numbersOf(refCol);
        const b = numbersOf(curCol);
        if (a.length === 0 || b.length === 0) continue;
        const dir = new SpillDir();
        try {
          const budget = new MemoryBudget(512);
          const runOf = (n: number): number => Math.max(16, Math.min(64, Math.floor(n / 15)));
          const sa = spill(a, dir, budget, runOf(a.length));
          const sb = spill(b, dir, budget, runOf(b.length));
          maxRuns = Math.max(maxRuns, sa.runs, sb.runs);
          bad.push(...compareDrift(name, numericColumnDriftOf(sa.column, sb.column, budget), numericColumnDrift(a, b)));
          const p = outlierParamsOf(sa.column, budget);
          const e = fitOutlierParams(a);
          for (const k of Object.keys(e) as (keyof typeof e)[]) if (!sameNumber(p[k], e[k])) bad.push(`${name} outlier ${k}: ${p[k]} vs ${e[k]}`);
          expect(budget.peak).toBeLessThanOrEqual(512);
          compared++;
        } finally {
          dir.remove();
        }
      }
      expect(compared).toBeGreaterThan(0);
      expect(maxRuns).toBeGreaterThan(10);
      expect(bad).toEqual([]);
    });
  }

  it('random samples with ties, infinities, −0 and very different sizes', () => {
    const bad: string[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const rand = prng(seed);
      const n1 = 1 + Math.floor(rand() * (seed % 3 === 0 ? 30 : 3000));
      const n2 = 1 + Math.floor(rand() * (seed % 4 === 0 ? 20_000 : 2000));
      const levels = seed % 5 === 0 ? 4 : seed % 5 === 1 ? 15 : 0;
      const draw = (shift: number): number => {
        const u = rand();
        if (seed % 7 === 0 && u < 0.01) return u < 0.005 ? Infinity : -Infinity;
        if (u < 0.05) return -0;
        if (u < 0.08) return 0;
        if (levels > 0) return Math.floor(rand() * levels) + shift;
        return Math.round((Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand()) + shift) * 1000) / 1000;
      };
      const a = Float64Array.from({ length: n1 }, () => draw(0));
      const b = Float64Array.from({ length: n2 }, () => draw(seed % 2 === 0 ? 0.3 : 0));
      const dir = new SpillDir();
      try {
        const budget = new MemoryBudget(1024);
        const sa = spill(a, dir, budget, 50 + seed);
        const sb = spill(b, dir, budget, 70 + seed);
        let memory: ColumnDrift | Error;
        try {
          memory = numericColumnDrift(a, b);
        } catch (e) {
          memory = e as Error;
        }
        let streamed: ColumnDrift | Error;
        try {
          streamed = numericColumnDriftOf(sa.column, sb.column, budget);
        } catch (e) {
          streamed = e as Error;
        }
        if (memory instanceof Error || streamed instanceof Error) {
          if (!(memory instanceof Error && streamed instanceof Error && memory.message === streamed.message)) bad.push(`seed ${seed}: ${memory instanceof Error ? memory.message : 'figures'} vs ${streamed instanceof Error ? streamed.message : 'figures'}`);
        } else bad.push(...compareDrift(`seed ${seed}`, streamed, memory));
        const p = outlierParamsOf(sa.column, budget);
        const e = fitOutlierParams(a);
        for (const k of Object.keys(e) as (keyof typeof e)[]) if (!sameNumber(p[k], e[k])) bad.push(`seed ${seed} outlier ${k}: ${p[k]} vs ${e[k]}`);
        expect(budget.peak).toBeLessThanOrEqual(1024);
      } finally {
        dir.remove();
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('radix sort', () => {
  it('orders doubles exactly as Float64Array.sort: −0 before +0, infinities, subnormals, ties, every magnitude', () => {
    const rand = prng(11);
    const view = new DataView(new ArrayBuffer(8));
    const values = Float64Array.from({ length: 300_000 }, (_, i) => {
      switch (i % 9) {
        case 0:
          return -0;
        case 1:
          return 0;
        case 2:
          return (rand() - 0.5) * 1e-310; // subnormal
        case 3:
          return i % 2 ? Infinity : -Infinity;
        case 4:
          return Math.floor(rand() * 10) - 5;
        default:
          // Any finite bit pattern.
          view.setUint32(0, Math.floor(rand() * 2 ** 32));
          view.setUint32(4, Math.floor(rand() * 2 ** 32));
          return Number.isFinite(view.getFloat64(0)) ? view.getFloat64(0) : rand();
      }
    });
    const expected = values.slice().sort();
    const got = values.slice();
    sortFloat64(got, new Float64Array(got.length));
    let mismatch = -1;
    for (let i = 0; i < got.length && mismatch < 0; i++) if (!Object.is(got[i], expected[i])) mismatch = i;
    expect(mismatch).toBe(-1);
    const narrow = Float64Array.from({ length: 100_000 }, () => 1000 + Math.floor(rand() * 50) / 4);
    const narrowSorted = narrow.slice();
    sortFloat64(narrowSorted, new Float64Array(narrow.length));
    expect(Array.from(narrowSorted)).toEqual(Array.from(narrow.slice().sort()));
  });
});
