import type { ColumnChunk } from '../readers/index';

/**
 * One byte of verdict per interned text of one column (a ColumnChunk's `codes` index its
 * `dictionary`), so a check decides each distinct value once and every repeat costs an array index.
 * 0 means not decided yet; what the other bits mean is up to the check. The bytes belong to one
 * dictionary object and one file: a chunk from another file or with another dictionary starts them
 * afresh, so bits that stand for per-file state (an example already listed) never leak across files.
 */
export class InternedVerdicts {
  private dictionary: readonly string[] | undefined;
  private file = '';
  private bytes = new Uint8Array(0);

  /** The verdicts for `chunk`'s codes (long enough for every id of its dictionary), or undefined when it has no codes. */
  of(chunk: ColumnChunk, file: string): Uint8Array | undefined {
    const dictionary = chunk.dictionary;
    if (chunk.codes === undefined || dictionary === undefined) return undefined;
    const need = dictionary.length;
    if (dictionary !== this.dictionary || file !== this.file) {
      this.dictionary = dictionary;
      this.file = file;
      this.bytes = new Uint8Array(Math.max(64, need));
    } else if (this.bytes.length < need) {
      // The dictionary grows as the read goes on; double so a slowly growing one is copied O(log n) times.
      const grown = new Uint8Array(Math.max(need, this.bytes.length * 2));
      grown.set(this.bytes);
      this.bytes = grown;
    }
    return this.bytes;
  }
}
