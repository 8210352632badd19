import { describe, expect, it } from 'vitest';
import {
  categoricalDriftDecision,
  chi2Contingency,
  datasetDrift,
  evidentlyDefaultTest,
  iqrOutliers,
  fitOutlierParams,
  madOutliers,
  moments,
  MomentsAccumulator,
  numericDriftDecision,
  psi,
  jensenShannon,
  ks2samp,
  ks2sampSorted,
  oovRate,
  tokenize,
  sortedCopy,
  wasserstein1,
  wasserstein1Sorted,
  rowHash,
  duplicatesWithin,
  rowsFoundIn,
  zScoreOutliers,
} from '../../../packages/data-gate/src/stats/index';

/** A deterministic normal-ish sample (sum of uniforms from a fixed LCG), no Math.random. */
function sample(n: number, shift: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Float64Array.from({ length: n }, () => {
    let s = 0;
    for (let k = 0; k < 12; k++) s += next();
    return s - 6 + shift;
  });
}

describe('default drift decision: p-value on small samples, effect size on large ones', () => {
  it('a small sample with a real shift drifts on the KS p-value', () => {
    const d = numericDriftDecision(sample(300, 0, 1), sample(300, 0.5, 2));
    expect(d.decidedBy).toBe('pvalue');
    expect(d.pvalue).toBeLessThan(0.05);
    expect(d.drift).toBe(true);
    expect(d.effectSizeName).toBe('wasserstein_norm');
  });

  it('a trivial shift at 200k rows has a tiny p-value but does not drift', () => {
    const d = numericDriftDecision(sample(200_000, 0, 3), sample(200_000, 0.03, 4));
    expect(d.pvalue).toBeLessThan(1e-6);
    expect(d.decidedBy).toBe('effect-size');
    expect(d.effectSize).toBeLessThan(0.1);
    expect(d.drift).toBe(false);
  });

  it('a large shift at 200k rows drifts on the effect size', () => {
    const d = numericDriftDecision(sample(200_000, 0, 5), sample(200_000, 0.3, 6));
    expect(d.effectSize).toBeGreaterThan(0.1);
    expect(d.drift).toBe(true);
  });

  it('a small batch against a large reference is still judged by its p-value', () => {
    const d = numericDriftDecision(sample(50_000, 0, 10), sample(60, 0.05, 11));
    expect(d.decidedBy).toBe('pvalue');
    expect(d.drift).toBe(d.pvalue < 0.05);
  });

  it('categories use the two-sample chi-square and Jensen-Shannon', () => {
    const ref = [...Array<string>(600).fill('a'), ...Array<string>(400).fill('b')];
    const cur = [...Array<string>(500).fill('a'), ...Array<string>(450).fill('b'), ...Array<string>(50).fill('c')];
    const d = categoricalDriftDecision(ref, cur);
    expect(d.test).toBe('chi2');
    expect(d.drift).toBe(true);
    expect(d.statistic).toBeCloseTo(chi2Contingency([600, 400, 0], [500, 450, 50]).statistic, 12);
    expect(d.effectSize).toBeCloseTo(jensenShannon([600, 400, 0], [500, 450, 50]), 12);
  });

  it('dataset drift is the share of drifted columns against 0.5', () => {
    expect(datasetDrift([true, false, true, false])).toEqual({ nColumns: 4, nDrifted: 2, share: 0.5, datasetDrift: true });
    expect(datasetDrift([true, false, false]).datasetDrift).toBe(false);
    expect(datasetDrift([]).datasetDrift).toBe(false);
  });

  it("Evidently's choice of test by size and cardinality", () => {
    expect(evidentlyDefaultTest('numeric', 1000, 6)).toEqual({ test: 'ks', threshold: 0.05 });
    expect(evidentlyDefaultTest('numeric', 1000, 5)).toEqual({ test: 'chisquare', threshold: 0.05 });
    expect(evidentlyDefaultTest('categorical', 500, 2)).toEqual({ test: 'z', threshold: 0.05 });
    expect(evidentlyDefaultTest('numeric', 1001, 6)).toEqual({ test: 'wasserstein', threshold: 0.1 });
    expect(evidentlyDefaultTest('categorical', 1001, 40)).toEqual({ test: 'jensenshannon', threshold: 0.1 });
  });

  it('PSI is zero for identical distributions and grows with the shift', () => {
    expect(psi([10, 20, 30], [10, 20, 30])).toBe(0);
    expect(psi([10, 20, 30], [30, 20, 10])).toBeGreaterThan(psi([10, 20, 30], [15, 20, 25]));
  });
});

describe('outliers fitted on the reference are not masked by an injection', () => {
  it('flags injected rows that a self-fitted z-score misses', () => {
    const ref = sample(1000, 0, 7);
    const cur = Float64Array.from(sample(1000, 0, 8));
    const injected = [5, 50, 500];
    for (let k = 0; k < 100; k++) cur[100 + k] = 40; // a large block inflates the batch's own std
    for (const i of injected) cur[i] = 9;
    const refParams = fitOutlierParams(ref);
    const selfParams = fitOutlierParams(cur);
    const fitted = zScoreOutliers(cur, refParams);
    for (const i of injected) expect(fitted).toContain(i);
    expect(zScoreOutliers(cur, selfParams)).not.toContain(5);
    expect(iqrOutliers(cur, refParams)).toEqual(expect.arrayContaining(injected));
    expect(madOutliers(cur, refParams)).toEqual(expect.arrayContaining(injected));
  });

  it('never flags nulls, and MAD = 0 flags nothing', () => {
    const values = Float64Array.from([1, 1, 1, 1, NaN, 50]);
    const p = fitOutlierParams(values);
    expect(p.mad).toBe(0);
    expect(madOutliers(values, p)).toEqual([]);
    expect(iqrOutliers(values, p)).toEqual([5]);
  });
});

describe('row hashes', () => {
  it('equal as doubles, null equals null, numbers never equal strings', () => {
    expect(rowHash([5, 'x', null])).toBe(rowHash([5.0, 'x', null]));
    expect(rowHash([0])).toBe(rowHash([-0]));
    expect(rowHash([5])).not.toBe(rowHash(['5']));
    expect(rowHash([null])).not.toBe(rowHash(['']));
    expect(rowHash(['ab', 'c'])).not.toBe(rowHash(['a', 'bc']));
    expect(rowHash([1, 2])).not.toBe(rowHash([2, 1]));
  });

  it('finds later copies within the batch and rows copied from the reference', () => {
    const rows = [[1, 'a'], [2, 'b'], [1, 'a'], [3, 'c'], [2, 'b']].map((r) => rowHash(r));
    expect(duplicatesWithin(rows)).toEqual([2, 4]);
    expect(rowsFoundIn(rows, new Set([rowHash([3, 'c'])]))).toEqual([3]);
  });
});

describe('mergeable moments', () => {
  it('shards merged in any order agree with the two-pass moments', () => {
    const all = sample(10_000, 1e6, 9); // a large mean stresses cancellation
    const whole = moments(all);
    const shards = [all.subarray(0, 10), all.subarray(10, 4000), all.subarray(4000)];
    const acc = new MomentsAccumulator();
    for (const shard of [shards[2]!, shards[0]!, shards[1]!]) {
      const part = new MomentsAccumulator();
      part.addAll(shard);
      acc.merge(part);
    }
    const s = acc.state();
    expect(s.n).toBe(whole.n);
    expect(Math.abs(s.mean - whole.mean) / whole.mean).toBeLessThan(1e-14);
    expect(Math.abs(s.m2 - whole.m2) / whole.m2).toBeLessThan(1e-9);
    expect(s.sum).toBe(whole.sum);
    expect(s.min).toBe(whole.min);
    expect(s.max).toBe(whole.max);
  });
});

describe('sorted-column entry points', () => {
  it('give the same answers as the copying ones and refuse unsorted input', () => {
    const a = sample(3000, 0, 12);
    const b = sample(2000, 0.1, 13);
    const sa = sortedCopy(a);
    const sb = sortedCopy(b);
    expect(ks2sampSorted(sa, sb)).toEqual(ks2samp(a, b));
    expect(wasserstein1Sorted(sa, sb)).toBe(wasserstein1(a, b));
    expect(() => ks2sampSorted(a, sb)).toThrow(/sorted/);
    expect(() => wasserstein1Sorted(sa, b)).toThrow(/sorted/);
  });

  it("switches a requested exact KS to asymp when n1·n2/gcd² reaches 2^31, as SciPy does", () => {
    const r = ks2samp(sample(50_000, 0, 14), sample(49_999, 0, 15), { method: 'exact' });
    expect(r.method).toBe('asymp');
    expect(r.fellBack).toBe(false);
    expect(ks2samp(sample(500, 0, 16), sample(400, 0, 17)).method).toBe('exact');
  });
});

describe('text drift helpers', () => {
  it('tokenizes on whitespace after replacing commas and quotes, and rates unseen tokens', () => {
    expect(tokenize('alpha,beta "gamma"  delta')).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    expect(oovRate(['a b', 'c'], ['a x', 'x y'])).toBe(3 / 4);
    expect(oovRate(['a'], [])).toBe(0);
  });
});
