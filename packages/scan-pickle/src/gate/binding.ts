import { DEFAULT_LIMITS, type GateBinding, type Limits, type Report } from '@aisec/core';
import { bundledWasmLocator } from './wasm-assets';
import { scanPickleGate, type ScanPickleOptions } from './gate';

/** The max-* options and the bound each one overrides; the rules' help text names these options. */
const LIMIT_OPTIONS = {
  'max-file-bytes': 'maxFileBytes',
  'max-decompressed-bytes': 'maxDecompressedBytes',
  'max-entries': 'maxEntries',
  'max-depth': 'maxDepth',
  'time-per-file-ms': 'timePerFileMs',
} as const satisfies Record<string, keyof Limits>;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The job-summary section: which files hold what, most severe first, and what was scanned. */
export function scanPickleSummary(report: Report): string {
  const m = report.metrics;
  const formats = Object.entries(m)
    .filter(([k, v]) => k.startsWith('files.format.') && v > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k.slice('files.format.'.length)} ${v}`)
    .join(', ');
  const lines = [`**Scanned:** ${m['files.scanned'] ?? 0} files${formats ? ` (${formats})` : ''}, ${m['files.flagged'] ?? 0} flagged.`, ''];
  const byFile = new Map<string, { rules: Set<string>; worst: string; count: number }>();
  const rank = ['info', 'low', 'medium', 'high', 'critical'];
  for (const f of report.findings) {
    const row = byFile.get(f.location.path) ?? { rules: new Set<string>(), worst: 'info', count: 0 };
    row.rules.add(f.ruleId);
    row.count++;
    if (rank.indexOf(f.severity) > rank.indexOf(row.worst)) row.worst = f.severity;
    byFile.set(f.location.path, row);
  }
  if (byFile.size === 0) return lines.join('\n');
  lines.push('| file | most severe | findings | rules |', '|---|---|---|---|');
  const rows = [...byFile].sort(([pa, a], [pb, b]) => rank.indexOf(b.worst) - rank.indexOf(a.worst) || pa.localeCompare(pb));
  for (const [path, row] of rows.slice(0, 100)) lines.push(`| ${cell(path)} | ${row.worst} | ${row.count} | ${[...row.rules].sort().join(', ')} |`);
  if (rows.length > 100) lines.push('', `${rows.length - 100} more files with findings are in the JSON report and SARIF file.`);
  return lines.join('\n');
}

export const scanPickleBinding: GateBinding<ScanPickleOptions> = {
  gate: scanPickleGate,
  options: {
    type: 'object',
    additionalProperties: false,
    properties: {
      'scan-models': {
        type: 'boolean',
        description: 'Scan model files of any extension, the format decided from their bytes (pickle, PyTorch, joblib, NumPy, Keras, GGUF, safetensors, ONNX, TensorFlow SavedModel).',
        default: true,
      },
      'scan-code': {
        type: 'boolean',
        description: 'Scan Python files (.py, .pyw) and Jupyter notebooks (.ipynb) for unsafe loading (pickle.load, torch.load without weights_only=True, yaml.load, trust_remote_code=True...); these findings are medium.',
        default: true,
      },
      exclude: {
        type: 'array',
        items: { type: 'string' },
        description: 'Globs to leave out of the walk: with a slash they match the path relative to the working directory (`tests/fixtures/**`), without one the name at any depth (`*.ckpt`); files named in paths are always scanned.',
      },
      'max-file-bytes': { type: 'integer', minimum: 1, description: 'Largest model file read, in bytes; a larger one is a high finding.', default: DEFAULT_LIMITS.maxFileBytes },
      'max-decompressed-bytes': {
        type: 'integer',
        minimum: 1,
        description: 'Most bytes one decompression (a joblib stream, a deflated zip member) may produce before it is a high finding.',
        default: DEFAULT_LIMITS.maxDecompressedBytes,
      },
      'max-entries': { type: 'integer', minimum: 1, description: 'Most entries read from one archive, and most files scanned in one run.', default: DEFAULT_LIMITS.maxEntries },
      'max-depth': { type: 'integer', minimum: 1, description: 'Deepest nesting of archives and embedded payloads followed.', default: DEFAULT_LIMITS.maxDepth },
      'time-per-file-ms': { type: 'integer', minimum: 1, description: 'Time budget per file, in milliseconds; a file not finished in time is a high finding.', default: DEFAULT_LIMITS.timePerFileMs },
    },
  },
  toOptions(values) {
    const limits: Partial<Limits> = {};
    for (const [key, field] of Object.entries(LIMIT_OPTIONS)) {
      const value = values[key];
      if (typeof value === 'number') limits[field] = value;
    }
    const locateFile = bundledWasmLocator();
    return {
      paths: values.paths as string[],
      scanModels: values['scan-models'] !== false,
      scanCode: values['scan-code'] !== false,
      exclude: Array.isArray(values.exclude) ? values.exclude : [],
      limits,
      ...(locateFile ? { locateFile } : {}),
    };
  },
  summary: scanPickleSummary,
};
