import { TomlError, parse } from 'smol-toml';
import { UserError } from '@aisec/core';
import { TomlLines } from './toml-lines';

export interface TomlDocument {
  data: Record<string, unknown>;
  lines: TomlLines;
}

/** Parses TOML, turning a syntax error into a UserError at the parser's line and column. */
export function parseTomlDocument(text: string, file: string, what: string): TomlDocument {
  let data: Record<string, unknown>;
  try {
    data = parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = error.message.replace(/^Invalid TOML document:\s*/, '').split('\n')[0] ?? 'syntax error';
    throw new UserError(`not valid TOML: ${reason}`, {
      file,
      line: error.line,
      column: error.column,
      hint: `fix the syntax at that line, or regenerate the ${what}`,
      cause: error,
    });
  }
  return { data, lines: new TomlLines(text) };
}
