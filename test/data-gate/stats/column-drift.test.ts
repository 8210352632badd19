import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  categoricalColumnDrift,
  countValues,
  dropNulls,
  numericColumnDrift,
  type ColumnDrift,
} from '../../../packages/data-gate/src/stats/index';
import { compare, readJson, text, tree, type Json, type Mismatch, type Tree } from './reference-compare';
import { loadTable, numericCells, stringCells, type Table } from './shared-table';
import { SHARED } from '../readers/helpers';

/**
 * The per-column entry points the gate reports from (`drift.<column>.<test>.*`) agree with the shared
 * SciPy references for every drifted column of every scenario.
 */
// The shared data beside the repository (../shared), wherever the repository is.
const ROOT = SHARED;
const index = tree(readJson(join(ROOT, 'reference/index.json')), 'index.json');
const scenarios = (Array.isArray(index.scenarios) ? index.scenarios : []).map((s) => text(tree(s, 'scenario').reference_json, 'reference_json'));

/** The reference's figures laid out under the report's metric names. */
function expectedFigures(d: Tree): Tree {
  const t = (key: string): Tree => tree(d[key], key);
  if (d.ks !== undefined) {
    const out: Tree = {
      ks: { statistic: t('ks').statistic ?? null, pvalue: t('ks').pvalue_auto ?? null },
      psi: { statistic: t('binned_evidently').psi ?? null },
      js: { statistic: t('binned_evidently').js_distance_e ?? null },
      psi_deciles: { statistic: t('binned_ref_deciles').psi ?? null },
      wasserstein: { statistic: t('wasserstein').distance ?? null },
      wasserstein_norm: { statistic: t('wasserstein').normed ?? null },
      anderson: { statistic: t('anderson_ksamp').statistic ?? null, significance_level: t('anderson_ksamp').significance_level ?? null },
    };
    return out;
  }
  return {
    chi2: { statistic: t('chi2_contingency').statistic ?? null, pvalue: t('chi2_contingency').pvalue ?? null },
    psi: { statistic: t('binned').psi ?? null },
    js: { statistic: t('binned').js_distance_e ?? null },
  };
}

function actualFigures(c: ColumnDrift): Tree {
  const out: Tree = {};
  for (const [name, fig] of Object.entries(c.tests)) {
    const f: Tree = { statistic: fig.statistic };
    if (fig.pvalue !== undefined) f.pvalue = fig.pvalue;
    if (fig.significance_level !== undefined) f.significance_level = fig.significance_level;
    out[name] = f;
  }
  return out;
}

function drifts(refTable: Table, curTable: Table, name: string): ColumnDrift | undefined {
  const r = refTable.columns.find((c) => c.name === name);
  const c = curTable.columns.find((col) => col.name === name);
  if (!r || !c || r.kind !== c.kind) return undefined;
  if (r.kind === 'numeric') return numericColumnDrift(dropNulls(numericCells(r)), dropNulls(numericCells(c)));
  const values = (col: typeof r): string[] => stringCells(col).filter((v): v is string => v !== null);
  return categoricalColumnDrift(countValues(values(r)), countValues(values(c)));
}

describe('per-column drift entry points against the SciPy references', () => {
  for (const file of scenarios) {
    it(`agree on ${file}`, () => {
      const expected = tree(readJson(join(ROOT, file)), file);
      const files = tree(expected.files, 'files');
      const ref = loadTable(join(ROOT, text(files.reference, 'reference')));
      const cur = loadTable(join(ROOT, text(files.current, 'current')));
      const evidently = tree(tree(expected.evidently_default, 'evidently_default').columns, 'columns');
      const out = { checked: 0, mismatches: [] as Mismatch[] };
      for (const [column, value] of Object.entries(tree(expected.drift, 'drift'))) {
        const d = tree(value, column);
        if (d.skipped !== undefined || d.length_chars_ks !== undefined) continue;
        const actual = drifts(ref, cur, column);
        if (!actual) {
          out.mismatches.push({ path: column, expected: 'computed', actual: 'missing' });
          continue;
        }
        compare(expectedFigures(d), actualFigures(actual), `drift.${column}`, out);
        const e: Json | undefined = evidently[column];
        if (e !== undefined) {
          const { test, threshold, score, drift } = actual.evidently;
          compare(e, { test, threshold, score, drift }, `evidently.${column}`, out);
        }
      }
      expect(out.mismatches).toEqual([]);
      expect(out.checked).toBeGreaterThan(50);
    });
  }
});
