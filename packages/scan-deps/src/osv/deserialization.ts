import type { OsvVulnerability } from './osv-schema';

/**
 * Advisories about loading untrusted serialized data (pickle, `torch.load`, Keras `safe_mode`,
 * `trust_remote_code`, `yaml.load`): in an ML project these mean "a model or dataset file can run code",
 * which is what scan-pickle checks, so they are tagged to point there.
 *
 * Decided by CWE-502 ("Deserialization of Untrusted Data") where the advisory lists CWEs (GitHub's
 * `database_specific.cwe_ids`), else by wording: a loader or deserialization term together with a
 * code-execution term. The second half keeps out advisories that merely mention pickle (libsvm's
 * PYSEC-2020-108, a crash) or an op named `DeserializeSparse` (TensorFlow's PYSEC-2021-407, a null pointer).
 */
const LOADER =
  /\bun?pickl|\bpickle\b|torch\.load|safe_mode|trust_remote_code|yaml\.(?:unsafe_)?load|\bunsafe_load|\bfull_load|FullLoader|UnsafeLoader|joblib\.load|\bnp\.load|numpy\.load|allow_pickle|read_pickle|cloudpickle|\bdill\b|\bunserializ|\bdeserializ(?:e|es|ed|ing|ation)\b/i;
const CODE_EXECUTION = /arbitrary code|code execution|execut(?:e|es|ion)\b|commands?\b|\bPopen\b|\bRCE\b|\bsubprocess\b|\bos\.system\b/i;

export interface DeserializationTag {
  /** What decided it: the CWE id or the words that matched. */
  reason: string;
}

function cweIds(advisory: OsvVulnerability): string[] {
  const places = [advisory.database_specific, ...advisory.affected.map((a) => a.database_specific)];
  const ids: string[] = [];
  for (const place of places) {
    const value = place?.cwe_ids;
    if (Array.isArray(value)) for (const id of value) if (typeof id === 'string') ids.push(id.toUpperCase());
  }
  return ids;
}

/** The tag when the advisory is about unsafe deserialization, else undefined. */
export function deserializationTag(advisory: OsvVulnerability): DeserializationTag | undefined {
  if (cweIds(advisory).includes('CWE-502') || advisory.aliases.includes('CWE-502')) return { reason: 'CWE-502' };
  const text = `${advisory.summary ?? ''}\n${advisory.details ?? ''}`;
  const loader = LOADER.exec(text);
  if (!loader) return undefined;
  const execution = CODE_EXECUTION.exec(text);
  if (!execution) return undefined;
  return { reason: `mentions "${loader[0]}" and "${execution[0]}"` };
}
