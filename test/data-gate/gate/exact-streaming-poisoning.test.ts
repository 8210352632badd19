import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type Finding, type Report, silentLogger } from '@aisec/core';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../../../packages/data-gate/src/index';
import { DEFAULT_DRIFT, DEFAULT_OUTLIERS, runDataGate } from '../../../packages/data-gate/src/gate/gate';
import { prng } from '../../helpers/prng';

/**
 * The poisoning signals of the streaming exact mode against the in-memory ones on generated tables
 * that carry each attack: a backdoor token always paired with one label, a flood from one new source,
 * flipped labels in one region of a feature, formula and control-character cells, and duplicated and
 * copied rows. Same findings (rows included) and metrics, near-duplicates aside.
 */
const WORDS = ['good', 'bad', 'fine', 'slow', 'fast', 'okay', 'nice', 'poor', 'cheap', 'great', 'late', 'early'];
const SOURCES = ['web', 'app', 'partner', 'store'];

function table(seed: number, rows: number, poisoned: boolean): string {
  const rand = prng(seed);
  const lines = ['id,x,w,text,source,label'];
  const kept: string[] = [];
  for (let r = 0; r < rows; r++) {
    const x = Math.round((rand() * 4 - 2) * 1000) / 1000;
    const w = Math.round(Math.exp(rand() * 2) * 100) / 100;
    let text = Array.from({ length: 5 }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
    let source = SOURCES[Math.floor(rand() * SOURCES.length)] as string;
    let label = x + rand() - 0.5 > 0 ? 1 : 0;
    if (poisoned) {
      if (x > 1 && r % 2 === 0) label = 0;
      if (r % 37 === 5) {
        text += ' xx_cf';
        label = 1;
      }
      if (r % 3 === 0) source = 'bulk-upload-7';
      if (r === 7 || r === 250) text = "=cmd|' /C calc'!A0";
      if (r === 19) text = 'fine \u2066hidden\u2069';
    }
    const line = `${x},${w},"${text.replace(/"/g, '""')}",${source},${label}`;
    kept.push(line);
    lines.push(`${r},${poisoned && r % 50 === 49 ? (kept[r - 10] as string) : line}`);
  }
  return `${lines.join('\n')}\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'aisec-exact-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function gate(memoryMb?: number): Promise<Report> {
  writeFileSync(join(dir, 'ref.csv'), table(1, 1500, false));
  writeFileSync(join(dir, 'cur.csv'), `${table(2, 1500, true)}${table(1, 1500, false).split('\n').slice(1, 41).join('\n')}\n`);
  return runDataGate(
    { reference: join(dir, 'ref.csv'), current: join(dir, 'cur.csv'), provenance: [], drift: { ...DEFAULT_DRIFT }, outliers: { ...DEFAULT_OUTLIERS, method: 'iqr' }, poisoning: true, read: {}, ...(memoryMb === undefined ? {} : { memoryMb }) },
    { workspace: dir, logger: silentLogger, limits: DEFAULT_LIMITS, signal: new AbortController().signal },
  );
}

const comparable = (findings: Finding[]): unknown[] => findings.filter((f) => f.ruleId !== RULES.RULE_NEAR_DUPLICATE_ROWS).map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, location: f.location, properties: f.properties }));

describe('poisoning signals, streamed', () => {
  it('finds the same trigger, source flood, label shift, injected cells and duplicate rows as the in-memory mode', async () => {
    const memory = await gate();
    const streamed = await gate(0.05);
    expect(streamed.metrics['exact.memory_peak_values']).toBeLessThanOrEqual(streamed.metrics['exact.memory_budget_values'] as number);
    const rules = new Set(memory.findings.map((f) => f.ruleId));
    for (const id of [RULES.RULE_TRIGGER_VALUE, RULES.RULE_SOURCE_CONCENTRATION, RULES.RULE_FORMULA_INJECTION, RULES.RULE_CONTROL_CHARACTERS, RULES.RULE_DUPLICATE_ROWS, RULES.RULE_ROWS_FROM_REFERENCE]) expect(rules.has(id), id).toBe(true);
    expect(comparable(streamed.findings)).toEqual(comparable(memory.findings));
    const keys = Object.keys(memory.metrics).filter((k) => !k.startsWith('duplicates.near_'));
    expect(keys.filter((k) => streamed.metrics[k] !== memory.metrics[k] && Math.abs((streamed.metrics[k] as number) - (memory.metrics[k] as number)) > 1e-12 * Math.abs(memory.metrics[k] as number))).toEqual([]);
  });
});
