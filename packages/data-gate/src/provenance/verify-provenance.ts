import { basename } from 'node:path';
import type { GateContext } from '@aisec/core';
import { verifyDvcFile } from './dvc-file';
import type { ProvenanceResult } from './provenance-result';
import { type VerifyManifestOptions, verifySha256Manifest } from './sha256-manifest';

export type ProvenanceKind = 'dvc' | 'sha256-manifest';

/** `.dvc` files and `dvc.lock` are DVC records; anything else is read as a sha256 manifest. */
export function provenanceKindOf(path: string): ProvenanceKind {
  const name = basename(path).toLowerCase();
  return name.endsWith('.dvc') || name === 'dvc.lock' ? 'dvc' : 'sha256-manifest';
}

/** Verifies each provenance record in order and merges the results. */
export async function verifyProvenance(
  records: readonly string[],
  ctx: Partial<Pick<GateContext, 'workspace' | 'limits' | 'signal'>> = {},
  manifestOptions: VerifyManifestOptions = {},
): Promise<ProvenanceResult> {
  const merged: ProvenanceResult = { checks: [], findings: [] };
  for (const record of records) {
    const result = provenanceKindOf(record) === 'dvc' ? await verifyDvcFile(record, ctx) : await verifySha256Manifest(record, manifestOptions, ctx);
    merged.checks.push(...result.checks);
    merged.findings.push(...result.findings);
  }
  return merged;
}
