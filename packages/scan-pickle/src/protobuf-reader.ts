import { Cursor, type ByteSource } from './byte-source';

/**
 * Just enough protobuf wire format to walk messages by field number (ONNX, TensorFlow SavedModel)
 * without a schema compiler: varints, lengths, skipping. Reads go through a windowed Cursor, so walking
 * the structure of a multi-gigabyte model costs a few large reads, and tensor bytes are skipped unread.
 */

export class ProtoError extends Error {}

export class ProtoReader {
  private readonly cursor: Cursor;
  constructor(readonly src: ByteSource) {
    this.cursor = new Cursor(src, 0);
  }
  get pos(): number {
    return this.cursor.pos;
  }
  set pos(p: number) {
    this.cursor.pos = p;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.cursor.byte();
      if (b < 0) throw new ProtoError('truncated varint');
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new ProtoError('varint too long');
  }
  /** UTF-8 text of a length-delimited field at the current position (at most `max` bytes read). */
  text(len: number, max = 4096): string {
    return Buffer.from(this.src.read(this.pos, Math.min(len, max))).toString('utf8');
  }
  /**
   * Visits the fields of the message ending at `end`: `onField` gets each length-delimited field (its
   * number, length and end) and must leave the position anywhere; other wire types are skipped.
   */
  fields(end: number, onField: (field: number, len: number, stop: number) => void): void {
    while (this.pos < end) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wire = key % 8;
      if (wire === 0) this.varint();
      else if (wire === 1) this.pos += 8;
      else if (wire === 5) this.pos += 4;
      else if (wire === 2) {
        const len = this.varint();
        const stop = this.pos + len;
        if (stop > end) throw new ProtoError('field runs past its message');
        onField(field, len, stop);
        this.pos = stop;
      } else throw new ProtoError(`wire type ${wire}`);
    }
    if (this.pos !== end) throw new ProtoError('message length mismatch');
  }
}
