import { Cursor, type ByteSource } from './byte-source';
import { classifyGlobal } from './classify-global';
import { emulatePickle, type EmulationResult, type NestedPayload } from './pickle-emulator';
import type { RawFinding } from './raw-finding';
import { SAFE_WHEN_ONLY_ALLOCATED } from './safe-list';
import { RULE_IDS } from './rules';
import type { ScanBounds } from './scan-bounds';

export interface PickleScanOptions {
  members: string[];
  /** Loader calls that led to this stream, outermost first (`pickle.loads(base64.b64decode)`). */
  nestedChain: string[];
  bounds: ScanBounds;
  deadline: number;
  signal?: AbortSignal;
  /** copyreg extensions registered earlier in the same load. */
  extensions: Map<number, [string, string]>;
  joblibArrays: boolean;
  /**
   * Found by magic bytes only (a zip member not named .pkl, trailing data): a stream that does not parse
   * cleanly is probably not a pickle, so only dangerous imports are reported from it.
   */
  sniffed: boolean;
  findings: RawFinding[];
  onNested(payload: NestedPayload, chain: string[]): void;
}

export interface PickleScanSummary {
  pickles: number;
  opcodes: number;
  imports: number;
  /** Where the walk stopped: after the last STOP, or at the error. */
  end: number;
  trailingBytes: number;
  clean: boolean;
}

const ALLOCATED_ONLY = new Set(SAFE_WHEN_ONLY_ALLOCATED.map((e) => e.name));

const LEGACY_TORCH_MAGIC = 0x1950a86a20f9469cfc6cn;

const CODE_OBJECT_NAMES = /(?:^|\.)(?:CodeType|FunctionType|LambdaType|_create_code|_create_function|_make_function|_builtin_type|marshal)(?:$|\.)/;

/** Could the bytes at `pos` start another pickle? (PROTO 2-5: what every writer since 2008 emits first.) */
function looksLikePickleStart(src: ByteSource, pos: number): boolean {
  const b = src.read(pos, 2);
  return b.length === 2 && b[0] === 0x80 && (b[1] ?? 9) <= 5;
}

/**
 * Walks every pickle stacked in `source` from `start` (torch's legacy format writes five back to back;
 * an attacker may append more), turning what the emulator saw into findings.
 */
export function scanPickleStream(source: ByteSource, start: number, opts: PickleScanOptions): PickleScanSummary {
  const summary: PickleScanSummary = { pickles: 0, opcodes: 0, imports: 0, end: start, trailingBytes: 0, clean: true };
  let pos = start;
  // torch's legacy format starts with this magic number and torch.load then unpickles four more.
  let legacyTorch = false;
  for (let index = 0; ; index++) {
    if (index >= opts.bounds.maxStackedPickles) {
      report(opts, RULE_IDS.limit, 'high', `More than ${opts.bounds.maxStackedPickles} pickles are stacked in one stream; the rest was not read`, 'limit: stacked-pickles', { offset: pos, limit: 'stacked-pickles' });
      summary.clean = false;
      break;
    }
    const cursor = new Cursor(source, pos);
    const res = emulatePickle(cursor, {
      maxOpcodes: opts.bounds.maxOpcodes,
      maxMemo: opts.bounds.maxMemo,
      maxLine: opts.bounds.maxLine,
      maxDecodedBytes: opts.bounds.maxInMemoryBytes,
      deadline: opts.deadline,
      signal: opts.signal,
      extensions: opts.extensions,
      joblibArrays: opts.joblibArrays,
    });
    const sniffed = opts.sniffed || (index > 0 && !(legacyTorch && index <= 4));
    const trusted = !sniffed || (res.stopped && !res.error);
    summary.pickles += 1;
    summary.opcodes += res.opcodes;
    summary.imports += res.imports.length;
    summary.end = res.end;
    if (index === 0 && res.result?.t === 'int' && res.result.v === LEGACY_TORCH_MAGIC) legacyTorch = true;
    reportEmulation(res, index, trusted, opts);
    if (res.skipped.length > 0) reportPlainReading(source, pos, res.skipped, index, opts);
    if (!res.stopped) {
      if (trusted || res.bound) summary.clean = false;
      break;
    }
    pos = res.end;
    if (pos >= source.size || !looksLikePickleStart(source, pos)) break;
  }
  summary.trailingBytes = Math.max(0, source.size - summary.end);
  return summary;
}

function prefix(opts: PickleScanOptions): string {
  return opts.nestedChain.length > 0 ? `${opts.nestedChain.join(' > ')} > ` : '';
}

function report(opts: PickleScanOptions, ruleId: string, severity: RawFinding['severity'], message: string, evidence: string, properties: RawFinding['properties']): void {
  const chain = opts.nestedChain.length > 0 ? ` (inside ${opts.nestedChain.join(' > ')})` : '';
  opts.findings.push({
    ruleId,
    severity,
    message: `${message}${chain}`,
    members: [...opts.members],
    evidence: `${prefix(opts)}${evidence}`,
    properties: { ...properties, ...(opts.nestedChain.length > 0 ? { nestedChain: [...opts.nestedChain] } : {}) },
  });
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function reportEmulation(res: EmulationResult, index: number, trusted: boolean, opts: PickleScanOptions): void {
  const beforeError = res.error ? `; it runs before the parse error at offset ${res.error.offset}, so the failed load still executes it` : '';
  const grouped = new Map<string, { offsets: number[]; called: boolean; ev: (typeof res.imports)[number] }>();
  // Whether any import of a name is called with arguments, across every way it was imported.
  const invoked = new Map<string, boolean>();
  for (const ev of res.imports) if (ev.invoked) invoked.set(`${ev.module}.${ev.name}`, true);
  for (const ev of res.imports) {
    const key = `${ev.module}\u0000${ev.name}\u0000${ev.how}`;
    const g = grouped.get(key);
    if (g) {
      g.offsets.push(ev.offset);
      g.called ||= ev.called;
    } else grouped.set(key, { offsets: [ev.offset], called: ev.called, ev });
  }
  for (const { offsets, called, ev } of grouped.values()) {
    const full = ev.name ? `${ev.module}.${ev.name}` : ev.module;
    const verdict = classifyGlobal(ev.module, ev.name);
    if (verdict.verdict === 'safe') continue;
    if (verdict.verdict === 'unknown' && !invoked.get(`${ev.module}.${ev.name}`) && ALLOCATED_ONLY.has(`${ev.module}.${ev.name}`)) continue;
    if (verdict.verdict === 'unknown' && !trusted) continue;
    const first = offsets[0] ?? 0;
    const verb = called ? 'imports and calls' : 'imports';
    const how = ev.how ? ` (built as ${ev.how})` : '';
    const where = `${ev.opcode} at offset ${first} (${hex(first)})${offsets.length > 1 ? ` and ${offsets.length - 1} more` : ''}`;
    const evidence = `${full}${ev.how ? ` <- ${ev.how}` : ''}`;
    const props = { offset: first, occurrences: offsets.length, opcode: ev.opcode, called, pickle: index, global: full };
    if (verdict.verdict === 'dangerous') {
      const code = verdict.kind === 'code-object' || CODE_OBJECT_NAMES.test(full);
      report(opts, code ? RULE_IDS.codeObject : RULE_IDS.dangerousImport, 'critical', `Loading this pickle ${verb} ${full}${how}: ${verdict.why}; ${where}${beforeError}`, evidence, props);
    } else {
      report(opts, RULE_IDS.unknownImport, 'high', `Loading this pickle ${verb} ${full}${how}, which is not on the safe list; ${where}${beforeError}`, evidence, props);
    }
  }
  if (trusted) {
    for (const d of res.dynamic) {
      report(opts, RULE_IDS.dynamicImport, 'critical', `${d.reason}; ${d.opcode} at offset ${d.offset} (${hex(d.offset)})${beforeError}`, `dynamic: ${d.reason}`, { offset: d.offset, opcode: d.opcode, pickle: index });
    }
  }
  if (res.bound) {
    report(opts, RULE_IDS.limit, 'high', `Stopped reading the pickle at offset ${res.end}: ${res.bound.detail}; the rest was not checked`, `limit: ${res.bound.kind}`, { offset: res.end, limit: res.bound.kind, pickle: index });
  } else if (res.error && trusted) {
    const kind = res.error.truncated ? 'truncated' : 'malformed';
    const ran = res.imports.length > 0 ? `${res.imports.length} import(s) before it run when the file is loaded` : 'nothing before it imports code';
    report(opts, RULE_IDS.malformed, 'high', `The pickle is ${kind} at offset ${res.error.offset}: ${res.error.message}; ${ran}`, `pickle ${kind}: ${res.error.message}`, { offset: res.error.offset, pickle: index });
  }
  if (trusted) for (const n of res.nested) opts.onNested(n, [...opts.nestedChain, nestedLabel(n)]);
}

/**
 * joblib.load skips inline array bytes, but pickle.load on the same file reads them as opcodes: a payload
 * can hide there for whoever loads the file the other way. Walk it again as plain pickle and report what
 * the plain reading imports inside the skipped ranges (it usually stops at the first array's bytes).
 */
function reportPlainReading(source: ByteSource, start: number, skipped: [number, number][], index: number, opts: PickleScanOptions): void {
  const plain = emulatePickle(new Cursor(source, start), {
    maxOpcodes: opts.bounds.maxOpcodes,
    maxMemo: opts.bounds.maxMemo,
    maxLine: opts.bounds.maxLine,
    maxDecodedBytes: opts.bounds.maxInMemoryBytes,
    deadline: opts.deadline,
    signal: opts.signal,
    extensions: new Map(opts.extensions),
    joblibArrays: false,
  });
  const inside = (off: number) => skipped.some(([a, b]) => off >= a && off < b);
  const hidden: EmulationResult = {
    ...plain,
    error: undefined,
    bound: undefined,
    imports: plain.imports.filter((e) => inside(e.offset)).map((e) => ({ ...e, how: e.how || 'read by pickle.load inside bytes joblib skips as array data' })),
    dynamic: plain.dynamic.filter((d) => inside(d.offset)),
    nested: plain.nested.filter((n) => inside(n.offset)),
    skipped: [],
  };
  reportEmulation(hidden, index, true, opts);
}

function nestedLabel(n: NestedPayload): string {
  return n.via.length > 0 ? `${n.loader}(${n.via.toReversed().join('(')}${')'.repeat(n.via.length - 1)})` : n.loader;
}
