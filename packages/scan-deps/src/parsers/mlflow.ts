import { existsSync } from 'node:fs';
import { dirname, relative, resolve, isAbsolute } from 'node:path';
import { workspaceRelative } from '@aisec/core';
import type { Manifest } from '../dependency';
import { parseCondaEnvironment } from './conda-environment';
import { insideWorkspace } from './inside-workspace';
import { maxBytesFor, type ParseOptions } from './options';
import { readManifestText } from './read-manifest';
import { RequirementsReader, parseRequirements } from './requirements';
import type { RequirementLine } from './requirements-lines';
import { mapValue, parseYamlDocument, scalarText, seqItems } from './yaml-document';

/**
 * MLflow's `python_env.yaml`: `build_dependencies` (pip, setuptools, wheel: installed into the
 * model's environment before anything else) and `dependencies`, both lists of pip requirement
 * lines; MLflow writes `-r requirements.txt` there, resolved against this file's folder.
 */
export async function parsePythonEnv(text: string, absPath: string, path: string, options: ParseOptions): Promise<Manifest> {
  const yaml = parseYamlDocument(text, path, 'fix the YAML, or log the model again so MLflow rewrites it');
  const reader = new RequirementsReader(options, 'note');
  for (const [key, group] of [
    ['build_dependencies', 'build_dependencies'],
    ['dependencies', undefined],
  ] as const) {
    const lines: RequirementLine[] = seqItems(mapValue(yaml.root, key)).flatMap((entry) => {
      const t = scalarText(entry);
      return t === undefined ? [] : [{ line: yaml.lineOf(entry), text: t.trim() }];
    });
    await reader.readLines(lines, { path, absPath, dev: false, ...(group ? { group } : {}) }, 'requirement', [absPath]);
  }
  return { path, format: 'mlflow-python-env', dependencies: reader.finish(), notes: reader.notes };
}

/** A path an MLmodel names, if it stays inside the model's folder (the file is untrusted). */
function insideModel(modelDir: string, name: string | undefined): string | undefined {
  if (name === undefined || name === '' || isAbsolute(name)) return undefined;
  const abs = resolve(modelDir, name);
  const rel = relative(modelDir, abs);
  return rel.startsWith('..') || isAbsolute(rel) ? undefined : abs;
}

/**
 * An MLflow `MLmodel` file. It declares no packages itself: `flavors.python_function.env` names the
 * environment files logged with the model (`virtualenv: python_env.yaml`, `conda: conda.yaml`; MLflow
 * 1.x wrote a single `env: conda.yaml`). They carry the same pins, so one is read, in MLflow's own
 * order of preference for serving: python_env.yaml (which includes requirements.txt), else
 * conda.yaml, else requirements.txt beside the MLmodel. Dependencies point at the file that declares
 * them. `parseProject` then skips the sibling environment files so nothing is reported twice.
 */
export async function parseMlmodel(text: string, absPath: string, path: string, options: ParseOptions): Promise<Manifest> {
  const yaml = parseYamlDocument(text, path, 'fix the YAML, or log the model again so MLflow rewrites it');
  const notes: string[] = [];
  const modelDir = dirname(absPath);
  const env = mapValue(mapValue(mapValue(yaml.root, 'flavors'), 'python_function'), 'env');
  const named = { virtualenv: scalarText(mapValue(env, 'virtualenv')), conda: scalarText(mapValue(env, 'conda')) ?? scalarText(env) };
  for (const [kind, name] of Object.entries(named)) {
    if (name !== undefined && insideModel(modelDir, name) === undefined) {
      notes.push(`${path}: the ${kind} environment '${name}' points outside the model folder; not read`);
    }
  }
  const candidates: [string | undefined, 'python-env' | 'conda' | 'requirements'][] = [
    [insideModel(modelDir, named.virtualenv), 'python-env'],
    [insideModel(modelDir, named.conda), 'conda'],
    [resolve(modelDir, 'requirements.txt'), 'requirements'],
  ];
  for (const [file, kind] of candidates) {
    if (file === undefined || !existsSync(file)) continue;
    if (!insideWorkspace(options.workspace, file)) {
      notes.push(`${path}: ${workspaceRelative(options.workspace, file)} links outside the workspace; not read`);
      continue;
    }
    const rel = workspaceRelative(options.workspace, file);
    const body = await readManifestText(file, rel, maxBytesFor(options));
    const inner =
      kind === 'python-env'
        ? await parsePythonEnv(body, file, rel, options)
        : kind === 'conda'
          ? await parseCondaEnvironment(body, file, rel, options)
          : await parseRequirements(body, file, { ...options, format: 'requirements' });
    notes.push(`${path}: dependencies read from ${rel}`, ...inner.notes);
    return { path, format: 'mlflow-mlmodel', dependencies: inner.dependencies, notes };
  }
  notes.push(`${path}: no environment file (python_env.yaml, conda.yaml or requirements.txt) found beside it; its dependencies were not checked`);
  return { path, format: 'mlflow-mlmodel', dependencies: [], notes };
}

/** The files an MLmodel's environment is made of, which `parseProject` reads through the MLmodel only. */
export function mlmodelEnvironmentFiles(mlmodelAbsPath: string): string[] {
  const dir = dirname(mlmodelAbsPath);
  return ['python_env.yaml', 'conda.yaml', 'requirements.txt'].map((f) => resolve(dir, f));
}
