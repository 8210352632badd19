/**
 * PEP 503 name normalization: advisory feeds and lockfiles spell the same project `Pillow`, `pillow`,
 * `PyYAML`, `ruamel.yaml` or `ruamel_yaml`; compare names only after this.
 */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
