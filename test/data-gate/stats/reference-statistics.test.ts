import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, readJson, text, tree, type Mismatch } from './reference-compare';
import { computeScenario } from './scenario-harness';
import { loadTable } from './shared-table';
import { SHARED } from '../readers/helpers';

/**
 * Walks every statistic in every shared reference JSON (SciPy 1.10.1 / NumPy 1.24.2) and compares it
 * with the engine's value under the README's tolerances. A statistic the engine does not produce is a
 * failure, never a skip; the only leaves not compared are wall-clock timings and prose descriptions.
 */
// The shared data beside the repository (../shared), wherever the repository is.
const ROOT = SHARED;
const indexJson = tree(readJson(join(ROOT, 'reference/index.json')), 'index.json');
const scenarios = (Array.isArray(indexJson.scenarios) ? indexJson.scenarios : []).map((s) => {
  const t = tree(s, 'index.json scenario');
  return { scenario: text(t.scenario, 'scenario'), reference_json: text(t.reference_json, 'reference_json') };
});

const SECTIONS = ['profiles', 'drift', 'evidently_default', 'outliers', 'poisoning'] as const;
let total = 0;

describe('statistics engine against the shared SciPy reference values', () => {
  for (const { scenario, reference_json } of scenarios) {
    it(`reproduces every statistic of ${scenario}`, () => {
      const expected = tree(readJson(join(ROOT, reference_json)), reference_json);
      const files = tree(expected.files, 'files');
      const ref = loadTable(join(ROOT, text(files.reference, 'files.reference')));
      const cur = loadTable(join(ROOT, text(files.current, 'files.current')));
      const actual = computeScenario(ref, cur);
      const out = { checked: 0, mismatches: [] as Mismatch[] };
      for (const section of SECTIONS) {
        const part = expected[section];
        if (part === undefined) throw new Error(`${scenario} has no ${section}`);
        compare(part, actual[section], section, out);
      }
      total += out.checked;
      console.log(`${scenario}: ${out.checked} statistics compared, ${out.mismatches.length} mismatches`);
      expect(out.mismatches.slice(0, 20), `${out.mismatches.length} mismatches in ${scenario}`).toEqual([]);
      expect(out.checked).toBeGreaterThan(500);
    });
  }

  it('compared every scenario', () => {
    console.log(`total statistics compared: ${total}`);
    expect(scenarios.length).toBe(8);
  });
});
