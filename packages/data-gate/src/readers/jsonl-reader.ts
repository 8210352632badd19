import { UserError } from '@aisec/core';
import { CellKind } from './cell';
import { readBytes } from './byte-source';
import { type JsonFields, JsonLineError, parseJsonObjectLine } from './jsonl-line';
import { type ReadSession, locateErrors, noteKinds } from './read-session';
import { batchRowsFor } from './reader-limits';
import { BatchBuilder, type RowBatch } from './row-batch';
import { decodeText, type TextEncoding } from './text-decoding';

export interface JsonlReadOptions {
  encoding?: TextEncoding;
}

/**
 * Batches of rows of one JSON Lines file (optionally gzipped). Columns are the keys in order of first
 * appearance; a key first seen on a later row adds a column (earlier rows read it as null). A line
 * that is not one JSON object is a `bad-json-line` problem and is skipped, but keeps its row number,
 * so later rows still have row = line - 1 when the file has no blank lines (blank lines are skipped,
 * as pandas does).
 */
export async function* readJsonlFile(
  path: string,
  displayPath: string,
  options: JsonlReadOptions,
  session: ReadSession,
): AsyncGenerator<RowBatch> {
  const { problems, reader } = session;
  const bytes = readBytes(path, { limits: session.limits, signal: session.signal, displayPath });
  const columns: string[] = [];
  const index = new Map<string, number>();
  let builder = new BatchBuilder(displayPath, [], reader.batchRows);
  const fields: JsonFields = { keys: [], kinds: [], numbers: [], texts: [] };
  const ready: RowBatch[] = [];
  let row = 0;
  let line = 0;
  let pending = '';
  let chunkInvalid = false;
  // The previous row's keys and their columns: rows of one file almost always repeat them.
  const hintKeys: (string | undefined)[] = [];
  const hintColumns: number[] = [];

  const flush = (): void => {
    if (builder.length === 0) return;
    const batch = builder.take(session.tableRow);
    session.tableRow += batch.length;
    ready.push(batch);
  };

  const onLine = (text: string): void => {
    line++;
    if (text.trim().length === 0) return;
    try {
      parseJsonObjectLine(text, fields, session.limits.maxDepth, hintKeys);
    } catch (error) {
      if (!(error instanceof JsonLineError)) throw error;
      problems.add('bad-json-line', displayPath, `lines that are not one JSON object (first: ${error.message} at column ${error.column})`, {
        row,
        line,
      });
      row++;
      return;
    }
    let grew = false;
    for (let k = 0; k < fields.keys.length; k++) {
      const key = fields.keys[k] as string;
      if (key === hintKeys[k]) continue; // same key as the previous row at this place: known column
      if (!index.has(key)) {
        if (columns.length >= reader.maxColumns) {
          throw new UserError(`more than ${reader.maxColumns} distinct keys by row ${row} (line ${line})`, {
            file: displayPath,
            line,
            hint: 'JSON Lines rows should share one set of keys; raise the reader limit maxColumns if this is intended',
          });
        }
        index.set(key, columns.length);
        columns.push(key);
        grew = true;
      }
    }
    if (grew) {
      flush();
      builder = new BatchBuilder(displayPath, [...columns], batchRowsFor(reader, columns.length));
    }
    const slot = builder.begin(row, line);
    for (let c = 0; c < columns.length; c++) builder.setNull(slot, c);
    let invalidText = false;
    for (let k = 0; k < fields.keys.length; k++) {
      const key = fields.keys[k] as string;
      let c: number;
      if (key === hintKeys[k]) {
        c = hintColumns[k] as number;
      } else {
        c = index.get(key) as number;
        // Hints must match the raw text, so keys that JSON escapes are never hints.
        hintKeys[k] = needsEscape(key) ? undefined : key;
        hintColumns[k] = c;
      }
      const t = fields.texts[k] ?? null;
      builder.set(slot, c, fields.kinds[k] as CellKind, fields.numbers[k] as number, t);
      if (chunkInvalid && t !== null && t.includes('\uFFFD')) invalidText = true;
    }
    if (invalidText) {
      problems.add('invalid-encoding', displayPath, `bytes that are not valid ${options.encoding ?? 'utf-8'} (decoded as U+FFFD)`, { row, line });
    }
    row++;
    if (builder.full) flush();
  };

  const chunks = locateErrors(decodeText(bytes, options.encoding ?? 'utf-8', displayPath), displayPath, () => ({ row, line: line + 1 }));
  for await (const chunk of chunks) {
    chunkInvalid = chunk.invalid;
    const text = chunk.text;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      onLine(pending.length > 0 ? pending + piece : piece);
      pending = '';
      start = nl + 1;
    }
    if (start < text.length) {
      if (pending.length + text.length - start > reader.maxRecordChars) {
        throw new UserError(`a line longer than ${reader.maxRecordChars} characters at row ${row} (line ${line + 1})`, {
          file: displayPath,
          line: line + 1,
          hint: 'JSON Lines needs one object per line; raise the reader limit maxRecordChars if rows are really that long',
        });
      }
      pending += text.slice(start);
    }
    for (const batch of ready) {
      noteKinds(session, batch);
      yield batch;
    }
    ready.length = 0;
  }
  if (pending.length > 0) onLine(pending);
  flush();
  for (const batch of ready) {
    noteKinds(session, batch);
    yield batch;
  }
  if (row === 0) {
    problems.add('empty-file', displayPath, 'the file has no rows');
    yield new BatchBuilder(displayPath, [], 0).take(session.tableRow);
  }
}

/** Whether JSON writes `key` differently from its text (a quote, a backslash, a control character). */
function needsEscape(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return true;
  }
  return false;
}
