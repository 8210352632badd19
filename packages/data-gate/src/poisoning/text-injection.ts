import type { Finding, Metrics } from '@aisec/core';
import { RowCollector, firstRows, rowFindings } from '../gate/row-findings';
import { InternedVerdicts } from '../contract/interned-verdicts';
import { kindsPresent } from '../readers/kinds-present';
import { CellKind, type ColumnChunk, type RowBatch } from '../readers/index';
import { RULE_CONTROL_CHARACTERS, RULE_FORMULA_INJECTION, RULE_HOMOGLYPHS } from '../gate/rules';
import type { ScannedTable } from '../gate/table-scan';

/**
 * Text that is dangerous or deceptive whatever the distribution says: cells a spreadsheet would run
 * as a formula (OWASP "CSV injection"), invisible and bidirectional control characters, and words
 * mixing Latin with look-alike Cyrillic or Greek letters.
 */

/** `=`, `@`, tab and CR always start a formula; `+` and `-` do when a call, a reference or an operator follows. */
export function isFormulaLike(text: string): boolean {
  const c = text.charCodeAt(0);
  if (c === 0x3d || c === 0x40 || c === 0x09 || c === 0x0d) return true;
  if (c === 0x2b || c === 0x2d) return /^[+-][^\s]*[(!|=@]|^[+-][+\-=@]/.test(text);
  return false;
}

/** C0 (but tab, LF, CR), DEL and C1, zero-width, word joiner, BOM, bidi embeddings/overrides and isolates. */
function isControl(c: number): boolean {
  return (
    (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) ||
    (c >= 0x7f && c <= 0x9f) ||
    (c >= 0x200b && c <= 0x200d) ||
    c === 0x2060 ||
    c === 0xfeff ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}

function firstControl(text: string): number {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return i;
  return -1;
}

export function hasControlCharacters(text: string): boolean {
  return firstControl(text) !== -1;
}

const WORD = /[\p{L}\p{M}]+/gu;
const LATIN = /\p{Script=Latin}/u;
const LOOKALIKE = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;

/** The first word that mixes Latin letters with Cyrillic or Greek ones, if any. */
export function mixedScriptWord(text: string): string | undefined {
  if (!LOOKALIKE.test(text)) return undefined;
  for (const m of text.matchAll(WORD)) if (LATIN.test(m[0]) && LOOKALIKE.test(m[0])) return m[0];
  return undefined;
}

/**
 * Text none of the checks can flag: printable ASCII (no control character, no Cyrillic or Greek)
 * not starting with a formula character. Nearly every cell is like that, and this look at its
 * characters is far cheaper than the three checks, whose regular expressions run only on the rest.
 */
function plainAscii(text: string): boolean {
  const c0 = text.charCodeAt(0);
  if (c0 === 0x3d || c0 === 0x40 || c0 === 0x2b || c0 === 0x2d) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function describeControl(text: string): string {
  const i = firstControl(text);
  return i === -1 ? '' : `U+${text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
}

function clip(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

type Group = { file: string; rows: number[]; total: number };
const cells = (g: Group): string => `${g.total} cell${g.total === 1 ? '' : 's'}`;
const holds = (g: Group): string => `hold${g.total === 1 ? 's' : ''}`;

function formulaFinding(name: string, example: string, g: Group): Finding {
  return {
    ruleId: RULE_FORMULA_INJECTION,
    severity: 'high',
    message: `${cells(g)} of '${name}' would run as a spreadsheet formula, e.g. ${clip(example)} (rows ${firstRows(g.rows)})`,
    location: { path: g.file },
    evidence: `formula injection ${name}`,
    properties: { column: name, example: example.slice(0, 200) },
  };
}

function controlFinding(name: string, example: string, g: Group): Finding {
  return {
    ruleId: RULE_CONTROL_CHARACTERS,
    severity: 'medium',
    message: `${cells(g)} of '${name}' ${holds(g)} invisible or bidirectional control characters (first: ${example}; rows ${firstRows(g.rows)})`,
    location: { path: g.file },
    evidence: `control characters ${name}`,
    properties: { column: name, example },
  };
}

function homoglyphFinding(name: string, example: string, g: Group): Finding {
  return {
    ruleId: RULE_HOMOGLYPHS,
    severity: 'medium',
    message: `${cells(g)} of '${name}' ${holds(g)} words mixing Latin with Cyrillic or Greek letters, e.g. ${clip(example)} (rows ${firstRows(g.rows)})`,
    location: { path: g.file },
    evidence: `homoglyphs ${name}`,
    properties: { column: name, example },
  };
}

interface ColumnScan {
  formula: RowCollector;
  control: RowCollector;
  homoglyph: RowCollector;
  examples: [string, string, string];
}

// Verdict bits on one interned text (InternedVerdicts): decided once, then every repeat is an index.
const VERDICT_CLEAN = 1;
const VERDICT_FORMULA = 2;
const VERDICT_CONTROL = 4;
const VERDICT_HOMOGLYPH = 8;

/** The checks on one text, as VERDICT_* bits (CLEAN when none applies). */
function judge(t: string): number {
  if (t === '' || plainAscii(t)) return VERDICT_CLEAN;
  let verdict = 0;
  if (isFormulaLike(t)) verdict |= VERDICT_FORMULA;
  if (hasControlCharacters(t)) verdict |= VERDICT_CONTROL;
  if (mixedScriptWord(t) !== undefined) verdict |= VERDICT_HOMOGLYPH;
  return verdict === 0 ? VERDICT_CLEAN : verdict;
}

/**
 * The same checks on batches as they stream past (the profile mode never holds the batch). A text the
 * reader interned (ColumnChunk `codes`) is judged once per column and file; every other text cell
 * is judged where it stands.
 */
export class TextInjectionScanner {
  /** Columns with at least one flagged cell, in the order their first one was seen (the findings' order). */
  private readonly columns = new Map<string, ColumnScan>();
  private readonly verdicts = new Map<string, InternedVerdicts>();

  push(batch: RowBatch): void {
    const n = batch.length;
    for (const chunk of batch.data) {
      if ((kindsPresent(chunk.kinds, n) & (1 << CellKind.Text)) === 0) continue;
      let cache: Uint8Array | undefined;
      if (chunk.codes !== undefined && chunk.dictionary !== undefined) {
        let v = this.verdicts.get(chunk.name);
        if (!v) {
          v = new InternedVerdicts();
          this.verdicts.set(chunk.name, v);
        }
        cache = v.of(chunk, batch.file);
      }
      if (cache !== undefined) this.scanInterned(batch, chunk, cache);
      else this.scanCells(batch, chunk);
    }
  }

  /**
   * A chunk with codes: each id's verdict is decided once, and a clean one needs no look at the kind
   * (only text is ever flagged), so the common cell reads one id and one byte.
   */
  private scanInterned(batch: RowBatch, chunk: ColumnChunk, cache: Uint8Array): void {
    const codes = chunk.codes as Int32Array;
    const kinds = chunk.kinds;
    const texts = chunk.texts;
    const held = cache.length;
    const n = batch.length;
    for (let i = 0; i < n; i++) {
      const code = codes[i] as number;
      let verdict: number;
      if (code >= 0 && code < held) {
        verdict = cache[code] as number;
        if (verdict === VERDICT_CLEAN || kinds[i] !== CellKind.Text) continue;
        if (verdict === 0) cache[code] = verdict = judge(texts[i] ?? '');
      } else {
        // Not interned (not text, or free text past the reader's bounds).
        const t = texts[i];
        if (kinds[i] !== CellKind.Text || !t) continue;
        verdict = judge(t);
      }
      if (verdict !== VERDICT_CLEAN) this.flag(chunk.name, batch, i, texts[i] ?? '', verdict);
    }
  }

  /** A chunk without codes: every text cell judged where it stands. */
  private scanCells(batch: RowBatch, chunk: ColumnChunk): void {
    const kinds = chunk.kinds;
    const texts = chunk.texts;
    for (let i = 0; i < batch.length; i++) {
      if (kinds[i] !== CellKind.Text) continue;
      const t = texts[i];
      if (!t) continue;
      const verdict = judge(t);
      if (verdict !== VERDICT_CLEAN) this.flag(chunk.name, batch, i, t, verdict);
    }
  }

  /** Adds a flagged cell to its column's rows; the first cell of each signal gives that signal's example. */
  private flag(name: string, batch: RowBatch, i: number, t: string, verdict: number): void {
    let s = this.columns.get(name);
    if (!s) {
      s = { formula: new RowCollector(), control: new RowCollector(), homoglyph: new RowCollector(), examples: ['', '', ''] };
      this.columns.set(name, s);
    }
    const row = batch.rows[i] as number;
    const line = batch.lines[i] as number;
    if ((verdict & VERDICT_FORMULA) !== 0) {
      if (s.formula.total === 0) s.examples[0] = t;
      s.formula.add(batch.file, row, line);
    }
    if ((verdict & VERDICT_CONTROL) !== 0) {
      if (s.control.total === 0) s.examples[1] = describeControl(t);
      s.control.add(batch.file, row, line);
    }
    if ((verdict & VERDICT_HOMOGLYPH) !== 0) {
      if (s.homoglyph.total === 0) s.examples[2] = mixedScriptWord(t) ?? '';
      s.homoglyph.add(batch.file, row, line);
    }
  }

  finish(): { findings: Finding[]; metrics: Metrics } {
    const findings: Finding[] = [];
    const metrics: Metrics = { 'poisoning.formula_cells': 0, 'poisoning.control_character_cells': 0, 'poisoning.homoglyph_cells': 0 };
    for (const [name, s] of this.columns) {
      metrics['poisoning.formula_cells'] = (metrics['poisoning.formula_cells'] ?? 0) + s.formula.total;
      metrics['poisoning.control_character_cells'] = (metrics['poisoning.control_character_cells'] ?? 0) + s.control.total;
      metrics['poisoning.homoglyph_cells'] = (metrics['poisoning.homoglyph_cells'] ?? 0) + s.homoglyph.total;
      findings.push(...s.formula.findings((g) => formulaFinding(name, s.examples[0], g)), ...s.control.findings((g) => controlFinding(name, s.examples[1], g)), ...s.homoglyph.findings((g) => homoglyphFinding(name, s.examples[2], g)));
    }
    return { findings, metrics };
  }
}

export function checkTextInjection(current: ScannedTable): { findings: Finding[]; metrics: Metrics } {
  const findings: Finding[] = [];
  let formula = 0;
  let control = 0;
  let homoglyph = 0;
  for (const name of current.columns) {
    const col = current.byName.get(name);
    if (!col) continue;
    const f: number[] = [];
    const c: number[] = [];
    const h: number[] = [];
    let fExample = '';
    let cExample = '';
    let hExample = '';
    for (let r = 0; r < col.texts.length; r++) {
      const t = col.texts[r];
      if (t === null || t === undefined || t === '' || plainAscii(t)) continue;
      if (isFormulaLike(t)) {
        if (f.length === 0) fExample = t;
        f.push(r);
      }
      if (hasControlCharacters(t)) {
        if (c.length === 0) cExample = describeControl(t);
        c.push(r);
      }
      const w = mixedScriptWord(t);
      if (w !== undefined) {
        if (h.length === 0) hExample = w;
        h.push(r);
      }
    }
    formula += f.length;
    control += c.length;
    homoglyph += h.length;
    findings.push(
      ...rowFindings(current, f, (g) => formulaFinding(name, fExample, g)),
      ...rowFindings(current, c, (g) => controlFinding(name, cExample, g)),
      ...rowFindings(current, h, (g) => homoglyphFinding(name, hExample, g)),
    );
  }
  return { findings, metrics: { 'poisoning.formula_cells': formula, 'poisoning.control_character_cells': control, 'poisoning.homoglyph_cells': homoglyph } };
}
