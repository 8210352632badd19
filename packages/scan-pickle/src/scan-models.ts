import { assignFingerprints, buildReport, CancelledError, type Finding, type GateContext, type Report } from '@aisec/core';
import { findModelFiles } from './find-model-files';
import { MODEL_RULES } from './rules';
import { scanModelFile } from './scan-model-file';

export const MODEL_SCAN_VERSION = '0.1.0';

export interface ModelScanOptions {
  /** Files or directories, relative to the workspace (or absolute). */
  paths: string[];
}

/**
 * What the model scan does not fully check, per top-level format: a report states the limits that
 * apply to the files it saw, rather than staying silent or listing every format's fine print.
 */
export const MODEL_SCAN_NOTES: readonly { formats: readonly string[]; note: string }[] = [
  { formats: ['hdf5'], note: 'Keras .h5 files: the model_config attribute is checked (Lambda layers, modules outside Keras); files over 256 MB are read from their first 64 MB only.' },
  { formats: ['tf-savedmodel'], note: 'TensorFlow SavedModel: graph ops are checked (ReadFile, WriteFile, PyFunc...); variables and assets are not read.' },
  { formats: ['zip', 'gzip', 'zlib', 'joblib-zfile', 'bz2', 'xz', 'lzma', 'tar'], note: 'xz-compressed streams are decompressed only at the top of a file (nested ones are reported as not checked, AISEC-PKL-008).' },
  { formats: ['bz2', 'xz', 'lzma'], note: 'bzip2, xz and LZMA-alone streams are decoded in memory, up to 512 MB (or max-decompressed-bytes if lower).' },
  { formats: ['zip'], note: 'TorchScript code/ members are not analysed; their pickles (data.pkl, constants.pkl) are.' },
];

/** The notes that apply to a set of top-level formats seen. */
export function modelScanNotes(formats: Iterable<string>): string[] {
  const seen = new Set(formats);
  return MODEL_SCAN_NOTES.filter((n) => n.formats.some((f) => seen.has(f))).map((n) => n.note);
}

/**
 * The model-file half of the scan-pickle gate: finds model files under `paths`, scans each, and returns
 * a Report of AISEC-PKL-0xx findings. Metrics: files.scanned, files.flagged, model.bytes, model.pickles,
 * model.opcodes, model.members, model.nested-payloads, model.decompressed-bytes.
 */
export async function scanModels(options: ModelScanOptions, ctx: GateContext): Promise<Report> {
  const started = Date.now();
  const files = findModelFiles(options.paths, ctx.workspace, ctx.limits.maxEntries);
  const findings: Finding[] = [];
  const formats = new Set<string>();
  const metrics: Record<string, number> = {
    'files.scanned': 0,
    'files.flagged': 0,
    'model.bytes': 0,
    'model.pickles': 0,
    'model.opcodes': 0,
    'model.members': 0,
    'model.nested-payloads': 0,
    'model.decompressed-bytes': 0,
  };
  const add = (k: string, v: number) => {
    metrics[k] = (metrics[k] ?? 0) + v;
  };
  for (const [i, file] of files.entries()) {
    if (ctx.signal.aborted) throw new CancelledError();
    ctx.logger.progress('model files', i, files.length);
    const res = await scanModelFile(file.absPath, ctx, file.explicit);
    findings.push(...res.findings);
    formats.add(res.format);
    add('files.scanned', 1);
    if (res.findings.some((f) => f.severity !== 'info')) add('files.flagged', 1);
    add('model.bytes', res.metrics.bytes);
    add('model.pickles', res.metrics.pickles);
    add('model.opcodes', res.metrics.opcodes);
    add('model.members', res.metrics.members);
    add('model.nested-payloads', res.metrics.nestedPayloads);
    add('model.decompressed-bytes', res.metrics.decompressedBytes);
  }
  ctx.logger.progress('model files', files.length, files.length);
  assignFingerprints(findings);
  return buildReport(
    { gate: 'scan-pickle', version: MODEL_SCAN_VERSION, findings, metrics, timings: { models: Date.now() - started }, notes: modelScanNotes(formats) },
    MODEL_RULES,
  );
}
