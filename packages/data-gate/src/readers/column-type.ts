import { CellKind } from './cell';

/**
 * Column types as the shared references name them. CSV: all integers is `integer`, integers and
 * floats is `number`, anything else is `string`. JSON Lines: JSON's types, integer+number is `number`,
 * any other mix is `string`. A column with no non-null value at all is `null`.
 */
export type ColumnType = 'integer' | 'number' | 'boolean' | 'string' | 'null';

const BIT_INTEGER = 1 << CellKind.Integer;
const BIT_FLOAT = 1 << CellKind.Float;
const BIT_TEXT = 1 << CellKind.Text;
const BIT_BOOLEAN = 1 << CellKind.Boolean;

/** Bit set of the kinds seen in a column; fold with `|` and read with `columnTypeOf`. */
export function kindBit(kind: CellKind): number {
  return kind === CellKind.Null ? 0 : 1 << kind;
}

export function columnTypeOf(kindsSeen: number): ColumnType {
  if (kindsSeen === 0) return 'null';
  if (kindsSeen === BIT_INTEGER) return 'integer';
  if ((kindsSeen & ~(BIT_INTEGER | BIT_FLOAT)) === 0) return 'number';
  if (kindsSeen === BIT_BOOLEAN) return 'boolean';
  if (kindsSeen & (BIT_TEXT | BIT_BOOLEAN)) return 'string';
  return 'string';
}

/** Whether a cell of `kind` fits a column declared as `type` (integers fit number columns). */
export function kindFits(kind: CellKind, type: ColumnType): boolean {
  switch (kind) {
    case CellKind.Null:
      return true;
    case CellKind.Integer:
      return type === 'integer' || type === 'number' || type === 'string';
    case CellKind.Float:
      return type === 'number' || type === 'string';
    case CellKind.Boolean:
      return type === 'boolean' || type === 'string';
    default:
      return type === 'string';
  }
}
