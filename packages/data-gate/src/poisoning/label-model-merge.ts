import { UserError } from '@aisec/core';
import { type ColumnStats, LABEL_MODEL_FORMAT, LABEL_MODEL_VERSION, type LabelModelJson, type SampleRow, emptyColumn } from './label-model-format';
import { mergePairwise } from './pairwise-comoments';

/**
 * The model of two references together (shards of one dataset): labels and columns united by name,
 * moments merged by Chan, Golub and LeVeque's formulas, counts summed, a column whose categories
 * overflow in either overflows in both, the sample the smallest keys of both. Up to float rounding, the
 * model of the whole.
 */
export function mergeLabelModelJson(a: LabelModelJson, b: LabelModelJson): LabelModelJson {
  if (a.labelColumn !== b.labelColumn) {
    throw new UserError(`cannot merge label models of different label columns ('${a.labelColumn}' and '${b.labelColumn}')`, { hint: 'build every shard with the same label column' });
  }
  const o = a.options;
  const labels = [...a.labels];
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  let labelOverflow = a.labelOverflow || b.labelOverflow;
  for (const l of b.labels) {
    if (labelIndex.has(l)) continue;
    if (labels.length >= o.maxLabels) {
      labelOverflow = true;
      continue;
    }
    labelIndex.set(l, labels.length);
    labels.push(l);
  }
  const L = labels.length;
  const remapB = b.labels.map((l) => labelIndex.get(l) ?? -1);
  const labelCounts = Array.from({ length: L }, (): number => 0);
  a.labelCounts.forEach((c, i) => (labelCounts[i] = (labelCounts[i] as number) + c));
  b.labelCounts.forEach((c, i) => {
    const j = remapB[i] as number;
    if (j >= 0) labelCounts[j] = (labelCounts[j] as number) + c;
  });
  const columns: ColumnStats[] = [];
  const byName = new Map<string, number>();
  let featureOverflow = a.featureOverflow || b.featureOverflow;
  const widen = (c: ColumnStats, remap: number[]): ColumnStats => {
    const out = emptyColumn(c.name, L);
    out.numberCells = c.numberCells;
    out.otherCells = c.otherCells;
    remap.forEach((j, i) => {
      if (j < 0) return;
      out.numeric.count[j] = c.numeric.count[i] as number;
      out.numeric.mean[j] = c.numeric.mean[i] as number;
      out.numeric.m2[j] = c.numeric.m2[i] as number;
    });
    out.categories = {
      overflow: c.categories.overflow,
      keys: [...c.categories.keys],
      counts: c.categories.counts.map((row) => {
        const r = Array.from({ length: L }, (): number => 0);
        remap.forEach((j, i) => j >= 0 && (r[j] = row[i] as number));
        return r;
      }),
    };
    return out;
  };
  const remapA = a.labels.map((_, i) => i);
  for (const c of a.columns) {
    byName.set(c.name, columns.length);
    columns.push(widen(c, remapA));
  }
  for (const cb of b.columns) {
    const at = byName.get(cb.name);
    const wb = widen(cb, remapB);
    if (at === undefined) {
      if (columns.length >= o.maxFeatures) {
        featureOverflow = true;
        continue;
      }
      byName.set(cb.name, columns.length);
      columns.push(wb);
      continue;
    }
    const ca = columns[at] as ColumnStats;
    ca.numberCells += wb.numberCells;
    ca.otherCells += wb.otherCells;
    for (let l = 0; l < L; l++) {
      // Chan, Golub and LeVeque's pairwise update of the moments.
      const na = ca.numeric.count[l] as number;
      const nb = wb.numeric.count[l] as number;
      if (nb === 0) continue;
      const n = na + nb;
      const delta = (wb.numeric.mean[l] as number) - (ca.numeric.mean[l] as number);
      ca.numeric.mean[l] = (ca.numeric.mean[l] as number) + (delta * nb) / n;
      ca.numeric.m2[l] = (ca.numeric.m2[l] as number) + (wb.numeric.m2[l] as number) + (delta * delta * na * nb) / n;
      ca.numeric.count[l] = n;
    }
    if (ca.categories.overflow || wb.categories.overflow) {
      ca.categories = { overflow: true, keys: [], counts: [] };
      continue;
    }
    const keyAt = new Map(ca.categories.keys.map((k, i) => [k, i]));
    for (let k = 0; k < wb.categories.keys.length; k++) {
      const key = wb.categories.keys[k] as string;
      let at2 = keyAt.get(key);
      if (at2 === undefined) {
        if (ca.categories.keys.length >= o.maxCategories) {
          ca.categories = { overflow: true, keys: [], counts: [] };
          break;
        }
        at2 = ca.categories.keys.length;
        keyAt.set(key, at2);
        ca.categories.keys.push(key);
        ca.categories.counts.push(Array.from({ length: L }, (): number => 0));
      }
      const dst = ca.categories.counts[at2] as number[];
      const src = wb.categories.counts[k] as number[];
      for (let l = 0; l < L; l++) dst[l] = (dst[l] as number) + (src[l] as number);
    }
  }
  const realign = (rows: SampleRow[], from: ColumnStats[]): SampleRow[] =>
    rows.map((r) => {
      const cells = Array.from({ length: columns.length }, (): number | string | null => null);
      from.forEach((c, i) => {
        const at = byName.get(c.name);
        if (at !== undefined) cells[at] = r.cells[i] ?? null;
      });
      return { key: r.key, label: r.label, cells };
    });
  const sample = [...realign(a.sample, a.columns), ...realign(b.sample, b.columns)]
    .filter((r) => labelIndex.has(r.label))
    .sort((x, y) => x.key - y.key)
    .slice(0, o.sampleSize)
    .map((r) => ({ ...r, cells: r.cells.map((v, c) => (typeof v === 'string' && (columns[c] as ColumnStats).categories.overflow ? null : v)) }));
  return {
    format: LABEL_MODEL_FORMAT,
    version: LABEL_MODEL_VERSION,
    labelColumn: a.labelColumn,
    exclude: [...new Set([...a.exclude, ...b.exclude])],
    options: { ...o },
    rows: a.rows + b.rows,
    unlabeledRows: a.unlabeledRows + b.unlabeledRows,
    labelOverflow,
    featureOverflow,
    labels,
    labelCounts,
    columns,
    correlation: mergePairwise(a.correlation, b.correlation, L, remapB, o.maxCorrelated),
    sample,
  };
}
