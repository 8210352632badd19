import {
  assignFingerprints,
  buildReport,
  CancelledError,
  workspaceRelative,
  type Finding,
  type Gate,
  type GateContext,
  type Limits,
} from '@aisec/core';
import { scanCodeFile, type WasmLocator } from '../code/index';
import { RULE_IDS } from '../rules';
import { scanModelFile } from '../scan-model-file';
import { MODEL_SCAN_VERSION, modelScanNotes } from '../scan-models';
import { SCAN_PICKLE_RULES } from './rules';
import { findScanTargets } from './scan-targets';

export interface ScanPickleOptions {
  /** Absolute files or directories. */
  paths: string[];
  /** Scan model files (pickles, PyTorch, joblib, NumPy, Keras, GGUF, safetensors, ONNX, SavedModel). */
  scanModels: boolean;
  /** Scan `.py` files and `.ipynb` notebooks for unsafe loading. */
  scanCode: boolean;
  /** Globs on workspace-relative paths left out of the walk. */
  exclude: string[];
  /** Bounds that override ctx.limits for this scan (the gate's max-* options). */
  limits?: Partial<Limits>;
  /**
   * Where the Python parser's wasm files are. Set by the binding when running from a bundle (not a user
   * option); undefined means the node_modules lookup that works from source.
   */
  locateFile?: WasmLocator;
}

export const SCAN_PICKLE_VERSION = MODEL_SCAN_VERSION;

/** Why code scanning reports risk, not proof: stated in every report that scanned code. */
const CODE_SCAN_NOTE =
  'Code and notebooks: calls are resolved through imports, aliases and assignments within one file or notebook; ' +
  'loaders wrapped in other modules or reached through objects, shell commands in `!`/`%%bash` lines, and flag values ' +
  'that are not literals (allow_pickle=flag) are not followed.';

function addTo(metrics: Record<string, number>, key: string, value: number): void {
  metrics[key] = (metrics[key] ?? 0) + value;
}

/**
 * The scan-pickle gate: walks `paths` once, sends each model file (format decided from its bytes) to the
 * model analyzer and each `.py`/`.ipynb` to the code scanner, and returns one report. Nothing scanned is
 * loaded, unpickled or run. Metrics (stable names, documented in actions/scan-pickle/README.md):
 * files.scanned, files.flagged, files.excluded, files.format.<format> (pickle, zip, npy, gzip, ..., python,
 * notebook), model.bytes, model.pickles, model.opcodes, model.members, model.nested-payloads,
 * model.decompressed-bytes, code.files, code.bytes, code.cells, code.units-with-syntax-errors,
 * code.magic-lines. Timings: walk, models, code.
 */
export const scanPickleGate: Gate<ScanPickleOptions> = {
  name: 'scan-pickle',
  title: 'Code-execution payloads in model files, unsafe loading in code and notebooks',
  version: SCAN_PICKLE_VERSION,
  rules: SCAN_PICKLE_RULES,
  async run(options, ctx) {
    const scanCtx: GateContext = { ...ctx, limits: { ...ctx.limits, ...options.limits } };
    const timings: Record<string, number> = { walk: 0, models: 0, code: 0 };
    let mark = performance.now();
    const lap = (phase: string) => {
      const now = performance.now();
      timings[phase] = (timings[phase] ?? 0) + Math.round(now - mark);
      mark = now;
    };

    const { targets, excluded, overflow } = findScanTargets({
      paths: options.paths,
      workspace: ctx.workspace,
      models: options.scanModels,
      code: options.scanCode,
      exclude: options.exclude,
      maxFiles: scanCtx.limits.maxEntries,
    });
    lap('walk');

    const findings: Finding[] = [];
    const notes: string[] = [];
    const metrics: Record<string, number> = {
      'files.scanned': 0,
      'files.flagged': 0,
      'files.excluded': excluded,
      'model.bytes': 0,
      'model.pickles': 0,
      'model.opcodes': 0,
      'model.members': 0,
      'model.nested-payloads': 0,
      'model.decompressed-bytes': 0,
      'code.files': 0,
      'code.bytes': 0,
      'code.cells': 0,
      'code.units-with-syntax-errors': 0,
      'code.magic-lines': 0,
    };
    let models = 0;
    let code = 0;
    // Files the user named that are in no format the scanner reads: said, so that a clean report is not
    // mistaken for a checked file.
    const unrecognized: string[] = [];

    for (const [i, target] of targets.entries()) {
      if (ctx.signal.aborted) throw new CancelledError();
      ctx.logger.progress('files scanned', i, targets.length);
      let fileFindings: Finding[];
      if (target.kind === 'model') {
        const result = await scanModelFile(target.absPath, scanCtx, target.explicit);
        fileFindings = result.findings;
        models++;
        if (result.format === 'unknown' && fileFindings.length === 0) unrecognized.push(result.path);
        addTo(metrics, `files.format.${result.format}`, 1);
        addTo(metrics, 'model.bytes', result.metrics.bytes);
        addTo(metrics, 'model.pickles', result.metrics.pickles);
        addTo(metrics, 'model.opcodes', result.metrics.opcodes);
        addTo(metrics, 'model.members', result.metrics.members);
        addTo(metrics, 'model.nested-payloads', result.metrics.nestedPayloads);
        addTo(metrics, 'model.decompressed-bytes', result.metrics.decompressedBytes);
        lap('models');
      } else {
        const result = await scanCodeFile(target.absPath, scanCtx, options.locateFile ? { locateFile: options.locateFile } : {});
        fileFindings = result.findings;
        notes.push(...result.notes);
        code++;
        addTo(metrics, `files.format.${/\.ipynb$/i.test(target.absPath) ? 'notebook' : 'python'}`, 1);
        addTo(metrics, 'code.files', result.stats.files);
        addTo(metrics, 'code.bytes', target.size);
        addTo(metrics, 'code.cells', result.stats.cells);
        addTo(metrics, 'code.units-with-syntax-errors', result.stats.unitsWithSyntaxErrors);
        addTo(metrics, 'code.magic-lines', result.stats.magicLines);
        lap('code');
      }
      findings.push(...fileFindings);
      addTo(metrics, 'files.scanned', 1);
      if (fileFindings.some((f) => f.severity !== 'info')) addTo(metrics, 'files.flagged', 1);
    }
    ctx.logger.progress('files scanned', targets.length, targets.length);

    if (overflow > 0) {
      // What was not read cannot be called safe: a bound hit on the walk is a finding, like one inside a file.
      const where = options.paths.length === 1 ? workspaceRelative(ctx.workspace, options.paths[0]!) : '.';
      findings.push({
        ruleId: RULE_IDS.limit,
        severity: 'high',
        message: `${overflow} more files to scan were found past the ${scanCtx.limits.maxEntries}-file bound and were not scanned`,
        location: { path: where },
        evidence: `walk: more than ${scanCtx.limits.maxEntries} files`,
        properties: { bound: 'max-entries', unscanned: overflow },
      });
      notes.push(`${overflow} files past the ${scanCtx.limits.maxEntries}-file bound (max-entries) were not scanned.`);
    }
    if (unrecognized.length > 0) {
      const shown = unrecognized.slice(0, 10).join(', ') + (unrecognized.length > 10 ? ` and ${unrecognized.length - 10} more` : '');
      notes.push(`Not in any format the scanner reads, so not checked: ${shown}.`);
    }
    if (models > 0) notes.push(...modelScanNotes(Object.keys(metrics).filter((k) => k.startsWith('files.format.')).map((k) => k.slice('files.format.'.length))));
    if (code > 0) notes.push(CODE_SCAN_NOTE);
    if (!options.scanModels) notes.push('Model files were not scanned (scan-models is false).');
    if (!options.scanCode) notes.push('Python files and notebooks were not scanned (scan-code is false).');
    if (excluded > 0) notes.push(`${excluded} files or directories matched exclude and were not scanned.`);
    if (targets.length === 0) notes.push('No model files, Python files or notebooks were found under the paths given.');

    assignFingerprints(findings);
    return buildReport({ gate: 'scan-pickle', version: SCAN_PICKLE_VERSION, findings, metrics, timings, notes }, SCAN_PICKLE_RULES);
  },
};
