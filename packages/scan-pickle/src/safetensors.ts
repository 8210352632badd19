import type { ByteSource } from './byte-source';
import { RULE_IDS } from './rules';
import { addFinding, type ScanEnv, type Where } from './scan-env';

/**
 * safetensors header validation, as the reference implementation validates before mapping tensors: the
 * header is JSON of at most 100 MB; every tensor has a known dtype, a shape of non-negative integers and
 * `data_offsets` [begin, end] inside the data section, sized dtype × shape, and together they cover the
 * data section exactly, without overlap or gap.
 */

const DTYPE_BITS: Record<string, number> = {
  BOOL: 8, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, U16: 16, I16: 16, F16: 16, BF16: 16, U32: 32, I32: 32, F32: 32,
  U64: 64, I64: 64, F64: 64, C64: 64, F4: 4, F6_E2M3: 6, F6_E3M2: 6,
};

const MAX_HEADER = 100_000_000;

export function scanSafetensors(src: ByteSource, where: Where, env: ScanEnv): void {
  const problems: string[] = [];
  const lenBytes = src.read(0, 8);
  const n = Buffer.from(lenBytes).readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER)) problems.push(`header length ${n} exceeds 100 MB`);
  const headerLen = Number(n);
  let header: unknown;
  if (problems.length === 0) {
    try {
      header = JSON.parse(Buffer.from(src.read(8, headerLen)).toString('utf8'));
    } catch (error) {
      problems.push(`header is not JSON (${(error as Error).message})`);
    }
  }
  const dataSize = src.size - 8 - headerLen;
  if (header !== undefined && (header === null || typeof header !== 'object' || Array.isArray(header))) problems.push('header is not a JSON object');
  else if (header !== undefined) {
    const spans: [number, number, string][] = [];
    for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (info === null || typeof info !== 'object' || Object.values(info).some((v) => typeof v !== 'string')) problems.push('__metadata__ must map strings to strings');
        continue;
      }
      const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const bits = typeof t.dtype === 'string' ? DTYPE_BITS[t.dtype] : undefined;
      if (bits === undefined) {
        problems.push(`tensor ${name}: unknown dtype ${JSON.stringify(t.dtype)}`);
        continue;
      }
      if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        problems.push(`tensor ${name}: shape is not a list of non-negative integers`);
        continue;
      }
      const offs = t.data_offsets;
      if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
        problems.push(`tensor ${name}: data_offsets is not [begin, end]`);
        continue;
      }
      const [begin, end] = offs as [number, number];
      if (end < begin) problems.push(`tensor ${name}: data_offsets end before begin`);
      if (end > dataSize) problems.push(`tensor ${name}: data_offsets end ${end} past the data section (${dataSize} bytes)`);
      const elems = (t.shape as number[]).reduce((a, b) => a * b, 1);
      const want = Math.ceil((elems * bits) / 8);
      if (end - begin !== want) problems.push(`tensor ${name}: ${end - begin} bytes for dtype ${String(t.dtype)} shape [${(t.shape as number[]).join(', ')}] (expected ${want})`);
      spans.push([begin, end, name]);
    }
    spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let cursor = 0;
    for (const [begin, end, name] of spans) {
      if (begin < cursor) problems.push(`tensor ${name} overlaps the previous tensor`);
      else if (begin > cursor) problems.push(`gap of ${begin - cursor} bytes before tensor ${name}`);
      cursor = Math.max(cursor, end);
    }
    if (problems.length === 0 && cursor !== dataSize) problems.push(`${dataSize - cursor} bytes after the last tensor are not described by the header`);
  }
  // Found by magic bytes inside something else (tensor data that happens to look like a header): not a claim.
  if (problems.length > 0 && !where.sniffed) {
    addFinding(
      env,
      where,
      RULE_IDS.safetensorsHeader,
      'high',
      `Invalid safetensors header: ${problems.slice(0, 4).join('; ')}${problems.length > 4 ? `; and ${problems.length - 4} more` : ''}`,
      `safetensors: ${problems.map((p) => p.replace(/\d+/g, 'N')).sort()[0] ?? ''}`,
      { problems },
    );
  }
}
