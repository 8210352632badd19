/**
 * The column-level difference between two tables' schemas, in the shape the shared references give
 * it (`schema.diff`): columns missing from or added in the current data, columns whose inferred type
 * changed, and whether the columns both have appear in a different order.
 */
export interface TableSchema {
  columns: readonly string[];
  types: Readonly<Record<string, string>>;
}

export interface SchemaDiff {
  missing_in_current: string[];
  added_in_current: string[];
  type_changed: Record<string, [string, string]>;
  column_order_changed: boolean;
}

export function schemaDiff(reference: TableSchema, current: TableSchema): SchemaDiff {
  const cur = new Set(current.columns);
  const ref = new Set(reference.columns);
  const type_changed: Record<string, [string, string]> = {};
  for (const c of reference.columns) {
    const a = reference.types[c];
    const b = current.types[c];
    if (cur.has(c) && a !== undefined && b !== undefined && a !== b) type_changed[c] = [a, b];
  }
  const commonRef = reference.columns.filter((c) => cur.has(c));
  const commonCur = current.columns.filter((c) => ref.has(c));
  return {
    missing_in_current: reference.columns.filter((c) => !cur.has(c)),
    added_in_current: current.columns.filter((c) => !ref.has(c)),
    type_changed,
    column_order_changed: commonRef.some((c, i) => commonCur[i] !== c),
  };
}

/** Edit distance, for "was it renamed?" hints; bounded work since names are short. */
function editDistance(a: string, b: string): number {
  if (a.length > 256 || b.length > 256) return Math.max(a.length, b.length);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/**
 * The added column a missing one was most likely renamed to: same type (when known), and a name that
 * extends, shortens or is within a third of an edit away from the old one. Undefined when none fits.
 */
export function likelyRename(missing: string, added: readonly string[], typeOf: (column: string) => string | undefined, missingType?: string): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  const m = missing.toLowerCase();
  for (const candidate of added) {
    const t = typeOf(candidate);
    if (missingType !== undefined && t !== undefined && t !== missingType && !(missingType === 'number' && t === 'integer')) continue;
    const c = candidate.toLowerCase();
    const score = c.startsWith(m) || m.startsWith(c) ? 0.5 : editDistance(m, c);
    if (score <= Math.max(1, Math.floor(Math.max(m.length, c.length) / 3)) && score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
