/**
 * The pickle opcode table, protocols 0 to 5, after CPython's Lib/pickletools.py (`opcodes`): one entry per
 * opcode byte with the encoding of its inline argument. The emulator reads arguments by this table so a new
 * argument kind cannot slip past it unread.
 */

/** How an opcode's inline argument is encoded (pickletools' ArgumentDescriptor names). */
export type ArgKind =
  | 'none'
  | 'uint1'
  | 'uint2'
  | 'int4'
  | 'uint4'
  | 'uint8'
  | 'decimalnl_short'
  | 'decimalnl_long'
  | 'floatnl'
  | 'float8'
  | 'stringnl'
  | 'stringnl_noescape'
  | 'stringnl_noescape_pair'
  | 'unicodestringnl'
  | 'string1'
  | 'string4'
  | 'bytes1'
  | 'bytes4'
  | 'bytes8'
  | 'bytearray8'
  | 'unicodestring1'
  | 'unicodestring4'
  | 'unicodestring8'
  | 'long1'
  | 'long4';

export interface OpcodeInfo {
  name: string;
  code: number;
  arg: ArgKind;
  /** Protocol that introduced it. */
  proto: number;
}

const TABLE: [string, string | number, ArgKind, number][] = [
  ['INT', 'I', 'decimalnl_short', 0],
  ['BININT', 'J', 'int4', 1],
  ['BININT1', 'K', 'uint1', 1],
  ['BININT2', 'M', 'uint2', 1],
  ['LONG', 'L', 'decimalnl_long', 0],
  ['LONG1', 0x8a, 'long1', 2],
  ['LONG4', 0x8b, 'long4', 2],
  ['STRING', 'S', 'stringnl', 0],
  ['BINSTRING', 'T', 'string4', 1],
  ['SHORT_BINSTRING', 'U', 'string1', 1],
  ['BINBYTES', 'B', 'bytes4', 3],
  ['SHORT_BINBYTES', 'C', 'bytes1', 3],
  ['BINBYTES8', 0x8e, 'bytes8', 4],
  ['BYTEARRAY8', 0x96, 'bytearray8', 5],
  ['NEXT_BUFFER', 0x97, 'none', 5],
  ['READONLY_BUFFER', 0x98, 'none', 5],
  ['NONE', 'N', 'none', 0],
  ['NEWTRUE', 0x88, 'none', 2],
  ['NEWFALSE', 0x89, 'none', 2],
  ['UNICODE', 'V', 'unicodestringnl', 0],
  ['SHORT_BINUNICODE', 0x8c, 'unicodestring1', 4],
  ['BINUNICODE', 'X', 'unicodestring4', 1],
  ['BINUNICODE8', 0x8d, 'unicodestring8', 4],
  ['FLOAT', 'F', 'floatnl', 0],
  ['BINFLOAT', 'G', 'float8', 1],
  ['EMPTY_LIST', ']', 'none', 1],
  ['APPEND', 'a', 'none', 0],
  ['APPENDS', 'e', 'none', 1],
  ['LIST', 'l', 'none', 0],
  ['EMPTY_TUPLE', ')', 'none', 1],
  ['TUPLE', 't', 'none', 0],
  ['TUPLE1', 0x85, 'none', 2],
  ['TUPLE2', 0x86, 'none', 2],
  ['TUPLE3', 0x87, 'none', 2],
  ['EMPTY_DICT', '}', 'none', 1],
  ['DICT', 'd', 'none', 0],
  ['SETITEM', 's', 'none', 0],
  ['SETITEMS', 'u', 'none', 1],
  ['EMPTY_SET', 0x8f, 'none', 4],
  ['ADDITEMS', 0x90, 'none', 4],
  ['FROZENSET', 0x91, 'none', 4],
  ['POP', '0', 'none', 0],
  ['DUP', '2', 'none', 0],
  ['MARK', '(', 'none', 0],
  ['POP_MARK', '1', 'none', 1],
  ['GET', 'g', 'decimalnl_short', 0],
  ['BINGET', 'h', 'uint1', 1],
  ['LONG_BINGET', 'j', 'uint4', 1],
  ['PUT', 'p', 'decimalnl_short', 0],
  ['BINPUT', 'q', 'uint1', 1],
  ['LONG_BINPUT', 'r', 'uint4', 1],
  ['MEMOIZE', 0x94, 'none', 4],
  ['EXT1', 0x82, 'uint1', 2],
  ['EXT2', 0x83, 'uint2', 2],
  ['EXT4', 0x84, 'int4', 2],
  ['GLOBAL', 'c', 'stringnl_noescape_pair', 0],
  ['STACK_GLOBAL', 0x93, 'none', 4],
  ['REDUCE', 'R', 'none', 0],
  ['BUILD', 'b', 'none', 0],
  ['INST', 'i', 'stringnl_noescape_pair', 0],
  ['OBJ', 'o', 'none', 1],
  ['NEWOBJ', 0x81, 'none', 2],
  ['NEWOBJ_EX', 0x92, 'none', 4],
  ['PROTO', 0x80, 'uint1', 2],
  ['STOP', '.', 'none', 0],
  ['FRAME', 0x95, 'uint8', 4],
  ['PERSID', 'P', 'stringnl_noescape', 0],
  ['BINPERSID', 'Q', 'none', 1],
];

/** Indexed by opcode byte; `undefined` for bytes that are not opcodes (the unpickler rejects them). */
export const OPCODES: readonly (OpcodeInfo | undefined)[] = (() => {
  const byCode: (OpcodeInfo | undefined)[] = Array.from({ length: 256 }, () => undefined);
  for (const [name, code, arg, proto] of TABLE) {
    const c = typeof code === 'string' ? code.charCodeAt(0) : code;
    if (byCode[c]) throw new Error(`duplicate opcode ${c}`);
    byCode[c] = { name, code: c, arg, proto };
  }
  return byCode;
})();

/** Highest protocol the table covers; PROTO above it is rejected by CPython too. */
export const HIGHEST_PROTOCOL = 5;
