import { resolve } from 'node:path';
import type { GateBinding, OptionValues } from '@aisec/core';
import type { TextEncoding } from '../readers/index';
import { dataGateSummary } from '../summary/drift-summary';
import { DEFAULT_DRIFT, DEFAULT_OUTLIERS, type DataGateOptions, dataGate } from './gate';
import type { OutlierMethod } from './outlier-check';
import { inferSubcommand, profileSubcommand } from './subcommands';
import { DEFAULT_MEMORY_MB } from '../exact-stream/memory-estimate';

function text(values: OptionValues, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function list(values: OptionValues, key: string): string[] {
  const v = values[key];
  return Array.isArray(v) ? v.filter((x) => x !== '') : [];
}

function num(values: OptionValues, key: string, fallback: number): number {
  const v = values[key];
  return typeof v === 'number' ? v : fallback;
}

/** The option schema: action inputs, `.aisec.yml` keys and CLI flags at once. */
export const dataGateBinding: GateBinding<DataGateOptions> = {
  gate: dataGate,
  options: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reference: { type: 'string', description: 'The trusted reference: a data file (.csv, .tsv, .jsonl, .parquet, optionally .gz), a folder of them, or a profile written by `aisec data-gate profile`.' },
      current: { type: 'string', description: 'The incoming batch to gate: a data file or a folder of data files.' },
      contract: { type: 'string', description: 'A data contract (YAML or JSON). Without one, the batch is checked against a contract inferred from the reference.' },
      manifest: { type: 'array', items: { type: 'string' }, description: 'sha256 manifests (`<sha256>  <path>` lines, as sha256sum writes them) whose files must match.' },
      dvc: { type: 'array', items: { type: 'string' }, description: 'DVC files (`.dvc`, `dvc.lock`) whose tracked files and directories must match.' },
      'drift-test': { type: 'string', enum: ['default', 'evidently'], description: "How a column's drift is decided: `default` (p-value at alpha on small samples, effect size on large ones) or `evidently` (Evidently's automatic choice by size and cardinality).", default: 'default' },
      alpha: { type: 'number', minimum: 0, maximum: 1, description: 'Significance level of the drift tests on small samples.', default: DEFAULT_DRIFT.alpha },
      'effect-threshold': { type: 'number', minimum: 0, description: 'Effect size (Wasserstein / reference std for numbers, Jensen-Shannon distance for categories) at which a column drifts on large samples.', default: DEFAULT_DRIFT.effectThreshold },
      'large-sample-rows': { type: 'integer', minimum: 1, description: 'Both sides above this many values: effect size decides instead of the p-value.', default: DEFAULT_DRIFT.largeSampleRows },
      'drift-share': { type: 'number', minimum: 0, maximum: 1, description: 'Share of drifted columns at which the dataset counts as drifted (a high finding).', default: DEFAULT_DRIFT.driftShare },
      'outlier-method': { type: 'string', enum: ['zscore', 'iqr', 'mad', 'none'], description: 'Outlier rule for numeric columns.', default: DEFAULT_OUTLIERS.method },
      'outlier-fit': { type: 'string', enum: ['reference', 'current'], description: 'Fit the outlier rule on the trusted reference (robust to masking) or on the batch itself.', default: DEFAULT_OUTLIERS.fit },
      'z-threshold': { type: 'number', minimum: 0, description: 'z-score outlier threshold (|x - mean| / std > it).', default: DEFAULT_OUTLIERS.zThreshold },
      'iqr-factor': { type: 'number', minimum: 0, description: 'IQR outlier factor k (outside [Q1 - k*IQR, Q3 + k*IQR]).', default: DEFAULT_OUTLIERS.iqrFactor },
      'mad-threshold': { type: 'number', minimum: 0, description: 'MAD outlier threshold (|0.6745 (x - median) / MAD| > it).', default: DEFAULT_OUTLIERS.madThreshold },
      'label-column': { type: 'string', description: 'The label column for the poisoning signals. Default: a column named label, target, y or class.' },
      'id-columns': { type: 'array', items: { type: 'string' }, description: 'Columns left out of drift and of row comparisons. Default: columns named like ids (id, *_id, key, uuid, guid).' },
      'source-column': { type: 'string', description: "The column naming each row's source, for the concentration check. Default: a column named source, origin, annotator, contributor, domain, host, url, author or submitter." },
      poisoning: { type: 'boolean', description: 'Run the poisoning signals (label shift, drift within labels, label flips row by row, trigger tokens, source concentration, formula injection, control characters, homoglyphs).', default: true },
      delimiter: { type: 'string', description: 'CSV delimiter (one character); sniffed when absent.' },
      'memory-mb': {
        type: 'integer',
        minimum: 64,
        description: 'Memory budget of the file-against-file comparison, in MB. Inputs estimated to need more (about 20 times their CSV or JSON Lines size) are streamed instead of read whole: sorted columns are spilled to a temporary folder and the statistics stay exact.',
        default: DEFAULT_MEMORY_MB,
      },
      encoding: { type: 'string', enum: ['utf-8', 'utf-16le', 'utf-16be', 'latin1'], description: 'Text encoding of CSV/TSV/JSON Lines files (a UTF-16 byte-order mark wins).', default: 'utf-8' },
    },
  },
  toOptions(values, ctx) {
    const at = (key: string): string | undefined => {
      const v = text(values, key);
      return v === undefined ? undefined : resolve(ctx.workspace, v);
    };
    const reference = at('reference');
    const current = at('current');
    const contract = at('contract');
    const label = text(values, 'label-column');
    const source = text(values, 'source-column');
    const ids = list(values, 'id-columns');
    const delimiter = text(values, 'delimiter');
    return {
      ...(reference !== undefined ? { reference } : {}),
      ...(current !== undefined ? { current } : {}),
      ...(contract !== undefined ? { contract } : {}),
      provenance: [...list(values, 'manifest'), ...list(values, 'dvc')].map((p) => resolve(ctx.workspace, p)),
      drift: {
        driftTest: values['drift-test'] === 'evidently' ? 'evidently' : 'default',
        driftShare: num(values, 'drift-share', DEFAULT_DRIFT.driftShare),
        alpha: num(values, 'alpha', DEFAULT_DRIFT.alpha),
        effectThreshold: num(values, 'effect-threshold', DEFAULT_DRIFT.effectThreshold),
        largeSampleRows: num(values, 'large-sample-rows', DEFAULT_DRIFT.largeSampleRows),
      },
      outliers: {
        method: (text(values, 'outlier-method') ?? DEFAULT_OUTLIERS.method) as OutlierMethod,
        fit: values['outlier-fit'] === 'current' ? 'current' : 'reference',
        zThreshold: num(values, 'z-threshold', DEFAULT_OUTLIERS.zThreshold),
        iqrFactor: num(values, 'iqr-factor', DEFAULT_OUTLIERS.iqrFactor),
        madThreshold: num(values, 'mad-threshold', DEFAULT_OUTLIERS.madThreshold),
      },
      ...(label !== undefined ? { labelColumn: label } : {}),
      ...(source !== undefined ? { sourceColumn: source } : {}),
      ...(ids.length > 0 ? { idColumns: ids } : {}),
      poisoning: values.poisoning !== false,
      memoryMb: num(values, 'memory-mb', DEFAULT_MEMORY_MB),
      read: {
        ...(delimiter !== undefined ? { delimiter } : {}),
        ...(text(values, 'encoding') !== undefined ? { encoding: text(values, 'encoding') as TextEncoding } : {}),
      },
    };
  },
  subcommands: [profileSubcommand, inferSubcommand],
  summary: dataGateSummary,
};
