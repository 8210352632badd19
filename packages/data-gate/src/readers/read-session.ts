import { type Limits, UserError } from '@aisec/core';
import { columnTypeOf, kindBit } from './column-type';
import type { CellKind } from './cell';
import type { ReaderLimits } from './reader-limits';
import type { ReadProblemLog } from './read-problems';
import type { RowBatch } from './row-batch';

/** What the readers of one table share: limits, the problem log, and what they learned on the way. */
export interface ReadSession {
  limits: Limits;
  reader: ReaderLimits;
  signal?: AbortSignal;
  problems: ReadProblemLog;
  /** Column name to the bit set of cell kinds seen (see column-type.ts). */
  kinds: Map<string, number>;
  /** Rows handed out so far, over all files. */
  tableRow: number;
}

/** Folds the kinds of one batch into the session's per-column type evidence. */
export function noteKinds(session: ReadSession, batch: RowBatch): void {
  const seen = new Uint8Array(256);
  for (const chunk of batch.data) {
    let bits = session.kinds.get(chunk.name) ?? 0;
    // A string column stays one whatever else comes (see columnTypeOf): no need to look.
    if (bits !== 0 && columnTypeOf(bits) === 'string') continue;
    // One independent store per cell (no chain of ORs through a branch), then the bits from the table.
    seen.fill(0);
    const kinds = chunk.kinds;
    let i = 0;
    if (kinds.byteOffset % 4 === 0) {
      // Four cells at a time, looking into a word only when it differs from the last one: a column of
      // one kind costs a compare per four cells.
      const words = new Uint32Array(kinds.buffer, kinds.byteOffset, kinds.length >>> 2);
      let last = -1;
      for (let w = 0; w < words.length; w++) {
        const word = words[w] as number;
        if (word === last) continue;
        last = word;
        seen[word & 0xff] = 1;
        seen[(word >>> 8) & 0xff] = 1;
        seen[(word >>> 16) & 0xff] = 1;
        seen[word >>> 24] = 1;
      }
      i = words.length * 4;
    }
    for (; i < kinds.length; i++) seen[kinds[i] as number] = 1;
    for (let k = 0; k < 8; k++) if (seen[k] === 1) bits |= kindBit(k as CellKind);
    session.kinds.set(chunk.name, bits);
  }
}

/** Header names made unique the way pandas does it (`a`, `a.1`), with blanks named `Unnamed: i`. */
export function uniqueColumnNames(raw: readonly string[], file: string, problems: ReadProblemLog): string[] {
  const seen = new Set<string>();
  return raw.map((name, i) => {
    let n = name === '' ? `Unnamed: ${i}` : name;
    if (seen.has(n)) {
      let k = 1;
      while (seen.has(`${n}.${k}`)) k++;
      problems.add('duplicate-column', file, `column name '${n}' appears more than once in the header`, { column: n });
      n = `${n}.${k}`;
    }
    seen.add(n);
    return n;
  });
}

/**
 * Passes a text stream through, adding where reading had got to (data row and line) to a UserError
 * the byte source raises on the way (the time limit, a decompression bound, a corrupt gzip stream).
 */
export async function* locateErrors<T>(source: AsyncIterable<T>, file: string, where: () => { row: number; line: number }): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    if (error instanceof UserError && error.line === undefined) {
      const { row, line } = where();
      throw new UserError(`${error.message}, at data row ${row} (line ${line})`, {
        file,
        line,
        ...(error.hint === undefined ? {} : { hint: error.hint }),
        cause: error,
      });
    }
    throw error;
  }
}
