import type { Limits } from '@aisec/core';
import type { ManifestFormat } from '../dependency';

export interface ParseOptions {
  /** Absolute path of the workspace root; dependency locations are relative to it. */
  workspace: string;
  /** For `${VAR}` references in requirements files; defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Overrides the format detected from the file name. */
  format?: ManifestFormat;
  /** `maxFileBytes` caps every file read; `maxDepth` caps `-r`/`-c` include chains. */
  limits?: Partial<Pick<Limits, 'maxFileBytes' | 'maxDepth'>>;
}

/** Manifests and lockfiles are text a person or a tool wrote; 32 MiB is far past any real one. */
export const MANIFEST_MAX_BYTES = 32 * 1024 ** 2;
/** Notebooks carry their outputs (images as base64), so they get more room. */
export const NOTEBOOK_MAX_BYTES = 256 * 1024 ** 2;
/** pip itself has no bound; real projects nest two or three levels. */
export const MAX_INCLUDE_DEPTH = 10;

export function maxBytesFor(options: ParseOptions, notebook = false): number {
  const own = notebook ? NOTEBOOK_MAX_BYTES : MANIFEST_MAX_BYTES;
  return Math.min(own, options.limits?.maxFileBytes ?? own);
}

export function maxIncludeDepth(options: ParseOptions): number {
  return Math.min(MAX_INCLUDE_DEPTH, options.limits?.maxDepth ?? MAX_INCLUDE_DEPTH);
}

export function environmentOf(options: ParseOptions): Readonly<Record<string, string | undefined>> {
  return options.env ?? process.env;
}
