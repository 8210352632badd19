import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type Finding, type Report, silentLogger } from '@aisec/core';
import { afterAll, describe, expect, it } from 'vitest';
import { RULE_RAGGED_ROWS } from '../../../packages/data-gate/src/contract/input-rules';
import { RULES } from '../../../packages/data-gate/src/index';
import { DEFAULT_DRIFT, DEFAULT_OUTLIERS, runDataGate } from '../../../packages/data-gate/src/gate/gate';
import { prng } from '../../helpers/prng';

/**
 * Layouts where streaming has to get row identity right without holding the table: JSON Lines whose
 * keys first appear late (earlier rows count them as null), folders of several files (rows and lines
 * per file, findings per file), and empty inputs. The streaming run (forced by a tiny memory budget)
 * must report what the in-memory run reports.
 */
const root = mkdtempSync(join(tmpdir(), 'aisec-exact-layouts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function both(reference: string, current: string, budgetMb = 0.02): Promise<[Report, Report]> {
  const run = (memoryMb?: number): Promise<Report> =>
    runDataGate(
      { reference, current, provenance: [], drift: { ...DEFAULT_DRIFT }, outliers: { ...DEFAULT_OUTLIERS, method: 'iqr' }, poisoning: true, read: {}, ...(memoryMb === undefined ? {} : { memoryMb }) },
      { workspace: root, logger: silentLogger, limits: DEFAULT_LIMITS, signal: new AbortController().signal },
    );
  const memory = await run();
  const streamed = await run(budgetMb);
  expect(streamed.metrics['exact.memory_budget_values']).toBeGreaterThan(0);
  return [memory, streamed];
}

const comparable = (r: Report): unknown[] => r.findings.filter((f: Finding) => f.ruleId !== RULES.RULE_NEAR_DUPLICATE_ROWS).map((f) => ({ ruleId: f.ruleId, message: f.message, location: f.location, properties: f.properties }));

function sameMetrics(memory: Report, streamed: Report): string[] {
  return Object.keys(memory.metrics)
    .filter((k) => !k.startsWith('duplicates.near_'))
    .filter((k) => {
      const a = streamed.metrics[k];
      const e = memory.metrics[k] as number;
      return !(a === e || (Number.isNaN(a) && Number.isNaN(e)) || (a !== undefined && Math.abs(a - e) <= 1e-12 * Math.abs(e)));
    });
}

describe('streaming layouts', () => {
  it('JSON Lines with keys that first appear late: duplicates and copies are matched with the missing keys as null', async () => {
    const rand = prng(3);
    const row = (i: number, late: boolean): string => {
      const o: Record<string, unknown> = { id: i, a: Math.floor(rand() * 5), b: ['x', 'y', 'z'][Math.floor(rand() * 3)] };
      if (late) o.extra = Math.floor(rand() * 2) === 0 ? null : 'e';
      return JSON.stringify(o);
    };
    const refRows = Array.from({ length: 400 }, (_, i) => row(i, i >= 150));
    const curRows = Array.from({ length: 400 }, (_, i) => row(1000 + i, i >= 300));
    writeFileSync(join(root, 'late-ref.jsonl'), `${refRows.join('\n')}\n`);
    writeFileSync(join(root, 'late-cur.jsonl'), `${curRows.join('\n')}\n`);
    const [memory, streamed] = await both(join(root, 'late-ref.jsonl'), join(root, 'late-cur.jsonl'));
    expect(memory.metrics['duplicates.within']).toBeGreaterThan(10);
    expect(memory.metrics['duplicates.from_reference']).toBeGreaterThan(10);
    expect(comparable(streamed)).toEqual(comparable(memory));
    expect(sameMetrics(memory, streamed)).toEqual([]);
  });

  it('folders of files: rows, lines and findings per file', async () => {
    const rand = prng(5);
    const line = (): string => `${(Math.round((rand() * 6 - 3) * 100) / 100).toFixed(2)},${Math.floor(rand() * 4)},${['p', 'q'][Math.floor(rand() * 2)]},"note ${Math.floor(rand() * 30)}"`;
    const refDir = join(root, 'ref');
    const curDir = join(root, 'cur');
    mkdirSync(refDir);
    mkdirSync(curDir);
    const refLines: string[] = [];
    for (const f of ['a.csv', 'b.csv']) {
      const lines = Array.from({ length: 300 }, line);
      refLines.push(...lines);
      writeFileSync(join(refDir, f), `v,n,c,t\n${lines.join('\n')}\n`);
    }
    for (const [i, f] of ['a.csv', 'b.csv', 'c.csv'].entries()) {
      const lines = Array.from({ length: 250 }, (_, r) => (r % 40 === 7 ? (refLines[r * 2 + i] as string) : r % 25 === 3 ? '9.99,1,p,"note 1"' : line()));
      writeFileSync(join(curDir, f), `v,n,c,t\n${lines.join('\n')}\n`);
    }
    const [memory, streamed] = await both(refDir, curDir);
    const files = new Set(memory.findings.filter((f) => f.ruleId === RULES.RULE_DUPLICATE_ROWS || f.ruleId === RULES.RULE_ROWS_FROM_REFERENCE).map((f) => f.location.path));
    expect(files.size).toBe(3);
    expect(comparable(streamed)).toEqual(comparable(memory));
    expect(sameMetrics(memory, streamed)).toEqual([]);
  });

  it('gzip input and ragged, badly quoted rows: the same read problems and statistics', async () => {
    const rand = prng(9);
    const good = (): string => `${(rand() * 10).toFixed(3)},${Math.floor(rand() * 3)},${['u', 'v', 'w'][Math.floor(rand() * 3)]}`;
    const ref = ['a,b,c', ...Array.from({ length: 800 }, good)].join('\n');
    const curLines = ['a,b,c', ...Array.from({ length: 800 }, (_, i) => (i === 100 ? '1,2' : i === 200 ? '1,2,3,4' : i === 300 ? '"unterminated,5,u' : good()))];
    writeFileSync(join(root, 'rag-ref.csv.gz'), gzipSync(`${ref}\n`));
    writeFileSync(join(root, 'rag-cur.csv'), `${curLines.join('\n')}\n`);
    const [memory, streamed] = await both(join(root, 'rag-ref.csv.gz'), join(root, 'rag-cur.csv'));
    expect(memory.findings.filter((f) => f.ruleId === RULE_RAGGED_ROWS).length).toBeGreaterThan(0);
    expect(comparable(streamed)).toEqual(comparable(memory));
    expect(sameMetrics(memory, streamed)).toEqual([]);
  });

  it('an empty batch and an empty reference', async () => {
    writeFileSync(join(root, 'full.csv'), `v,c\n${Array.from({ length: 200 }, (_, i) => `${i % 17},${'ab'[i % 2]}`).join('\n')}\n`);
    writeFileSync(join(root, 'empty.csv'), 'v,c\n');
    for (const [ref, cur] of [
      ['full.csv', 'empty.csv'],
      ['empty.csv', 'full.csv'],
    ] as const) {
      // A budget of 131 values: the 1.3 KB file is estimated at 26 KB in memory.
      const [memory, streamed] = await both(join(root, ref), join(root, cur), 0.001);
      expect(comparable(streamed)).toEqual(comparable(memory));
      expect(sameMetrics(memory, streamed)).toEqual([]);
    }
  });
});
