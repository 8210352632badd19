import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_LIMITS, silentLogger, type GateContext } from '@aisec/core';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/scan-pickle');
export const MODELS = join(FIXTURES, 'models');
export const CODE = join(FIXTURES, 'code');
/** Real models and arrays from the shared data (ONNX and .npy written by PyTorch and NumPy; see its README). */
export const SHARED_MODELS = join(import.meta.dirname, '../../../../shared/data/models');

/** A temporary workspace holding copies of fixtures: `{ 'dest/in/workspace': 'absolute source' }`. */
export function workspaceWith(files: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'aisec-scan-pickle-'));
  for (const [dest, source] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, dest)), { recursive: true });
    cpSync(source, join(ws, dest), { recursive: true });
  }
  return ws;
}

export function writeIn(ws: string, path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(join(ws, path)), { recursive: true });
  writeFileSync(join(ws, path), text);
}

export function contextFor(workspace: string, overrides: Partial<GateContext> = {}): GateContext {
  return { workspace, logger: silentLogger, limits: { ...DEFAULT_LIMITS }, signal: new AbortController().signal, ...overrides };
}
