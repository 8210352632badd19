/**
 * PEP 503 name normalization: lower case, every run of `-`, `_` and `.` as one `-`. Applied to both the
 * dependency and the advisory, because feeds mix spellings (`Pillow`/`pillow`, `PyYAML`/`pyyaml`).
 */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}
