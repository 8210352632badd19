import { statSync } from 'node:fs';
import { CancelledError, UserError } from '@aisec/core';
import { asyncBufferFromFile, type ColumnData, type FileMetaData, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { CellKind } from './cell';
import { type ReadSession, noteKinds, uniqueColumnNames } from './read-session';
import { batchRowsFor } from './reader-limits';
import { BatchBuilder, type RowBatch } from './row-batch';

/**
 * Parquet through hyparquet (pure JavaScript, no native code to ship), one row group at a time: a
 * row group is the unit Parquet compresses and lays out, so memory is bounded by the largest row
 * group, which is checked against `maxRowGroupBytes` before it is read. Parquet has no lines, so
 * `lines` are 0; rows are 0-based over the whole file. Numbers and booleans carry no text (Parquet
 * stores no literal, and formatting every double costs more than decoding it).
 */
export interface ParquetReadOptions {
  /** Largest uncompressed row group read, in bytes (default 512 MiB). */
  maxRowGroupBytes?: number;
}

const DEFAULT_MAX_ROW_GROUP_BYTES = 512 * 1024 * 1024;

const FLOAT_TYPES = new Set(['FLOAT', 'DOUBLE']);

export async function* readParquetFile(
  path: string,
  displayPath: string,
  options: ParquetReadOptions,
  session: ReadSession,
): AsyncGenerator<RowBatch> {
  const { limits, reader, problems } = session;
  const size = statSync(path).size;
  if (size > limits.maxFileBytes) {
    throw new UserError(`${displayPath} is ${size} bytes, over the ${limits.maxFileBytes}-byte file limit`, {
      file: displayPath,
      hint: 'split the data into shards (a folder of files) or raise limits.maxFileBytes',
    });
  }
  const file = await asyncBufferFromFile(path);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new UserError(`${displayPath} is not a readable Parquet file: ${(error as Error).message}`, {
      file: displayPath,
      hint: 'check that the file is Parquet and complete (its footer is at the end)',
      cause: error,
    });
  }
  const top = parquetSchema(metadata).children;
  if (top.length > reader.maxColumns) {
    throw new UserError(`${displayPath} has ${top.length} columns, over the limit of ${reader.maxColumns}`, { file: displayPath });
  }
  const columns = uniqueColumnNames(
    top.map((c) => c.element.name),
    displayPath,
    problems,
  );
  const isFloat = top.map((c) => FLOAT_TYPES.has(c.element.type ?? '') || c.element.converted_type === 'DECIMAL');
  const maxGroup = options.maxRowGroupBytes ?? DEFAULT_MAX_ROW_GROUP_BYTES;
  const start = Date.now();
  let groupStart = 0;
  let row = 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    if (session.signal?.aborted) throw new CancelledError();
    if (Date.now() - start > limits.timePerFileMs) {
      throw new UserError(`reading ${displayPath} took longer than ${limits.timePerFileMs} ms, at data row ${row} (row group ${g})`, {
        file: displayPath,
        hint: 'split the data into shards or raise limits.timePerFileMs',
      });
    }
    const groupRows = Number(group.num_rows);
    // The footer's own claims, checked before any page is decompressed: every column chunk inside
    // the file, and no chunk expanding more than the decompression ratio allows.
    let groupBytes = Number(group.total_byte_size);
    let chunkBytes = 0;
    for (const chunk of group.columns) {
      const md = chunk.meta_data;
      if (!md) continue;
      const offset = Number(md.dictionary_page_offset ?? md.data_page_offset);
      const compressed = Number(md.total_compressed_size);
      const uncompressed = Number(md.total_uncompressed_size);
      if (offset < 0 || compressed < 0 || offset + compressed > size) {
        throw new UserError(`row group ${g} of ${displayPath}: column ${md.path_in_schema.join('.')} claims bytes outside the file`, {
          file: displayPath,
          hint: 'the file is truncated or corrupt',
        });
      }
      if (uncompressed > 1024 * 1024 && uncompressed > compressed * limits.maxDecompressionRatio) {
        throw new UserError(`row group ${g} of ${displayPath}: column ${md.path_in_schema.join('.')} expands ${compressed} to ${uncompressed} bytes, over the ${limits.maxDecompressionRatio}x ratio`, {
          file: displayPath,
          hint: 'a decompression bomb, or raise limits.maxDecompressionRatio',
        });
      }
      chunkBytes += uncompressed;
    }
    groupBytes = Math.max(groupBytes, chunkBytes);
    if (groupBytes > maxGroup) {
      throw new UserError(
        `row group ${g} of ${displayPath} (rows ${groupStart}..${groupStart + groupRows - 1}) is ${groupBytes} bytes uncompressed, over the ${maxGroup}-byte limit`,
        { file: displayPath, hint: 'write the file with smaller row groups, or raise maxRowGroupBytes' },
      );
    }
    const data: (ArrayLike<unknown> | undefined)[] = Array.from({ length: columns.length });
    const offsets: number[] = Array.from({ length: columns.length }, () => 0);
    const byName = new Map(top.map((c, i) => [c.element.name, i]));
    try {
      await parquetRead({
        file,
        metadata,
        rowStart: groupStart,
        rowEnd: groupStart + groupRows,
        onChunk(chunk: ColumnData) {
          const c = byName.get(chunk.columnName);
          if (c === undefined || chunk.rowEnd <= groupStart) return;
          data[c] = chunk.columnData;
          offsets[c] = chunk.rowStart - groupStart;
        },
      });
    } catch (error) {
      throw new UserError(`cannot decode row group ${g} of ${displayPath}: ${(error as Error).message}`, {
        file: displayPath,
        hint: 'the file may be corrupt or use an encoding this reader does not know',
        cause: error,
      });
    }
    const batchRows = batchRowsFor(reader, columns.length);
    for (let from = 0; from < groupRows; from += batchRows) {
      const to = Math.min(groupRows, from + batchRows);
      const builder = new BatchBuilder(displayPath, columns, to - from);
      for (let r = from; r < to; r++) {
        const slot = builder.begin(row + r - from, 0);
        for (let c = 0; c < columns.length; c++) {
          const values = data[c];
          const v = values === undefined ? null : values[r - (offsets[c] ?? 0)];
          setValue(builder, slot, c, v, isFloat[c] === true);
        }
      }
      row += to - from;
      const batch = builder.take(session.tableRow);
      session.tableRow += batch.length;
      noteKinds(session, batch);
      yield batch;
    }
    groupStart += groupRows;
  }
  if (row === 0) {
    problems.add('empty-file', displayPath, 'the file has no rows');
    yield new BatchBuilder(displayPath, columns, 0).take(session.tableRow);
  }
}

function setValue(builder: BatchBuilder, slot: number, c: number, v: unknown, float: boolean): void {
  if (v === null || v === undefined) {
    builder.setNull(slot, c);
  } else if (typeof v === 'number') {
    const kind = float || !Number.isInteger(v) ? CellKind.Float : CellKind.Integer;
    builder.set(slot, c, kind, v, null);
  } else if (typeof v === 'bigint') {
    builder.set(slot, c, CellKind.Integer, Number(v), v.toString());
  } else if (typeof v === 'boolean') {
    builder.set(slot, c, CellKind.Boolean, v ? 1 : 0, null);
  } else if (typeof v === 'string') {
    builder.set(slot, c, CellKind.Text, Number.NaN, v);
  } else if (v instanceof Date) {
    builder.set(slot, c, CellKind.Text, Number.NaN, Number.isNaN(v.getTime()) ? String(v) : v.toISOString());
  } else if (v instanceof Uint8Array) {
    builder.set(slot, c, CellKind.Text, Number.NaN, Buffer.from(v).toString('base64'));
  } else {
    builder.set(
      slot,
      c,
      CellKind.Text,
      Number.NaN,
      JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)),
    );
  }
}
