import { UserError } from '@aisec/core';
import { CellKind, classifyCsvRange, csvScratch } from './cell';
import { CsvLimitError, CsvParser, type CsvRecord } from './csv-parser';
import { readBytes } from './byte-source';
import { type ReadSession, locateErrors, noteKinds, uniqueColumnNames } from './read-session';
import { BatchBuilder, type RowBatch } from './row-batch';
import { decodeText, type TextEncoding } from './text-decoding';
import { sniffDelimiter } from './delimiter-sniff';

export interface CsvReadOptions {
  /** One character; by default `\t` for .tsv/.tab, `,` for .csv, sniffed from the header otherwise. */
  delimiter?: string;
  encoding?: TextEncoding;
}

/** Batches of rows of one CSV/TSV file (optionally gzipped); the first non-blank record is the header. */
export async function* readCsvFile(
  path: string,
  displayPath: string,
  options: CsvReadOptions,
  session: ReadSession,
): AsyncGenerator<RowBatch> {
  const { problems, reader } = session;
  const bytes = readBytes(path, { limits: session.limits, signal: session.signal, displayPath });
  let parser: CsvParser | undefined;
  let columns: string[] | undefined;
  let builder: BatchBuilder | undefined;
  let row = 0;
  let chunkInvalid = false;
  const ready: RowBatch[] = [];

  const onRecord = (record: CsvRecord): void => {
    const fields = record.fields;
    if (fields.length === 1 && fields.isEmpty(0) && !record.quoted) return; // blank line, as pandas skips it
    if (columns === undefined) {
      columns = uniqueColumnNames(fields.texts(), displayPath, problems);
      builder = new BatchBuilder(displayPath, columns, reader.batchRows);
      return;
    }
    const b = builder as BatchBuilder;
    const slot = b.begin(row, record.line);
    const n = Math.min(fields.length, columns.length);
    let invalidText = false;
    const { sources, starts, ends } = fields;
    for (let c = 0; c < n; c++) {
      const kind = classifyCsvRange(sources[c] as string, starts[c] as number, ends[c] as number);
      if (kind === CellKind.Null) {
        b.setNull(slot, c);
      } else if (kind === CellKind.Text) {
        const text = fields.text(c);
        b.set(slot, c, kind, Number.NaN, text);
        if (chunkInvalid && !invalidText && text.includes('\uFFFD')) invalidText = true;
      } else {
        // Numbers keep no text: the value is what the statistics, the contract and pandas see.
        b.set(slot, c, kind, csvScratch.number, null);
      }
    }
    for (let c = n; c < columns.length; c++) b.setNull(slot, c);
    if (fields.length !== columns.length) {
      problems.add(
        'ragged-row',
        displayPath,
        `rows with a different number of fields than the header's ${columns.length} (short rows are padded with nulls, extra fields dropped)`,
        { row, line: record.line },
      );
    }
    if (record.badQuoting) {
      problems.add('bad-quoting', displayPath, 'a quote character out of place (inside an unquoted field, after a closing quote, or never closed)', {
        row,
        line: record.line,
      });
    }
    if (invalidText) {
      problems.add(
        'invalid-encoding',
        displayPath,
        `bytes that are not valid ${options.encoding ?? 'utf-8'} (decoded as U+FFFD); if the file is latin-1, read it with encoding latin1`,
        { row, line: record.line },
      );
    }
    row++;
    if (b.full) {
      const batch = b.take(session.tableRow);
      session.tableRow += batch.length;
      ready.push(batch);
    }
  };

  const failAt = (error: CsvLimitError): UserError =>
    new UserError(`${error.message} in ${columns === undefined ? 'the header' : `row ${row}`} (line ${error.line})`, {
      file: displayPath,
      line: error.line,
      hint: error.hint,
    });

  const chunks = locateErrors(decodeText(bytes, options.encoding ?? 'utf-8', displayPath), displayPath, () => ({ row, line: parser?.line ?? 1 }));
  for await (const chunk of chunks) {
    if (parser === undefined) {
      const delimiter = options.delimiter ?? sniffDelimiter(displayPath, chunk.text);
      parser = new CsvParser(delimiter, reader);
    }
    chunkInvalid = chunk.invalid;
    try {
      parser.push(chunk.text, onRecord);
    } catch (error) {
      if (error instanceof CsvLimitError) throw failAt(error);
      throw error;
    }
    for (const batch of ready) {
      noteKinds(session, batch);
      yield batch;
    }
    ready.length = 0;
  }
  try {
    parser?.end(onRecord);
  } catch (error) {
    if (error instanceof CsvLimitError) throw failAt(error);
    throw error;
  }
  if (builder && builder.length > 0) {
    const batch = builder.take(session.tableRow);
    session.tableRow += batch.length;
    ready.push(batch);
  }
  for (const batch of ready) {
    noteKinds(session, batch);
    yield batch;
  }
  if (row === 0) {
    problems.add(
      'empty-file',
      displayPath,
      columns === undefined ? 'the file is empty (no header, no rows)' : 'the file has a header but no data rows',
    );
  }
  if (columns === undefined) {
    // Still tell the consumer the (empty) shape, so a folder reader can compare headers.
    yield new BatchBuilder(displayPath, [], 0).take(session.tableRow);
  } else if (row === 0) {
    yield new BatchBuilder(displayPath, columns, 0).take(session.tableRow);
  }
}
