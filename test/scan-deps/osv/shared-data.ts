import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS, silentLogger, type GateContext } from '@aisec/core';
import { ZipArchive } from '../../../packages/scan-deps/src/osv/zip-archive';
import { parseOsvJson, type OsvVulnerability } from '../../../packages/scan-deps/src/osv/index';

/** The shared slice of the PyPA advisory database (398 PYSEC records, see its README). */
export const OSV_ZIP = new URL('../../../../shared/data/osv/pypi-osv.zip', import.meta.url).pathname;

export function testContext(overrides: Partial<GateContext> = {}): GateContext {
  return {
    workspace: process.cwd(),
    logger: silentLogger,
    limits: { ...DEFAULT_LIMITS },
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Every record of the shared zip, parsed, by id. */
export function sharedAdvisories(): Map<string, OsvVulnerability> {
  const zip = ZipArchive.open(OSV_ZIP, DEFAULT_LIMITS);
  try {
    const out = new Map<string, OsvVulnerability>();
    for (const entry of zip.entries) {
      const record = parseOsvJson(zip.read(entry).toString('utf8'), entry.name);
      out.set(record.id, record);
    }
    return out;
  } finally {
    zip.close();
  }
}

/** The raw JSON text of every member, by file name, to build variants of the export. */
export function sharedMembers(): Map<string, string> {
  const zip = ZipArchive.open(OSV_ZIP, DEFAULT_LIMITS);
  try {
    return new Map(zip.entries.map((e) => [e.name, zip.read(e).toString('utf8')]));
  } finally {
    zip.close();
  }
}

export function readJsonFixture(url: URL): unknown {
  return JSON.parse(readFileSync(url, 'utf8'));
}
