import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, silentLogger, type GateContext } from '@aisec/core';

export const PROJECT = join(import.meta.dirname, '../../fixtures/scan-deps/e2e/project');

/** A fresh copy of the fixture project (requirements.txt, a Poetry project, a notebook) in a temp folder. */
export function projectCopy(): string {
  const ws = mkdtempSync(join(tmpdir(), 'aisec-scan-deps-'));
  cpSync(PROJECT, ws, { recursive: true });
  return ws;
}

export function contextFor(workspace: string, overrides: Partial<GateContext> = {}): GateContext {
  return { workspace, logger: silentLogger, limits: { ...DEFAULT_LIMITS }, signal: new AbortController().signal, ...overrides };
}

/**
 * What the shared OSV slice (PyPA advisory database at 3ccb612) says about the fixture project, checked by
 * hand against the advisories' ranges: rule, file, line, evidence.
 */
export const EXPECTED_VULNERABILITIES = [
  ['AISEC-DEP-001', 'notebooks/explore.ipynb', 19, 'onnx@1.12.0 PYSEC-2023-38'],
  ['AISEC-DEP-001', 'notebooks/explore.ipynb', 19, 'torch@1.13.0 PYSEC-2022-43015'],
  ['AISEC-DEP-002', 'requirements.txt', 2, 'pyyaml@5.3.1 PYSEC-2021-142'],
  ['AISEC-DEP-001', 'requirements.txt', 3, 'requests@2.30.0 PYSEC-2023-74'],
  ['AISEC-DEP-001', 'requirements.txt', 4, 'urllib3@1.26.15 PYSEC-2023-192'],
  ['AISEC-DEP-001', 'requirements.txt', 4, 'urllib3@1.26.15 PYSEC-2023-212'],
  ['AISEC-DEP-001', 'training/poetry.lock', 3, 'mlflow@2.8.0 PYSEC-2023-252'],
  ['AISEC-DEP-001', 'training/poetry.lock', 3, 'mlflow@2.8.0 PYSEC-2023-253'],
  ['AISEC-DEP-001', 'training/poetry.lock', 3, 'mlflow@2.8.0 PYSEC-2023-260'],
  ['AISEC-DEP-001', 'training/poetry.lock', 3, 'mlflow@2.8.0 PYSEC-2024-51'],
] as const;

export const EXPECTED_OTHERS = [
  ['AISEC-DEP-003', 'notebooks/explore.ipynb', 30, 'langchain (unpinned)'],
  ['AISEC-DEP-003', 'requirements.txt', 8, 'torch >=1.13'],
  ['AISEC-DEP-004', 'training/pyproject.toml', 7, 'numpy >=1.22,<2.0 locked 1.21.0 in training/poetry.lock'],
  ['AISEC-DEP-004', 'training/pyproject.toml', 10, 'jinja2 not in training/poetry.lock'],
] as const;
