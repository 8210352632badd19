import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv04 from 'ajv-draft-04';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** The shared, unmodified schemas (see ../shared/data/github/README.md). */
export const SHARED_DATA = join(import.meta.dirname, '../../../shared/data');

function load(path: string): object {
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

function explain(validate: ValidateFunction): string {
  return (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`).join('; ');
}

let sarif: ValidateFunction | undefined;
/** Validates against the official OASIS SARIF 2.1.0 schema (draft-04); throws with the first errors. */
export function assertValidSarif(log: unknown): void {
  if (!sarif) {
    const ajv = new Ajv04({ strict: false, allErrors: true });
    addFormats(ajv);
    sarif = ajv.compile(load(join(SHARED_DATA, 'github/sarif-schema-2.1.0.json')));
  }
  if (!sarif(log)) throw new Error(`invalid SARIF: ${explain(sarif)}`);
}

let report: ValidateFunction | undefined;
export function assertValidReport(data: unknown): void {
  if (!report) {
    const ajv = new Ajv({ strict: true, allErrors: true });
    report = ajv.compile(load(join(import.meta.dirname, '../../packages/core/schema/aisec-report.schema.json')));
  }
  if (!report(data)) throw new Error(`invalid aisec report: ${explain(report)}`);
}

const draft07 = new Map<string, ValidateFunction>();
/** SchemaStore's action.yml / workflow schemas (draft-07). */
export function validatorFor(name: 'github-action' | 'github-workflow'): ValidateFunction {
  let v = draft07.get(name);
  if (!v) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    v = ajv.compile(load(join(SHARED_DATA, `github/${name}.schema.json`)));
    draft07.set(name, v);
  }
  return v;
}

export function assertValid(name: 'github-action' | 'github-workflow', data: unknown, what: string): void {
  const v = validatorFor(name);
  if (!v(data)) throw new Error(`${what} does not match ${name} schema: ${explain(v)}`);
}
