import type { ColumnType } from '../readers/index';
import { type ScannedTable, categoryKeyAt } from './table-scan';

/**
 * What each column is for the statistics: an id (left out of drift and of row comparisons), the
 * label, a number, a category, or free text. Decided from the trusted reference.
 */
export type ColumnRole = 'id' | 'numeric' | 'categorical' | 'text' | 'empty';

const ID_NAME = /(^|[_\-.])(id|key|uuid|guid)$/i;
const LABEL_NAMES = ['label', 'target', 'y', 'class', 'labels'];
const SOURCE_NAMES = ['source', 'origin', 'annotator', 'contributor', 'domain', 'host', 'url', 'author', 'submitter'];

export function isIdName(name: string): boolean {
  return ID_NAME.test(name);
}

/** The explicit choice, else the first column named like a label. */
export function pickLabelColumn(columns: readonly string[], explicit: string | undefined): string | undefined {
  if (explicit !== undefined && explicit !== '') return explicit;
  return columns.find((c) => LABEL_NAMES.includes(c.toLowerCase()));
}

export function pickSourceColumn(columns: readonly string[], explicit: string | undefined): string | undefined {
  if (explicit !== undefined && explicit !== '') return explicit;
  return columns.find((c) => SOURCE_NAMES.includes(c.toLowerCase()));
}

/**
 * Roles by the reference's types: integer/number columns are numeric; text columns are categorical
 * unless most values are distinct (free text: more distinct values than half the non-null cells,
 * the rule the shared references use).
 */
export function columnRoles(reference: ScannedTable, idColumns: ReadonlySet<string>): Map<string, ColumnRole> {
  const roles = new Map<string, ColumnRole>();
  for (const name of reference.columns) {
    const type: ColumnType | undefined = reference.types[name];
    if (idColumns.has(name)) roles.set(name, 'id');
    else if (type === 'integer' || type === 'number') roles.set(name, 'numeric');
    else if (type === 'null' || type === undefined) roles.set(name, 'empty');
    else {
      const col = reference.byName.get(name);
      let nonNull = 0;
      const distinct = new Set<string>();
      if (col) {
        for (let i = 0; i < col.kinds.length; i++) {
          const k = categoryKeyAt(col, i);
          if (k === null) continue;
          nonNull++;
          distinct.add(k);
        }
      }
      roles.set(name, nonNull > 0 && distinct.size > nonNull / 2 ? 'text' : 'categorical');
    }
  }
  return roles;
}
