import { isMap } from 'yaml';
import type { Dependency, Manifest } from '../dependency';
import { parseCondaSpec } from './conda-spec';
import type { ParseOptions } from './options';
import { normalizeName } from './pep503';
import { RequirementsReader } from './requirements';
import type { RequirementLine } from './requirements-lines';
import { mapValue, parseYamlDocument, scalarText, seqItems } from './yaml-document';
import { quoteForNote } from './inside-workspace';

const REGENERATE = 'fix the YAML, or regenerate it with `conda env export --from-history`';

/**
 * A conda environment file (`environment.yml`, MLflow's `conda.yaml`). Its `pip:` list is read as
 * requirement lines (conda writes them to a requirements file beside the environment file and runs
 * pip on it, so `-r` resolves against this file's folder). Conda packages are listed with
 * `ecosystem: 'conda'`: conda builds are not PyPI releases, so they are not checked against PyPI
 * advisories, and a note says so.
 */
export async function parseCondaEnvironment(text: string, absPath: string, path: string, options: ParseOptions): Promise<Manifest> {
  const yaml = parseYamlDocument(text, path, REGENERATE);
  const notes: string[] = [];
  const dependencies: Dependency[] = [];
  const conda: string[] = [];
  const reader = new RequirementsReader(options, 'note');
  const list = mapValue(yaml.root, 'dependencies');
  for (const item of seqItems(list)) {
    const spec = scalarText(item);
    if (spec !== undefined) {
      const parsed = parseCondaSpec(spec);
      const line = yaml.lineOf(item);
      if (parsed === undefined) {
        notes.push(`${path}:${line}: ${quoteForNote(spec)} is not a conda package spec; not listed`);
        continue;
      }
      conda.push(parsed.name);
      const dep: Dependency = {
        name: normalizeName(parsed.name),
        rawName: parsed.name,
        kind: parsed.kind,
        dev: false,
        ecosystem: 'conda',
        direct: true,
        source: { path, line },
      };
      if (parsed.version !== undefined) dep.version = parsed.version;
      if (parsed.specifier !== undefined) dep.specifier = parsed.specifier;
      if (parsed.channel !== undefined) dep.group = parsed.channel;
      dependencies.push(dep);
    } else if (isMap(item)) {
      const pip = mapValue(item, 'pip');
      const lines: RequirementLine[] = seqItems(pip).flatMap((entry) => {
        const t = scalarText(entry);
        return t === undefined ? [] : [{ line: yaml.lineOf(entry), text: t.trim() }];
      });
      await reader.readLines(lines, { path, absPath, dev: false }, 'requirement', [absPath]);
    }
  }
  dependencies.push(...reader.finish());
  if (list === undefined) notes.push(`${path}: has no 'dependencies' list`);
  if (conda.length > 0) {
    notes.push(
      `${path}: ${conda.length} conda package${conda.length === 1 ? '' : 's'} (${conda.join(', ')}) come${conda.length === 1 ? 's' : ''} from conda channels and ${conda.length === 1 ? 'is' : 'are'} listed but not checked against PyPI advisories`,
    );
  }
  notes.push(...reader.notes);
  return { path, format: 'conda-environment', dependencies, notes };
}
