import type { Finding, Metrics, PropertyValue } from '@aisec/core';
import { CellKind, type RowBatch } from '../readers/index';
import { MAX_LISTED_ROWS, firstRows } from '../gate/row-findings';
import { RULE_LABEL_FLIPPED_ROWS } from '../gate/rules';
import { type Calibration, MARGIN_LEVELS, type Suspicion, addExposure, addSuspect, calibrate, excessPvalue, pairTables, suspicionOf } from './confident-learning';
import type { LabelModel } from './label-model';
import { labelKeyOf } from './label-model-format';
import { LabelPosterior, POSTERIOR_DEFAULTS, type PosteriorOptions } from './label-posterior';

/**
 * Label flips row by row: every batch row is scored by the reference's class-conditional model, the
 * confident-learning suspects are kept (the first 1,000 per file, and the highest margins per label
 * pair), and the finding fires only when the batch has significantly and materially more suspects
 * than the reference predicts for rows like the batch's (a reference has natural label noise too, and
 * any model has suspects on clean data).
 */
export interface LabelFlipOptions {
  /** Significance of the excess, Bonferroni-corrected over the margin levels, the label pairs and the totals. */
  alpha: number;
  /** The batch's suspects must be at least this multiple of the expected count... */
  minRatio: number;
  /** ...and exceed it by at least this share of the scored rows... */
  minExcessShare: number;
  /** ...and by at least this many rows. */
  minExcessRows: number;
  /**
   * Share of the batch rows scored, from 0 to 1 (default 1, every row): scoring costs about a
   * microsecond a row, so on very large batches the gate scores a deterministic sample (by table row)
   * and says so. The test compares suspects with expectations among the scored rows alone, so it
   * stays valid; the rows listed are those of the sample.
   */
  sampleRate: number;
  posterior: PosteriorOptions;
}

export const LABEL_FLIP_DEFAULTS: LabelFlipOptions = { alpha: 0.001, minRatio: 1.25, minExcessShare: 0.005, minExcessRows: 5, sampleRate: 1, posterior: POSTERIOR_DEFAULTS };

/** Whether table row `index` is in a sample of `rate`: a hash of the index (murmur3's finalizer), so the sample spreads over the whole batch. */
export function inSample(index: number, rate: number): boolean {
  if (rate >= 1) return true;
  let x = Math.imul(index ^ (index / 4294967296), 0x9e3779b1);
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296 < rate;
}

/**
 * Highest-margin suspects kept per (given, suggested) pair, for the ranked list of likely flips: 1,000,
 * fewer when there are many labels, so that all pairs together keep at most about 50,000.
 */
function rankedPerPair(labels: number): number {
  const pairs = Math.max(labels * (labels - 1), 1);
  return Math.min(MAX_LISTED_ROWS, Math.max(20, Math.floor(50_000 / pairs)));
}

interface Suspect {
  file: string;
  row: number;
  margin: number;
}

interface FileSuspects {
  rows: number[];
  margins: number[];
  given: string[];
  suggested: string[];
  total: number;
  firstLine: number;
}

/** A min-heap on margin keeping the `k` largest. */
class TopMargins {
  readonly items: Suspect[] = [];
  constructor(readonly k: number) {}
  add(s: Suspect): void {
    const h = this.items;
    if (h.length < this.k) {
      h.push(s);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if ((h[p] as Suspect).margin <= s.margin) break;
        h[i] = h[p] as Suspect;
        i = p;
      }
      h[i] = s;
      return;
    }
    if (s.margin <= (h[0] as Suspect).margin) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as Suspect).margin < (h[l] as Suspect).margin ? r : l;
      if ((h[c] as Suspect).margin >= s.margin) break;
      h[i] = h[c] as Suspect;
      i = c;
    }
    h[i] = s;
  }
  /** Largest first; ties by file and row so the order is stable. */
  sorted(): Suspect[] {
    return [...this.items].sort((a, b) => b.margin - a.margin || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.row - b.row));
  }
}

export interface LabelFlipResult {
  findings: Finding[];
  metrics: Metrics;
  notes: string[];
}

interface PairFigures {
  given: string;
  suggested: string;
  suspects: number;
  expected: number;
  strongSuspects: number;
  strongExpected: number;
  referenceSuspects: number;
  excess: number;
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const sum = (a: Float64Array): number => a.reduce((t, x) => t + x, 0);

export class LabelFlipScanner {
  private readonly o: LabelFlipOptions;
  private readonly posterior: LabelPosterior | undefined;
  private readonly calibration: Calibration | undefined;
  private readonly unusable: string | undefined;
  private readonly L: number;
  /** Per margin level, per (given, suggested) pair. */
  private readonly pairSuspects: Float64Array[];
  private readonly exposure: Float64Array[];
  private readonly ranked: TopMargins[];
  private readonly files = new Map<string, FileSuspects>();
  private readonly p: Float64Array;
  private readonly cells: (number | string | null)[];
  private readonly s: Suspicion = { suggested: -1, margin: 0 };
  private scored = 0;
  private sampledOut = 0;
  private unlabeled = 0;
  private unknownLabel = 0;
  private readonly unknownExamples = new Set<string>();
  private noLabelColumn = 0;

  constructor(
    readonly model: LabelModel,
    options: Partial<LabelFlipOptions> = {},
  ) {
    this.o = { ...LABEL_FLIP_DEFAULTS, ...options, posterior: { ...POSTERIOR_DEFAULTS, ...options.posterior } };
    this.unusable = model.unusableReason();
    this.L = model.labels.length;
    this.pairSuspects = pairTables(this.L);
    this.exposure = pairTables(this.L);
    const perPair = rankedPerPair(this.L);
    this.ranked = Array.from({ length: this.L * this.L }, () => new TopMargins(perPair));
    this.p = new Float64Array(this.L);
    this.cells = Array.from({ length: model.data.columns.length }, (): number | string | null => null);
    if (this.unusable === undefined) {
      this.posterior = new LabelPosterior(model, this.o.posterior);
      if (this.posterior.features.length === 0) this.unusable = 'no column of the reference is usable as a feature (numeric, or categorical with few values)';
      else this.calibration = calibrate(this.posterior);
    }
  }

  push(batch: RowBatch): void {
    const posterior = this.posterior;
    const cal = this.calibration;
    if (!posterior || !cal || this.unusable !== undefined) return;
    const labelChunk = batch.data.find((d) => d.name === this.model.labelColumn);
    if (!labelChunk) {
      this.noLabelColumn += batch.length;
      return;
    }
    const byName = new Map(batch.data.map((d) => [d.name, d]));
    const features = posterior.features.map((f) => ({ column: f.column, chunk: byName.get(f.name) }));
    const L = this.L;
    const rate = this.o.sampleRate;
    for (let i = 0; i < batch.length; i++) {
      if (rate < 1 && !inSample(batch.tableRow + i, rate)) {
        this.sampledOut++;
        continue;
      }
      const key = labelKeyOf(labelChunk.kinds[i], labelChunk.numbers[i] as number, labelChunk.texts[i]);
      if (key === null) {
        this.unlabeled++;
        continue;
      }
      const given = posterior.labelIndex.get(key);
      if (given === undefined) {
        this.unknownLabel++;
        if (this.unknownExamples.size < 5) this.unknownExamples.add(key);
        continue;
      }
      for (const { column, chunk } of features) {
        let v: number | string | null = null;
        if (chunk) {
          const kind = chunk.kinds[i];
          if (kind === CellKind.Integer || kind === CellKind.Float) {
            const x = chunk.numbers[i] as number;
            // Far-out numbers stay: scoring clips them to the reference mean ± clipSd standard deviations.
            v = Number.isFinite(x) ? x : null;
          } else if (kind === CellKind.Text) v = chunk.texts[i] ?? '';
          else if (kind === CellKind.Boolean) v = chunk.numbers[i] === 1 ? 'true' : 'false';
        }
        this.cells[column] = v;
      }
      this.scored++;
      const p = posterior.posterior(this.cells, this.p);
      addExposure(p, cal.thresholds, this.exposure);
      suspicionOf(p, given, cal.thresholds, this.s);
      if (this.s.suggested < 0) continue;
      const pair = given * L + this.s.suggested;
      addSuspect(this.s, given, L, this.pairSuspects);
      const row = batch.rows[i] as number;
      (this.ranked[pair] as TopMargins).add({ file: batch.file, row, margin: this.s.margin });
      let f = this.files.get(batch.file);
      if (!f) {
        f = { rows: [], margins: [], given: [], suggested: [], total: 0, firstLine: batch.lines[i] as number };
        this.files.set(batch.file, f);
      }
      f.total++;
      if (f.rows.length < MAX_LISTED_ROWS) {
        f.rows.push(row);
        f.margins.push(round4(this.s.margin));
        f.given.push(posterior.labels[given] as string);
        f.suggested.push(posterior.labels[this.s.suggested] as string);
      }
    }
  }

  finish(): LabelFlipResult {
    const notes: string[] = [];
    const posterior = this.posterior;
    const cal = this.calibration;
    const label = this.model.labelColumn;
    if (!posterior || !cal || this.unusable !== undefined) {
      notes.push(`label flips not searched: ${this.unusable ?? 'the model could not be used'}`);
      return { findings: [], metrics: {}, notes };
    }
    const L = this.L;
    const labels = posterior.labels;
    // Tests: per margin level, the total and every pair the reference can say something about; a
    // stricter level is tested only where the reference shows it differs (when every suspect has a
    // margin of 0.5 anyway, it would repeat the first level's test and only cost power).
    const refTotal = cal.exposure.map(sum);
    const tested = (level: number, at: number): boolean => {
      const e = at < 0 ? (refTotal[level] as number) : ((cal.exposure[level] as Float64Array)[at] as number);
      if (!(e > 0) || (at >= 0 && Math.floor(at / L) === at % L)) return false;
      const coarser = level === 0 ? Infinity : at < 0 ? (refTotal[level - 1] as number) : ((cal.exposure[level - 1] as Float64Array)[at] as number);
      return e < coarser * (1 - 1e-9);
    };
    let tests = 0;
    for (let level = 0; level < MARGIN_LEVELS.length; level++) for (let at = -1; at < L * L; at++) if (tested(level, at)) tests++;
    const minExcess = Math.max(this.o.minExcessRows, this.o.minExcessShare * this.scored);
    const material = (k: number, expected: number): boolean => k >= this.o.minRatio * expected && k - expected >= minExcess;
    let minP = 1;
    let fires = false;
    /** Per level, per pair: the suspects expected in the batch (exposure × the reference's suspects per exposure). */
    const expected = MARGIN_LEVELS.map((_, level) => {
      const kR = cal.suspects[level] as Float64Array;
      const eR = cal.exposure[level] as Float64Array;
      const eB = this.exposure[level] as Float64Array;
      const kB = this.pairSuspects[level] as Float64Array;
      const ratio = sum(eR) > 0 ? sum(kR) / sum(eR) : 1;
      const out = new Float64Array(L * L);
      for (let at = 0; at < L * L; at++) {
        if (Math.floor(at / L) === at % L) continue;
        out[at] = (eB[at] as number) * ((eR[at] as number) > 0 ? (kR[at] as number) / (eR[at] as number) : ratio);
        const pvalue = tested(level, at) ? Math.min(1, excessPvalue(kB[at] as number, eB[at] as number, kR[at] as number, eR[at] as number) * tests) : 1;
        minP = Math.min(minP, pvalue);
        fires ||= pvalue < this.o.alpha && material(kB[at] as number, out[at] as number);
      }
      const overallP = tested(level, -1) ? Math.min(1, excessPvalue(sum(kB), sum(eB), sum(kR), sum(eR)) * tests) : 1;
      minP = Math.min(minP, overallP);
      fires ||= overallP < this.o.alpha && material(sum(kB), sum(out));
      return out;
    });
    const all = this.pairSuspects[0] as Float64Array;
    const expectedAll = expected[0] as Float64Array;
    const suspects = sum(all);
    const expectedTotal = sum(expectedAll);
    // Per pair, the excess at whichever level shows more of it (flips of sure rows show in the strong level).
    const pairExcess = Array.from({ length: L * L }, (_, at) => Math.max(0, ...MARGIN_LEVELS.map((__, level) => ((this.pairSuspects[level] as Float64Array)[at] as number) - ((expected[level] as Float64Array)[at] as number))));
    const excess = pairExcess.reduce((t, x) => t + x, 0);
    const pairs: PairFigures[] = [];
    for (let at = 0; at < L * L; at++) {
      const i = Math.floor(at / L);
      const j = at % L;
      if (i === j || ((all[at] as number) === 0 && ((cal.suspects[0] as Float64Array)[at] as number) === 0)) continue;
      pairs.push({
        given: labels[i] as string,
        suggested: labels[j] as string,
        suspects: all[at] as number,
        expected: expectedAll[at] as number,
        strongSuspects: (this.pairSuspects[1] as Float64Array)[at] as number,
        strongExpected: (expected[1] as Float64Array)[at] as number,
        referenceSuspects: (cal.suspects[0] as Float64Array)[at] as number,
        excess: pairExcess[at] as number,
      });
    }
    const refSuspectsTotal = sum(cal.suspects[0] as Float64Array);

    const metrics: Metrics = {
      'poisoning.label_flip.rows_scored': this.scored,
      'poisoning.label_flip.rows_not_sampled': this.sampledOut,
      'poisoning.label_flip.suspects': suspects,
      'poisoning.label_flip.strong_suspects': sum(this.pairSuspects[1] as Float64Array),
      'poisoning.label_flip.rate': this.scored > 0 ? suspects / this.scored : 0,
      'poisoning.label_flip.reference_rate': cal.rows > 0 ? refSuspectsTotal / cal.rows : 0,
      'poisoning.label_flip.reference_rows': cal.rows,
      'poisoning.label_flip.expected': expectedTotal,
      'poisoning.label_flip.excess': excess,
      'poisoning.label_flip.pvalue': minP,
    };
    const used = posterior.uses.filter((u) => u.role !== 'unused').map((u) => `${u.column} (${u.role})`);
    const unused = posterior.uses.filter((u) => u.role === 'unused').map((u) => `${u.column}: ${u.reason ?? ''}`);
    notes.push(`label flips: '${label}' predicted from ${used.join(', ')}${unused.length > 0 ? `; not used: ${unused.join('; ')}` : ''}; thresholds and the reference's own suspect rate from ${cal.rows} reference rows${this.model.data.rows > cal.rows ? ` (a hash sample of ${this.model.data.rows})` : ''}, leave-one-out`);
    if (this.model.data.featureOverflow) notes.push(`label flips: only the first ${this.model.data.options.maxFeatures} feature columns were modelled`);
    if (this.sampledOut > 0) notes.push(`label flips: scored a deterministic sample of ${this.scored} batch rows (${this.sampledOut} others not scored, to bound the time on a large batch): the rows listed are flips among the sample`);
    if (this.unknownLabel > 0) notes.push(`label flips: ${this.unknownLabel} batch rows carry a label the reference never had (${[...this.unknownExamples].map((e) => JSON.stringify(e)).join(', ')}) and were not scored`);
    if (posterior.uncorrelatedRows > 0) notes.push(`label flips: ${posterior.uncorrelatedRows} rows (reference sample and batch) had a missing-value pattern past the first 1024 and were scored without correlations`);
    if (this.unlabeled > 0) notes.push(`label flips: ${this.unlabeled} batch rows have no '${label}' value and were not scored`);
    if (this.noLabelColumn > 0) notes.push(`label flips: ${this.noLabelColumn} batch rows come from files without the '${label}' column and were not scored`);
    if (!fires) return { findings: [], metrics, notes };

    // The likely flips: per pair, as many of its highest-margin suspects as it has in excess.
    const likely: Suspect[] = [];
    for (let at = 0; at < L * L; at++) likely.push(...(this.ranked[at] as TopMargins).sorted().slice(0, Math.round(pairExcess[at] as number)));
    likely.sort((a, b) => b.margin - a.margin || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.row - b.row));
    const thresholds: Record<string, PropertyValue> = Object.fromEntries(labels.map((l, j) => [l, round4(cal.thresholds[j] as number)]));
    const pairProps: Record<string, PropertyValue> = Object.fromEntries(
      pairs.map((p) => [`${p.given}->${p.suggested}`, { suspects: p.suspects, expected: round4(p.expected), strong_suspects: p.strongSuspects, strong_expected: round4(p.strongExpected), reference_suspects: p.referenceSuspects }]),
    );
    const worst = [...pairs].sort((a, b) => b.excess - a.excess)[0];
    const findings: Finding[] = [];
    for (const [file, f] of this.files) {
      const likelyHere = likely.filter((s) => s.file === file).map((s) => s.row);
      findings.push({
        ruleId: RULE_LABEL_FLIPPED_ROWS,
        severity: 'high',
        message:
          `${f.total} row${f.total === 1 ? '' : 's'} look${f.total === 1 ? 's' : ''} label-flipped: the reference's model of '${label}' confidently predicts another label (confident learning). ` +
          `The batch has ${suspects} such rows where the reference predicts ${expectedTotal.toFixed(0)} (p-value ${minP.toExponential(2)}), about ${Math.round(excess)} too many` +
          `${worst ? `, most of them labelled ${worst.given} but looking like ${worst.suggested} (${worst.suspects} where ${worst.expected.toFixed(0)} were expected)` : ''}; ` +
          `review first rows ${firstRows(likelyHere.length > 0 ? likelyHere : f.rows)}`,
        location: { path: file, ...(f.firstLine > 0 ? { line: f.firstLine } : {}) },
        evidence: `label flips ${label}`,
        properties: {
          label_column: label,
          rows: f.rows,
          rows_total: f.total,
          margins: f.margins,
          given: f.given,
          suggested: f.suggested,
          likely_rows: likelyHere.slice(0, MAX_LISTED_ROWS),
          likely_total: likelyHere.length,
          suspects,
          expected: round4(expectedTotal),
          excess: round4(excess),
          pvalue: minP,
          thresholds,
          pairs: pairProps,
        },
      });
    }
    return { findings, metrics, notes };
  }
}
