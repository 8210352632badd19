import { type Finding, type Gate, type GateContext, type Metrics, type Report, UserError, buildReport, workspaceRelative } from '@aisec/core';
import { ContractChecker, ContractInferrer, contractFindings, contractMetrics, loadContract } from '../contract/index';
import { checkNearDuplicates } from '../poisoning/near-duplicates';
import { LabelFlipPass, checkLabelShift, checkSourceConcentration, checkTextInjection, checkTriggers } from '../poisoning/index';
import { provenanceMetrics, verifyProvenance } from '../provenance/index';
import { type ReadTableOptions, type TextEncoding, readProblemFindings, readTable } from '../readers/index';
import { columnRoles, isIdName, pickLabelColumn, pickSourceColumn } from './column-roles';
import { checkDrift, type DriftOptions } from './drift-check';
import { checkDuplicates } from './duplicate-check';
import { checkOutliers, type OutlierOptions } from './outlier-check';
import { DATA_GATE_RULES } from './rules';
import { type ScannedTable, scanTable } from './table-scan';
import { isProfileFile } from '../profile/profile-format';
import { runAgainstProfile } from '../profile/profile-gate';
import { DEFAULT_MEMORY_MB, estimatedInMemoryBytes } from '../exact-stream/memory-estimate';
import { runExactStreaming } from '../exact-stream/stream-gate';

export const DATA_GATE_VERSION = '0.1.0';
/** Rows (reference plus batch) up to which the near-duplicate search runs in file-against-file mode. */
export const NEAR_DUPLICATE_MAX_ROWS = 400_000;

export interface DataGateOptions {
  /** Absolute path of the trusted reference: a data file, a folder of data files, or a profile (.json). */
  reference?: string;
  /** Absolute path of the incoming batch: a data file or a folder. */
  current?: string;
  /** Absolute path of a data contract; without one, the contract is inferred from the reference. */
  contract?: string;
  /** sha256 manifests and DVC files (.dvc, dvc.lock) to verify, absolute. */
  provenance: string[];
  drift: DriftOptions;
  outliers: OutlierOptions;
  /** Label column for the poisoning signals; default a column named label, target, y or class. */
  labelColumn?: string;
  /** Columns left out of drift and row comparisons; default those named like ids (id, *_id, key, uuid). */
  idColumns?: string[];
  /** Column naming each row's source, for concentration; default a column named source, origin, annotator… */
  sourceColumn?: string;
  /** Poisoning signals (label shift, triggers, sources, text injection). Default true. */
  poisoning: boolean;
  read: ReadTableOptions;
  /**
   * Memory budget of the file-against-file mode, in MB (default 1024). Inputs whose estimated
   * in-memory size (from their file sizes) is within it are read whole; larger ones are streamed, with
   * sorted columns spilled to a temporary folder, and give the same statistics.
   */
  memoryMb?: number;
}

export const DEFAULT_DRIFT: Required<DriftOptions> = { driftTest: 'default', driftShare: 0.5, alpha: 0.05, effectThreshold: 0.1, largeSampleRows: 1000 };
export const DEFAULT_OUTLIERS: OutlierOptions = { method: 'zscore', fit: 'reference', zThreshold: 3, iqrFactor: 1.5, madThreshold: 3.5 };

async function scanSide(path: string, read: ReadTableOptions, ctx: GateContext, label: string, onBatch?: Parameters<typeof scanTable>[2]): Promise<ScannedTable> {
  const started = performance.now();
  const table = await scanTable(readTable(path, read, ctx), ctx.signal, onBatch);
  ctx.logger.debug(`${label}: ${table.rows} rows, ${table.columns.length} columns in ${Math.round(performance.now() - started)} ms`);
  return table;
}

/**
 * data-gate's check: provenance of the files, the batch against a contract (given, or inferred from
 * the reference), per-column drift and dataset drift against the reference, outliers fitted on the
 * reference, duplicate and copied rows, and the poisoning signals.
 */
export async function runDataGate(options: DataGateOptions, ctx: GateContext): Promise<Report> {
  const timings: Record<string, number> = {};
  const notes: string[] = [];
  const findings: Finding[] = [];
  const metrics: Metrics = {};
  const time = async <T>(phase: string, work: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      timings[phase] = Math.round(performance.now() - t);
    }
  };

  if (options.provenance.length > 0) {
    const result = await time('provenance', () => verifyProvenance(options.provenance, ctx));
    findings.push(...result.findings);
    Object.assign(metrics, provenanceMetrics(result));
  }
  if (options.reference === undefined && options.current === undefined) {
    if (options.provenance.length === 0) notes.push('no reference and current data given (options reference and current): nothing was checked');
    return buildReport({ gate: 'data-gate', version: DATA_GATE_VERSION, findings, metrics, timings, notes }, DATA_GATE_RULES);
  }
  if (options.reference === undefined || options.current === undefined) {
    throw new UserError(`data-gate needs both a reference and a current dataset; got only ${options.reference === undefined ? 'current' : 'reference'}`, {
      key: options.reference === undefined ? 'reference' : 'current',
      hint: 'pass --reference REF --current CUR (or set both in the data-gate section of .aisec.yml)',
    });
  }

  if (isProfileFile(options.reference)) return runAgainstProfile(options, ctx, { findings, metrics, notes, timings });
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  const estimated = estimatedInMemoryBytes([options.reference, options.current], ctx.limits.maxEntries);
  if (estimated > memoryMb * 1024 * 1024) {
    ctx.logger.info(`reference and batch estimated at ${Math.round(estimated / 1048576)} MB in memory, above memory-mb ${memoryMb}: streaming them, with sorted columns spilled to a temporary folder`);
    return runExactStreaming(options, ctx, { findings, metrics, notes, timings }, memoryMb, DATA_GATE_VERSION);
  }

  const contractPath = options.contract;
  const contract = contractPath ? loadContract(contractPath, workspaceRelative(ctx.workspace, contractPath)) : undefined;
  const inferrer = contract ? undefined : new ContractInferrer();
  const flips = options.poisoning ? new LabelFlipPass(options) : undefined;
  const reference = await time('read.reference', () =>
    scanSide(options.reference as string, options.read, ctx, 'reference', (b) => {
      inferrer?.push(b);
      flips?.reference(b);
    }),
  );
  const checker = new ContractChecker(contract ?? (inferrer as ContractInferrer).finish());
  if (!contract) notes.push('no contract given: the batch was checked against a contract inferred from the reference (column set, types, nullability, categories of low-cardinality text, unique ids)');
  const current = await time('read.current', () =>
    scanSide(options.current as string, options.read, ctx, 'current', (b) => {
      checker.push(b);
      flips?.current(b);
    }),
  );
  metrics['rows.reference'] = reference.rows;
  metrics['rows.current'] = current.rows;
  metrics['columns.reference'] = reference.columns.length;
  metrics['columns.current'] = current.columns.length;

  findings.push(...readProblemFindings([...reference.problems, ...current.problems]));
  const violations = checker.finish();
  findings.push(...contractFindings(violations));
  Object.assign(metrics, contractMetrics(violations));

  const idColumns = new Set(options.idColumns ?? reference.columns.filter(isIdName));
  const roles = columnRoles(reference, idColumns);
  const labelColumn = pickLabelColumn(reference.columns, options.labelColumn);
  if (options.labelColumn && !reference.byName.has(options.labelColumn)) {
    throw new UserError(`label column '${options.labelColumn}' is not in the reference (${reference.files[0] ?? ''})`, { key: 'label-column', hint: `columns: ${reference.columns.join(', ')}` });
  }

  const drift = await time('drift', () => checkDrift(reference, current, roles, options.drift));
  findings.push(...drift.findings);
  Object.assign(metrics, drift.metrics);
  notes.push(...drift.notes);

  if (current.rows > 0 && reference.rows > 0) {
    const outliers = await time('outliers', () => checkOutliers(reference, current, roles, labelColumn, options.outliers));
    findings.push(...outliers.findings);
    Object.assign(metrics, outliers.metrics);

    const keys = reference.columns.filter((c) => !idColumns.has(c));
    const dups = await time('duplicates', () => checkDuplicates(reference, current, keys));
    findings.push(...dups.findings);
    Object.assign(metrics, dups.metrics);
    if (options.poisoning && reference.rows + current.rows > NEAR_DUPLICATE_MAX_ROWS) {
      notes.push(`near-duplicates not searched: the reference and batch have more than ${NEAR_DUPLICATE_MAX_ROWS} rows together (MinHash signatures and LSH buckets of every row are held in memory)`);
    } else if (options.poisoning) {
      const near = await time('near-duplicates', () => checkNearDuplicates(reference, current, keys, roles, dups.currentHashes, dups.referenceHashes));
      findings.push(...near.findings);
      Object.assign(metrics, near.metrics);
    }
  }

  if (options.poisoning) {
    await time('poisoning', () => {
      if (labelColumn && current.byName.has(labelColumn)) {
        const drifted = new Set(drift.rows.filter((r) => r.drift).map((r) => r.column));
        const shift = checkLabelShift(reference, current, labelColumn, roles, drifted);
        findings.push(...shift.findings);
        Object.assign(metrics, shift.metrics);
        const triggers = checkTriggers(reference, current, labelColumn, roles);
        findings.push(...triggers.findings);
        Object.assign(metrics, triggers.metrics);
        notes.push(...triggers.notes);
        const flipped = flips?.finish();
        if (flipped) {
          findings.push(...flipped.findings);
          Object.assign(metrics, flipped.metrics);
          notes.push(...flipped.notes);
        }
      } else {
        notes.push('no label column (label-column, or a column named label/target/y/class): label shift, drift within labels, label flips and trigger search were not checked');
      }
      const source = pickSourceColumn(reference.columns, options.sourceColumn);
      if (source) {
        const s = checkSourceConcentration(reference, current, source);
        findings.push(...s.findings);
        Object.assign(metrics, s.metrics);
      }
      const text = checkTextInjection(current);
      findings.push(...text.findings);
      Object.assign(metrics, text.metrics);
    });
  }
  return buildReport({ gate: 'data-gate', version: DATA_GATE_VERSION, findings, metrics, timings, notes }, DATA_GATE_RULES);
}

export const dataGate: Gate<DataGateOptions> = {
  name: 'data-gate',
  title: 'Data quality and poisoning gate between ingestion and training',
  version: DATA_GATE_VERSION,
  rules: DATA_GATE_RULES,
  run: runDataGate,
};

export type { TextEncoding };
