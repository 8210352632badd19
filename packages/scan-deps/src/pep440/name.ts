// Matching compares every advisory's package name with the dependency's, again for each fix candidate:
// the same few hundred spellings, normalized once each.
const NORMALIZED_LIMIT = 100_000;
const normalizedNames = new Map<string, string>();

/**
 * PEP 503 name normalization: lower case, every run of `-`, `_` and `.` as one `-`. Applied to both the
 * dependency and the advisory, because feeds mix spellings (`Pillow`/`pillow`, `PyYAML`/`pyyaml`).
 */
export function normalizeName(name: string): string {
  let normalized = normalizedNames.get(name);
  if (normalized === undefined) {
    normalized = name.trim().toLowerCase().replace(/[-_.]+/g, '-');
    if (normalizedNames.size >= NORMALIZED_LIMIT) normalizedNames.clear();
    normalizedNames.set(name, normalized);
  }
  return normalized;
}
