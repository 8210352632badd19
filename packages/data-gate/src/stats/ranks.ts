/** Average ranks (ties get the mean of their positions, 1-based), like `scipy.stats.rankdata`. */
export interface Ranking {
  ranks: Float64Array;
  /** Σ (t³ − t) over groups of tied values. */
  tieTerm: number;
}

export function averageRanks(values: ArrayLike<number>): Ranking {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  let tieTerm = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks, tieTerm };
}

export interface TwoSampleRanks {
  /** Average ranks of the sorted first sample, in its sorted order. */
  ranksX: Float64Array;
  /** Average ranks of the sorted second sample, in its sorted order. */
  ranksY: Float64Array;
  tieTerm: number;
}

/**
 * Average ranks in the pooled sample of two sorted samples, by one merge walk instead of sorting the
 * pooled values again (the rank tests run on columns of millions of rows).
 */
export function twoSampleRanks(x: Float64Array, y: Float64Array): TwoSampleRanks {
  const ranksX = new Float64Array(x.length);
  const ranksY = new Float64Array(y.length);
  let tieTerm = 0;
  let i = 0;
  let j = 0;
  let position = 0;
  while (i < x.length || j < y.length) {
    const a = i < x.length ? x[i]! : Infinity;
    const b = j < y.length ? y[j]! : Infinity;
    const v = a <= b ? a : b;
    let i2 = i;
    let j2 = j;
    while (i2 < x.length && x[i2] === v) i2++;
    while (j2 < y.length && y[j2] === v) j2++;
    const t = i2 - i + (j2 - j);
    const rank = position + (t + 1) / 2;
    ranksX.fill(rank, i, i2);
    ranksY.fill(rank, j, j2);
    tieTerm += t * t * t - t;
    position += t;
    i = i2;
    j = j2;
  }
  return { ranksX, ranksY, tieTerm };
}
