import { isAbsolute, resolve } from 'node:path';
import { UserError, workspaceRelative } from '@aisec/core';
import type { Manifest, ManifestFormat } from '../dependency';
import { parseCondaEnvironment } from './conda-environment';
import { formatForFileName } from './format';
import { parseMlmodel, parsePythonEnv } from './mlflow';
import { parseNotebook } from './notebook';
import { maxBytesFor, type ParseOptions } from './options';
import { readManifestText } from './read-manifest';
import { parsePdmLock } from './pdm-lock';
import { parsePipfileLock } from './pipfile-lock';
import { parsePoetryLock } from './poetry-lock';
import { parsePylock } from './pylock';
import { parsePyproject } from './pyproject';
import { parseRequirements } from './requirements';
import { parseUvLock } from './uv-lock';

/**
 * Parses one dependency file, its format detected from its name unless `options.format` says otherwise.
 * Throws a UserError (file, line, what to do) on a file that does not parse.
 */
export async function parseManifestFile(path: string, options: ParseOptions): Promise<Manifest> {
  const abs = isAbsolute(path) ? path : resolve(options.workspace, path);
  const rel = workspaceRelative(options.workspace, abs);
  const format = options.format ?? formatForFileName(abs);
  if (format === undefined) {
    throw new UserError('cannot tell what kind of dependency file this is from its name', {
      file: rel,
      hint: 'rename it as the tool that writes it does (requirements.txt, poetry.lock, uv.lock...) or name its format explicitly',
    });
  }
  const text = await readManifestText(abs, rel, maxBytesFor(options, format === 'notebook'));
  return parseManifestText(text, abs, { ...options, format });
}

/**
 * Parses dependency-file text already in memory, as if read from `path` (which places includes and
 * the reported location). `options.format` is required here: there is no file name to go by.
 */
export async function parseManifestText(
  text: string,
  path: string,
  options: ParseOptions & { format: ManifestFormat },
): Promise<Manifest> {
  const abs = isAbsolute(path) ? path : resolve(options.workspace, path);
  const rel = workspaceRelative(options.workspace, abs);
  const format = options.format;
  const withFormat = options;
  // A byte-order mark is not content (files read from disk have it removed already).
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  switch (format) {
    case 'requirements':
    case 'pip-freeze':
      return parseRequirements(text, abs, withFormat);
    case 'pyproject':
      return parsePyproject(text, rel);
    case 'poetry-lock':
      return parsePoetryLock(text, rel);
    case 'uv-lock':
      return parseUvLock(text, rel);
    case 'pdm-lock':
      return parsePdmLock(text, rel);
    case 'pylock':
      return parsePylock(text, rel);
    case 'pipfile-lock':
      return parsePipfileLock(text, rel);
    case 'conda-environment':
      return parseCondaEnvironment(text, abs, rel, withFormat);
    case 'mlflow-mlmodel':
      return parseMlmodel(text, abs, rel, withFormat);
    case 'mlflow-python-env':
      return parsePythonEnv(text, abs, rel, withFormat);
    case 'notebook':
      return parseNotebook(text, abs, rel, withFormat);
    default: {
      const unknown: never = format;
      throw new Error(`no parser for format ${String(unknown)}`);
    }
  }
}
