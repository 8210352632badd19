import { UserError } from '@aisec/core';
import { CellKind, classifyCsvBytes, classifyCsvField, csvScratch } from './cell';
import { CsvLimitError, type CsvRecordView, CsvTokenizer } from './csv-tokenizer';
import { PlainRowDecoder, plainRowsFit } from './csv-plain-rows';
import { readBytes } from './byte-source';
import { type ReadSession, locateErrors, noteKinds, uniqueColumnNames } from './read-session';
import { BatchBuilder, type RowBatch } from './row-batch';
import { decodeToBytes, type TextEncoding } from './text-decoding';
import { batchRowsFor } from './reader-limits';
import { TextInterner } from './text-interner';
import { sniffDelimiter } from './delimiter-sniff';

export interface CsvReadOptions {
  /** One character; by default `\t` for .tsv/.tab, `,` for .csv, sniffed from the header otherwise. */
  delimiter?: string;
  encoding?: TextEncoding;
  /**
   * false reads every row with the general tokenizer, never the plain-row decoder: for tests that
   * check the two give the same cells. Default true.
   */
  plainRows?: boolean;
}

/** Batches of rows of one CSV/TSV file (optionally gzipped); the first non-blank record is the header. */
export async function* readCsvFile(
  path: string,
  displayPath: string,
  options: CsvReadOptions,
  session: ReadSession,
): AsyncGenerator<RowBatch> {
  const { problems, reader } = session;
  const source = readBytes(path, { limits: session.limits, signal: session.signal, displayPath });
  let tokenizer: CsvTokenizer | undefined;
  let columns: string[] | undefined;
  let builder: BatchBuilder | undefined;
  let interners: TextInterner[] = [];
  let row = 0;
  let chunkInvalid = false;
  let latin1 = false;
  let delimiterCode = 0x2c;
  const ready: RowBatch[] = [];

  const onRecord = (record: CsvRecordView): void => {
    const count = record.count;
    if (count === 1 && record.isEmpty(0) && !record.quoted) return; // blank line, as pandas skips it
    if (columns === undefined) {
      columns = uniqueColumnNames(record.texts(), displayPath, problems);
      const encoding = latin1 ? 'latin1' : 'utf8';
      const decode = (buf: Buffer, start: number, end: number): string => buf.toString(encoding, start, end);
      interners = columns.map(() => new TextInterner(decode));
      builder = new BatchBuilder(
        displayPath,
        columns,
        batchRowsFor(reader, columns.length),
        interners.map((interner) => interner.values),
      );
      if (options.plainRows !== false && plainRowsFit(delimiterCode)) {
        const plain = new PlainRowDecoder(delimiterCode, columns.length, reader.maxFieldChars, reader.maxRecordChars, interners, builder);
        const b = builder;
        (tokenizer as CsvTokenizer).plainRows = {
          lines: 0,
          read(buf, p, end, line) {
            let next = p;
            let lines = 0;
            // Rows with invalid bytes are checked cell by cell on the general path.
            if (chunkInvalid) {
              this.lines = 0;
              return p;
            }
            for (;;) {
              next = plain.read(buf, next, end, line + lines, row);
              const got = plain.lines;
              row += got;
              lines += got;
              if (b.full) takeBatch();
              if (got === 0 || next >= end) break;
            }
            this.lines = lines;
            return next;
          },
        };
      }
      return;
    }
    const b = builder as BatchBuilder;
    const slot = b.begin(row, record.line);
    const width = columns.length;
    const n = count < width ? count : width;
    const { bytes, starts, ends, escaped } = record;
    let invalidText = false;
    for (let c = 0; c < n; c++) {
      let kind: CellKind;
      let text: string | null = null;
      let code = -1;
      if (escaped[c] === 1) {
        // A quoted field with escapes: its text was built by the tokenizer; type it like any other.
        const unescaped = record.unescaped[c] as string;
        kind = classifyCsvField(unescaped);
        if (kind === CellKind.Text) {
          const interner = interners[c] as TextInterner;
          code = idOfText(interner, unescaped, latin1);
          text = code >= 0 ? (interner.values[code] as string) : unescaped;
        }
      } else {
        const start = starts[c] as number;
        const end = ends[c] as number;
        kind = classifyCsvBytes(bytes, start, end);
        if (kind === CellKind.Text) {
          const interner = interners[c] as TextInterner;
          if (chunkInvalid) {
            // The bytes may not be valid: key the interner by the text they decode to.
            const decoded = interner.decode(bytes, start, end);
            code = decoded.includes('\uFFFD') ? idOfText(interner, decoded, latin1) : interner.idOf(bytes, start, end);
            text = code >= 0 ? (interner.values[code] as string) : decoded;
          } else {
            code = interner.idOf(bytes, start, end);
            text = code >= 0 ? (interner.values[code] as string) : interner.decode(bytes, start, end);
          }
        }
      }
      if (kind === CellKind.Text) {
        b.set(slot, c, kind, Number.NaN, text, code);
        if (chunkInvalid && !invalidText && (text as string).includes('\uFFFD')) invalidText = true;
      } else {
        // Numbers keep no text: the value is what the statistics, the contract and pandas see.
        b.set(slot, c, kind, kind === CellKind.Null ? Number.NaN : csvScratch.number, null);
      }
    }
    for (let c = n; c < width; c++) b.setNull(slot, c);
    if (count !== width) {
      problems.add(
        'ragged-row',
        displayPath,
        `rows with a different number of fields than the header's ${width} (short rows are padded with nulls, extra fields dropped)`,
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
    endRow();
  };

  const takeBatch = (): void => {
    const batch = (builder as BatchBuilder).take(session.tableRow);
    session.tableRow += batch.length;
    ready.push(batch);
  };

  /** Counts the row just filled and hands out the batch when it is full. */
  const endRow = (): void => {
    row++;
    if ((builder as BatchBuilder).full) takeBatch();
  };

  const failAt = (error: CsvLimitError): UserError =>
    new UserError(`${error.message} in ${columns === undefined ? 'the header' : `row ${row}`} (line ${error.line})`, {
      file: displayPath,
      line: error.line,
      hint: error.hint,
    });

  const chunks = locateErrors(decodeToBytes(source, options.encoding ?? 'utf-8', displayPath), displayPath, () => ({ row, line: tokenizer?.line ?? 1 }));
  for await (const chunk of chunks) {
    if (tokenizer === undefined) {
      const delimiter = options.delimiter ?? sniffDelimiter(displayPath, chunk.bytes.toString(chunk.latin1 ? 'latin1' : 'utf8', 0, Math.min(chunk.bytes.length, 65_536)));
      if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 0x7f) {
        throw new UserError(`unsupported CSV delimiter ${JSON.stringify(delimiter)} for ${displayPath}`, { file: displayPath, hint: 'the delimiter must be one ASCII character' });
      }
      latin1 = chunk.latin1;
      delimiterCode = delimiter.charCodeAt(0);
      tokenizer = new CsvTokenizer(delimiter, reader, latin1);
    }
    chunkInvalid = chunk.invalid;
    try {
      tokenizer.push(chunk.bytes, onRecord);
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
    tokenizer?.end(onRecord);
  } catch (error) {
    if (error instanceof CsvLimitError) throw failAt(error);
    throw error;
  }
  if (builder && builder.length > 0) takeBatch();
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

/** The id of a text that is not a run of valid bytes of the file: the interner's key is its encoding. */
function idOfText(interner: TextInterner, text: string, latin1: boolean): number {
  const bytes = Buffer.from(text, latin1 ? 'latin1' : 'utf8');
  return interner.idOf(bytes, 0, bytes.length);
}
