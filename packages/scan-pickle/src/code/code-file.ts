import { open, stat } from 'node:fs/promises';
import { type GateContext, UserError, workspaceRelative } from '@aisec/core';
import { type CodeScanOptions, type CodeScanResult, emptyStats, notScannedFinding } from './code-findings';
import { scanNotebook } from './notebook';
import { scanPythonSource } from './python-source';

/**
 * Size bounds for code, tighter than ctx.limits.maxFileBytes (sized for models): hand-written Python is
 * kilobytes, and a notebook is mostly outputs (images as base64), so a notebook gets more room.
 */
export const CODE_FILE_LIMITS = {
  maxSourceBytes: 8 * 1024 ** 2,
  maxNotebookBytes: 64 * 1024 ** 2,
} as const;

export interface CodeFileOptions extends Omit<CodeScanOptions, 'parseTimeMs' | 'signal'> {
  maxSourceBytes?: number;
  maxNotebookBytes?: number;
}

const PYTHON_FILE = /\.(py|pyw)$/i;
const NOTEBOOK_FILE = /\.ipynb$/i;

/** True for the files the code scanner reads: Python sources and Jupyter notebooks. */
export function isCodeFile(path: string): boolean {
  return PYTHON_FILE.test(path) || NOTEBOOK_FILE.test(path);
}

/** PEP 263: `# -*- coding: latin-1 -*-` on line 1 or 2 decides how Python reads the bytes. */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512)).split(/\r?\n/, 2);
  for (const line of head) {
    const match = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
    if (match?.[1]) return match[1];
    if (!/^[ \t\f]*(#.*)?$/.test(line)) break;
  }
  return undefined;
}

/**
 * Python spellings that the WHATWG encoding labels (which TextDecoder takes) lack. WHATWG reads latin-1 as
 * windows-1252: both are one byte per character, so positions agree.
 */
const PYTHON_ENCODING_ALIASES: Readonly<Record<string, string>> = {
  'latin-1': 'latin1',
  'iso8859-1': 'iso-8859-1',
  'iso-latin-1': 'latin1',
  'utf8': 'utf-8',
  'utf-8-sig': 'utf-8',
  'cp1252': 'windows-1252',
  'cp1251': 'windows-1251',
};

function decoderLabel(pythonName: string): string {
  const normalized = pythonName.toLowerCase().replace(/_/g, '-');
  return PYTHON_ENCODING_ALIASES[normalized] ?? normalized;
}

function decodePython(bytes: Uint8Array): string {
  const declared = declaredEncoding(bytes);
  const label = declared === undefined ? undefined : decoderLabel(declared);
  if (label) {
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // An encoding Node does not know: fall back to UTF-8, Python 3's default, replacing bad bytes.
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

/** Reads at most `limit` bytes; undefined when the file is larger (checked on the bytes read, not stat alone). */
async function readBounded(absPath: string, limit: number): Promise<{ bytes?: Uint8Array; size: number }> {
  // Checked before opening: opening a FIFO for reading blocks until something writes to it.
  const info = await stat(absPath);
  if (!info.isFile()) {
    throw Object.assign(new Error('not a regular file'), { code: info.isDirectory() ? 'EISDIR' : 'not a regular file' });
  }
  const handle = await open(absPath, 'r');
  try {
    const { size } = await handle.stat();
    if (size > limit) return { size };
    const buffer = Buffer.alloc(Math.min(size, limit) + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > limit) return { size: filled };
    return { bytes: buffer.subarray(0, filled), size: filled };
  } finally {
    await handle.close();
  }
}

/**
 * Scans one `.py`/`.pyw` file or `.ipynb` notebook for unsafe loading. Paths in findings are relative to
 * ctx.workspace. A file over the size bound, or one that cannot be parsed in time, yields a `low`
 * AISEC-PKL-112 finding; a file that cannot be opened is a UserError naming it.
 */
export async function scanCodeFile(absPath: string, ctx: GateContext, options: CodeFileOptions = {}): Promise<CodeScanResult> {
  const path = workspaceRelative(ctx.workspace, absPath);
  const notebook = NOTEBOOK_FILE.test(absPath);
  if (!notebook && !PYTHON_FILE.test(absPath)) {
    throw new Error(`scanCodeFile called on ${path}, which isCodeFile rejects`);
  }
  const limit = Math.min(
    ctx.limits.maxFileBytes,
    notebook
      ? (options.maxNotebookBytes ?? CODE_FILE_LIMITS.maxNotebookBytes)
      : (options.maxSourceBytes ?? CODE_FILE_LIMITS.maxSourceBytes),
  );

  let read: { bytes?: Uint8Array; size: number };
  try {
    read = await readBounded(absPath, limit);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(`cannot read ${path} (${code})`, {
      file: path,
      hint: 'check that the path exists, is a regular file and is readable by the runner',
      cause: error,
    });
  }
  if (!read.bytes) {
    return {
      findings: [
        notScannedFinding(
          path,
          `file larger than ${limit} bytes`,
          `This ${notebook ? 'notebook' : 'Python file'} is ${read.size} bytes, over the ${limit}-byte bound for ` +
            'code, so it was not scanned for unsafe loading.',
        ),
      ],
      notes: [`${path}: not scanned: ${read.size} bytes is over the ${limit}-byte bound`],
      stats: emptyStats(),
    };
  }
  const scanOptions: CodeScanOptions = {
    locateFile: options.locateFile,
    parseTimeMs: ctx.limits.timePerFileMs,
    signal: ctx.signal,
  };
  if (notebook) return scanNotebook(new TextDecoder('utf-8').decode(read.bytes), path, scanOptions);
  return scanPythonSource(decodePython(read.bytes), path, scanOptions);
}
