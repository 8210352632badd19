import { readFileSync } from 'node:fs';

/**
 * A test-only loader for the shared data-gate fixtures (the product's streaming readers live in
 * packages/data-gate/src/readers). It follows the README's conventions: in CSV only an empty field is
 * null and fields use RFC-4180 quoting; in JSONL `null` is null. A column is numeric when every
 * non-null value is a number (CSV: an integer or a parsable float); otherwise its cells stay strings.
 */
export type Cell = null | number | string;

export interface Column {
  name: string;
  kind: 'numeric' | 'string';
  cells: Cell[];
}

export interface Table {
  columns: Column[];
  rows: number;
}

export function column(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}

/** RFC 4180: quoted fields may hold commas, CR/LF and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  const endRecord = (): void => {
    record.push(field);
    records.push(record);
    record = [];
    field = '';
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      endRecord();
      i += 2;
    } else if (ch === '\n') {
      endRecord();
      i++;
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

const INTEGER = /^[+-]?\d+$/;

function csvNumber(text: string): number | undefined {
  if (INTEGER.test(text)) return Number(text);
  const trimmed = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return Number(trimmed);
  return undefined;
}

export function loadCsv(path: string): Table {
  const [header, ...records] = parseCsv(readFileSync(path, 'utf8'));
  if (!header) throw new Error(`${path}: empty CSV`);
  const columns: Column[] = header.map((name, j) => {
    const raw = records.map((r) => {
      const v = r[j];
      if (v === undefined) throw new Error(`${path}: ragged row`);
      return v === '' ? null : v;
    });
    const numbers = raw.map((v) => (v === null ? null : csvNumber(v)));
    const numeric = numbers.every((v) => v !== undefined);
    return numeric
      ? { name, kind: 'numeric', cells: numbers.map((v) => (v === undefined ? null : v)) }
      : { name, kind: 'string', cells: raw };
  });
  return { columns, rows: records.length };
}

export function loadJsonl(path: string): Table {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const objects = lines.map((l, i) => {
    const value: unknown = JSON.parse(l);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path}:${i + 1}: not a JSON object`);
    return new Map(Object.entries(value));
  });
  const names: string[] = [];
  for (const o of objects) for (const k of o.keys()) if (!names.includes(k)) names.push(k);
  const columns: Column[] = names.map((name) => {
    const raw = objects.map((o) => o.get(name) ?? null);
    const numeric = raw.every((v) => v === null || typeof v === 'number');
    const cells: Cell[] = raw.map((v) => {
      if (v === null) return null;
      if (typeof v === 'number' || typeof v === 'string') return v;
      return JSON.stringify(v);
    });
    return { name, kind: numeric ? 'numeric' : 'string', cells: numeric ? cells : cells.map((c) => (c === null ? null : String(c))) };
  });
  return { columns, rows: objects.length };
}

export function loadTable(path: string): Table {
  return path.endsWith('.jsonl') ? loadJsonl(path) : loadCsv(path);
}

/** Numeric cells as a Float64Array with NaN for nulls. */
export function numericCells(col: Column): Float64Array {
  return Float64Array.from(col.cells, (c) => (typeof c === 'number' ? c : NaN));
}

export function stringCells(col: Column): (string | null)[] {
  return col.cells.map((c) => (c === null ? null : String(c)));
}
