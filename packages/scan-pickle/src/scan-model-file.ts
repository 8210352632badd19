import { CancelledError, DEFAULT_LIMITS, UserError, workspaceRelative, type Finding, type GateContext, type Limits } from '@aisec/core';
import { FileSource, MemorySource, type ByteSource } from './byte-source';
import { decompressXz } from './decompress';
import type { RawFinding } from './raw-finding';
import { MODEL_RULES, RULE_IDS } from './rules';
import { scanBounds, type PickleBounds } from './scan-bounds';
import { limitFinding, type ScanEnv, type Where } from './scan-env';
import { scanSource } from './scan-source';
import { SNIFF_BYTES, sniffFormat, type ModelFormat } from './sniff-format';
import { scanPickleStream } from './pickle-scan';
import { hasZipTail } from './zip-reader';

export interface ModelScanMetrics {
  bytes: number;
  pickles: number;
  opcodes: number;
  members: number;
  nestedPayloads: number;
  decompressedBytes: number;
  ms: number;
}

export interface ModelScanResult {
  /** Workspace-relative path. */
  path: string;
  format: ModelFormat;
  findings: Finding[];
  metrics: ModelScanMetrics;
}

const HELP_URI = new Map(MODEL_RULES.map((r) => [r.id, r.helpUri]));

/**
 * `location.member` is the archive member chain joined with `/` (`archive/data.pkl`, or
 * `outer/inner.pt/archive/data.pkl` for a zip inside a zip); decompression layers and loader calls are
 * not members: they lead `evidence` (`zlib > os.system`, `pickle.loads(base64.b64decode) > posix.system`).
 */
function toFinding(raw: RawFinding, path: string): Finding {
  const member = raw.members.join('/');
  return {
    ruleId: raw.ruleId,
    severity: raw.severity,
    message: raw.message,
    location: member ? { path, member } : { path },
    evidence: raw.evidence,
    helpUri: HELP_URI.get(raw.ruleId),
    properties: raw.properties,
  };
}

function newEnv(limits: Limits, signal?: AbortSignal, overrides?: Partial<PickleBounds>): ScanEnv {
  const bounds = scanBounds(limits, overrides);
  return {
    bounds,
    deadline: Date.now() + limits.timePerFileMs,
    signal,
    findings: [],
    extensions: new Map(),
    counters: { pickles: 0, opcodes: 0, members: 0, nested: 0, decompressedBytes: 0 },
  };
}

function metricsOf(env: ScanEnv, bytes: number, started: number): ModelScanMetrics {
  return {
    bytes,
    pickles: env.counters.pickles,
    opcodes: env.counters.opcodes,
    members: env.counters.members,
    nestedPayloads: env.counters.nested,
    decompressedBytes: env.counters.decompressedBytes,
    ms: Date.now() - started,
  };
}

async function scanTop(source: ByteSource, name: string, env: ScanEnv, explicit: boolean): Promise<ModelFormat> {
  const where: Where = { members: [], nestedChain: [], name, sniffed: false };
  const head = source.read(0, SNIFF_BYTES);
  const format = sniffFormat(head, name, source.size);
  if (format === 'xz') {
    // xz is decoded asynchronously (WebAssembly stream), so only here, at the top of a file.
    const out = await decompressXz(source, env.bounds);
    if (out.ok) {
      env.counters.decompressedBytes += out.data.length;
      scanSource(new MemorySource(out.data), { ...where, nestedChain: ['xz'], name: name.replace(/\.xz$/i, '') }, 1, env);
    } else if (out.limit) limitFinding(env, where, 'decompression', `xz stream ${out.reason}`);
    else env.findings.push({ ruleId: RULE_IDS.compressionNotChecked, severity: 'high', message: `Compressed with xz: not checked (${out.reason})`, members: [], evidence: 'compressed: xz', properties: { compression: 'xz' } });
    return format;
  }
  if (format === 'unknown' && explicit && looksLikeProtocol01(head) && !hasZipTail(source)) {
    // A file named on the command line with no magic: try it as a protocol 0/1 pickle, trusting the
    // result only if it parses (scanPickleStream's sniffed mode).
    scanPickleStream(source, 0, {
      members: [],
      nestedChain: [],
      bounds: env.bounds,
      deadline: env.deadline,
      signal: env.signal,
      extensions: env.extensions,
      joblibArrays: true,
      sniffed: true,
      findings: env.findings,
      onNested: () => {},
    });
    return 'unknown';
  }
  return scanSource(source, where, 0, env);
}

function looksLikeProtocol01(head: Uint8Array): boolean {
  const b = head[0];
  return b !== undefined && '(c]})NILSVFKJMXUTGldti'.includes(String.fromCharCode(b));
}

/**
 * Scans one model file of any format, decided from its bytes. Never loads, unpickles or runs it; reads
 * only what the format's loader would interpret (tensor storage is skipped). `explicit` marks a file the
 * user named (protocol 0/1 pickles have no magic and are only tried then or by extension).
 */
export async function scanModelFile(absPath: string, ctx: GateContext, explicit = true): Promise<ModelScanResult> {
  const started = Date.now();
  const path = workspaceRelative(ctx.workspace, absPath);
  if (ctx.signal.aborted) throw new CancelledError();
  const env = newEnv(ctx.limits, ctx.signal);
  let source: FileSource;
  try {
    source = new FileSource(absPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(`cannot read model file ${path} (${code})`, { file: path, hint: 'check that the file exists and is readable by the runner', cause: error });
  }
  let format: ModelFormat = 'unknown';
  try {
    if (source.size > ctx.limits.maxFileBytes) {
      limitFinding(env, { members: [], nestedChain: [], name: absPath, sniffed: false }, 'file-size', `The file is ${source.size} bytes, more than the ${ctx.limits.maxFileBytes}-byte limit`);
    } else {
      format = await scanTop(source, absPath, env, explicit);
    }
  } finally {
    source.close();
  }
  // A walk stopped by cancellation is not a finding about the file.
  if (ctx.signal.aborted) throw new CancelledError();
  return { path, format, findings: env.findings.map((f) => toFinding(f, path)), metrics: metricsOf(env, source.size, started) };
}

export interface BytesScanOptions {
  /** Name used in `location.path` and for format tie-breaks. */
  name?: string;
  limits?: Limits;
  /** Pickle-specific bounds (opcodes, memo, line length...) to tighten, for tests. */
  bounds?: Partial<PickleBounds>;
  /** Skip format detection and read the bytes as (stacked) pickles. */
  asPickle?: boolean;
}

/** Scans bytes in memory (tests, nested use); same rules as `scanModelFile`. */
export async function scanModelBytes(bytes: Uint8Array, options: BytesScanOptions = {}): Promise<ModelScanResult> {
  const started = Date.now();
  const name = options.name ?? '<bytes>';
  const env = newEnv(options.limits ?? DEFAULT_LIMITS, undefined, options.bounds);
  const source = new MemorySource(bytes);
  let format: ModelFormat;
  if (options.asPickle) {
    const summary = scanPickleStream(source, 0, {
      members: [],
      nestedChain: [],
      bounds: env.bounds,
      deadline: env.deadline,
      extensions: env.extensions,
      joblibArrays: true,
      sniffed: false,
      findings: env.findings,
      onNested: (payload, chain) => {
        env.counters.nested += 1;
        scanSource(payload.data, { members: [], nestedChain: chain, name: 'payload', sniffed: false }, 1, env);
      },
    });
    env.counters.pickles += summary.pickles;
    env.counters.opcodes += summary.opcodes;
    format = 'pickle';
  } else {
    format = await scanTop(source, name, env, true);
  }
  return { path: name, format, findings: env.findings.map((f) => toFinding(f, name)), metrics: metricsOf(env, bytes.length, started) };
}

/** Reads bytes as a pickle stream; a shorthand for tests. */
export function scanPickleBytes(bytes: Uint8Array, options: Omit<BytesScanOptions, 'asPickle'> = {}): Promise<ModelScanResult> {
  return scanModelBytes(bytes, { ...options, asPickle: true });
}

