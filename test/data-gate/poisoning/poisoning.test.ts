import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type Report, silentLogger } from '@aisec/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DRIFT, DEFAULT_OUTLIERS, RULES, hasControlCharacters, isFormulaLike, mixedScriptWord, runDataGate } from '../../../packages/data-gate/src/index';
import { prng } from '../../helpers/prng';

const WORDS = ['good', 'bad', 'fine', 'slow', 'fast', 'okay', 'nice', 'poor', 'cheap', 'great', 'late', 'early'];
const SOURCES = ['web', 'app', 'partner', 'store'];

function table(seed: number, rows: number, edit?: (r: number, cells: { text: string; source: string; label: number }) => void): string {
  const rand = prng(seed);
  const lines = ['id,text,source,label'];
  for (let r = 0; r < rows; r++) {
    const cells = {
      text: Array.from({ length: 5 }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' '),
      source: SOURCES[Math.floor(rand() * SOURCES.length)]!,
      label: rand() < 0.5 ? 1 : 0,
    };
    edit?.(r, cells);
    lines.push(`${r},"${cells.text.replace(/"/g, '""')}",${cells.source},${cells.label}`);
  }
  return `${lines.join('\n')}\n`;
}

async function gate(reference: string, current: string): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), 'aisec-poisoning-'));
  writeFileSync(join(dir, 'ref.csv'), reference);
  writeFileSync(join(dir, 'cur.csv'), current);
  return runDataGate(
    { reference: join(dir, 'ref.csv'), current: join(dir, 'cur.csv'), provenance: [], drift: { ...DEFAULT_DRIFT }, outliers: { ...DEFAULT_OUTLIERS }, poisoning: true, read: {} },
    { workspace: dir, logger: silentLogger, limits: DEFAULT_LIMITS, signal: new AbortController().signal },
  );
}

const rowsOf = (r: Report, id: string): unknown[] => r.findings.filter((f) => f.ruleId === id).map((f) => f.properties?.rows);

describe('text injection signals', () => {
  it('tells spreadsheet formulas from ordinary text that starts with a sign', () => {
    for (const t of ['=1+1', '=HYPERLINK("http://x","y")', '@SUM(A1)', '\tcmd', '+cmd|\' /C calc\'!A0', '-2+3+cmd|x!A0', '+=1']) expect(isFormulaLike(t), t).toBe(true);
    for (const t of ['- a list item', '-', '+1 555 0100', 'a=b', 'email@example.com', '-5 stars, would buy again']) expect(isFormulaLike(t), t).toBe(false);
  });

  it('finds bidi, zero-width and C0/C1 controls but not tabs and newlines', () => {
    for (const t of ['a\u202Eb', 'zero\u200Bwidth', 'bom\uFEFF', 'bell\u0007', 'c1\u0085']) expect(hasControlCharacters(t), JSON.stringify(t)).toBe(true);
    for (const t of ['tab\there', 'line\nbreak', 'crlf\r\n', 'café ünïcode', '日本語']) expect(hasControlCharacters(t), JSON.stringify(t)).toBe(false);
  });

  it('finds words mixing Latin with Cyrillic or Greek letters, not text in one script', () => {
    expect(mixedScriptWord('pay with p\u0430ypal now')).toBe('p\u0430ypal');
    expect(mixedScriptWord('\u03bfpen the door')).toBe('\u03bfpen');
    expect(mixedScriptWord('привет мир and hello')).toBeUndefined();
    expect(mixedScriptWord('plain ascii text')).toBeUndefined();
  });
});

describe('backdoor triggers and source concentration', () => {
  it('reports a rare token always paired with one label, at its rows, and nothing for a new token spread over both labels', async () => {
    // 16 rows all with label 1 where half the batch has it: 0.5^16 by chance, far below 0.001 / candidates.
    const trigger = new Set([3, 40, 77, 90, 151, 222, 300, 301, 455, 599, 12, 13, 520, 521, 560, 561]);
    const spread = new Set([5, 41, 78, 91, 152, 223, 302, 303, 456, 598]);
    const current = table(2, 600, (r, c) => {
      if (trigger.has(r)) {
        c.text += ' xx_cf';
        c.label = 1;
      }
      if (spread.has(r)) {
        c.text += ' newword';
        c.label = r % 2;
      }
    });
    const report = await gate(table(1, 600), current);
    const found = report.findings.filter((f) => f.ruleId === RULES.RULE_TRIGGER_VALUE);
    expect(found.map((f) => f.properties?.token)).toEqual(['xx_cf']);
    expect(found[0]?.properties?.rows).toEqual([...trigger].sort((a, b) => a - b));
    expect(found[0]?.properties?.label).toBe('1');
    expect(report.metrics['poisoning.trigger.reported']).toBe(1);
  });

  it('reports a new source supplying a large share of the batch, and not the usual mix', async () => {
    const quiet = await gate(table(1, 600), table(2, 600));
    expect(quiet.findings.filter((f) => f.ruleId === RULES.RULE_SOURCE_CONCENTRATION)).toEqual([]);
    const flood = await gate(
      table(1, 600),
      table(2, 600, (r, c) => {
        if (r % 3 === 0) c.source = 'bulk-upload-7';
      }),
    );
    const found = flood.findings.filter((f) => f.ruleId === RULES.RULE_SOURCE_CONCENTRATION);
    expect(found.map((f) => f.properties?.source)).toEqual(['bulk-upload-7']);
    expect(found[0]?.properties?.rows_total).toBe(200);
  });

  it('lists formula, control and homoglyph cells at their 0-based rows', async () => {
    const report = await gate(
      table(1, 300),
      table(2, 300, (r, c) => {
        if (r === 7 || r === 250) c.text = '=cmd|\' /C calc\'!A0';
        if (r === 19) c.text = 'fine \u2066hidden\u2069';
        if (r === 123) c.text = 'g\u043e\u043egle login';
      }),
    );
    expect(rowsOf(report, RULES.RULE_FORMULA_INJECTION)).toEqual([[7, 250]]);
    expect(rowsOf(report, RULES.RULE_CONTROL_CHARACTERS)).toEqual([[19]]);
    expect(rowsOf(report, RULES.RULE_HOMOGLYPHS)).toEqual([[123]]);
    expect(report.findings.find((f) => f.ruleId === RULES.RULE_FORMULA_INJECTION)?.location).toEqual({ path: 'cur.csv', line: 9 });
  });
});

describe('bad input', () => {
  it('an empty batch and ragged rows are findings, not crashes', async () => {
    const empty = await gate(table(1, 100), 'id,text,source,label\n');
    expect(empty.findings.map((f) => f.ruleId)).toContain('AISEC-DATA-018');
    const ragged = await gate(table(1, 100), `${table(2, 100)}1,only two\n`);
    expect(ragged.findings.map((f) => f.ruleId)).toContain('AISEC-DATA-015');
  });
});
