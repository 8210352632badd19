// jsfive ships no types; this covers what keras-h5.ts uses.
declare module 'jsfive' {
  export class File {
    constructor(buffer: ArrayBuffer, filename: string);
    readonly attrs: Record<string, unknown>;
  }
}
