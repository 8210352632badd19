import { CellKind, type ColumnType, type RowBatch, columnTypeOf, kindBit } from '../readers/index';
import type { ContractColumn, DataContract } from './contract-schema';

export interface InferOptions {
  /** A text column with at most this many distinct values (each seen twice on average) gets `categories`. Default 20. */
  maxCategories?: number;
  /** Write `min`/`max` for numeric columns (off by default: a sample's extremes are not a law). */
  ranges?: boolean;
  /** Widen inferred ranges by this fraction of their span on each side. Default 0. */
  rangeMargin?: number;
  /** Distinct values tracked per column for uniqueness; past it, `unique` is not inferred. Default 1,000,000. */
  maxDistinct?: number;
  description?: string;
}

interface ColumnEvidence {
  name: string;
  kinds: number;
  nulls: number;
  min: number;
  max: number;
  categories: Map<string, number> | undefined;
  distinct: Set<string | number> | undefined;
  duplicate: boolean;
}

const ID_NAME = /(^|[_\-.])(id|key|uuid|guid)$/i;

/**
 * Writes a contract from a trusted sample: each column's type as the references infer it, whether it
 * had nulls, the categories of low-cardinality text columns, uniqueness of integer id-like columns
 * (and text columns named like ids), and, when asked, numeric ranges. Bounded memory: categories and
 * distinct sets stop growing at their caps. Push batches as they are read (so it can ride along the
 * statistics' pass over the reference), then `finish`.
 */
export class ContractInferrer {
  private readonly maxCategories: number;
  private readonly maxDistinct: number;
  private readonly columns = new Map<string, ColumnEvidence>();
  private rows = 0;

  constructor(private readonly options: InferOptions = {}) {
    this.maxCategories = options.maxCategories ?? 20;
    this.maxDistinct = options.maxDistinct ?? 1_000_000;
  }

  push(batch: RowBatch): void {
    const { columns, maxCategories, maxDistinct } = this;
    this.rows += batch.length;
    for (const chunk of batch.data) {
      let ev = columns.get(chunk.name);
      if (!ev) {
        ev = { name: chunk.name, kinds: 0, nulls: this.rows - batch.length, min: Infinity, max: -Infinity, categories: new Map(), distinct: new Set(), duplicate: false };
        columns.set(chunk.name, ev);
      }
      for (let i = 0; i < batch.length; i++) {
        const kind = chunk.kinds[i] as CellKind;
        ev.kinds |= kindBit(kind);
        if (kind === CellKind.Null) {
          ev.nulls++;
          continue;
        }
        const num = chunk.numbers[i] as number;
        // The same key countCategories uses: numbers by value, whatever literal the file spelled.
        const text = kind === CellKind.Text ? (chunk.texts[i] ?? '') : kind === CellKind.Boolean ? String(num === 1) : String(num);
        if (kind === CellKind.Integer || kind === CellKind.Float) {
          if (num < ev.min) ev.min = num;
          if (num > ev.max) ev.max = num;
        }
        if (ev.categories) {
          ev.categories.set(text, (ev.categories.get(text) ?? 0) + 1);
          if (ev.categories.size > maxCategories) ev.categories = undefined;
        }
        if (ev.distinct && !ev.duplicate) {
          const key = kind === CellKind.Text ? text : num;
          if (ev.distinct.has(key)) {
            ev.duplicate = true;
            ev.distinct = undefined;
          } else if (ev.distinct.size >= maxDistinct) {
            ev.distinct = undefined;
          } else {
            ev.distinct.add(key);
          }
        }
      }
    }
    // Columns absent from this batch (a later file of a folder) count its rows as nulls.
    for (const ev of columns.values()) if (!batch.columns.includes(ev.name)) ev.nulls += batch.length;
  }

  finish(): DataContract {
    const { options, rows } = this;
    const out: ContractColumn[] = [];
    for (const ev of this.columns.values()) {
      const inferred: ColumnType = columnTypeOf(ev.kinds);
      const type = inferred === 'null' ? 'string' : inferred;
      const col: ContractColumn = { name: ev.name, type, nullable: ev.nulls > 0 };
      const nonNull = rows - ev.nulls;
      const distinctKnown = ev.distinct !== undefined && !ev.duplicate;
      if (distinctKnown && nonNull > 1 && ev.nulls === 0 && (type === 'integer' || (type === 'string' && ID_NAME.test(ev.name)))) col.unique = true;
      if (type === 'string' && ev.categories && ev.categories.size * 2 <= nonNull) col.categories = [...ev.categories.keys()].sort();
      if (options.ranges && (type === 'integer' || type === 'number') && Number.isFinite(ev.min) && Number.isFinite(ev.max)) {
        const margin = (ev.max - ev.min) * (options.rangeMargin ?? 0);
        col.min = type === 'integer' ? Math.floor(ev.min - margin) : ev.min - margin;
        col.max = type === 'integer' ? Math.ceil(ev.max + margin) : ev.max + margin;
      }
      out.push(col);
    }
    const contract: DataContract = { version: 1, columns: out, additionalColumns: false, ordered: false };
    if (options.description) contract.description = options.description;
    return contract;
  }
}

/** Reads every batch of a trusted sample and writes its contract (see ContractInferrer). */
export async function inferContract(batches: AsyncIterable<RowBatch> | Iterable<RowBatch>, options: InferOptions = {}): Promise<DataContract> {
  const inferrer = new ContractInferrer(options);
  for await (const batch of batches) inferrer.push(batch);
  return inferrer.finish();
}
