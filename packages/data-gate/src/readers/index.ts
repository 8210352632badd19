export { type Cell, CellKind, classifyCsvBytes, classifyCsvField } from './cell';
export { type ColumnType, columnTypeOf, kindBit, kindFits } from './column-type';
export { CsvLimitError, CsvRecordView, CsvTokenizer, type CsvTokenizerLimits } from './csv-tokenizer';
export { sniffDelimiter } from './delimiter-sniff';
export { parseJsonObjectLine, type JsonFields, JsonLineError } from './jsonl-line';
export { type ReadProblem, type ReadProblemKind, ReadProblemLog } from './read-problems';
export { DEFAULT_READER_LIMITS, type ReaderLimits } from './reader-limits';
export { type NumericView, countCategories, numericView } from './column-views';
export { type ColumnChunk, type RowBatch, type RowRecord, cellOf, recordOf, recordsOf, recycleBatch } from './row-batch';
export { type TextEncoding } from './text-decoding';
export {
  type DataFormat,
  type ReadContext,
  type ReadTableOptions,
  type TableReader,
  formatOf,
  listDataFiles,
  readTable,
} from './table-reader';
export { readProblemFindings } from './problem-findings';
export { estimateRowCount } from './row-estimate';
