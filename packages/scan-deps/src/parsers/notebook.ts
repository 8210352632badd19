import type { Node } from 'jsonc-parser';
import type { Dependency, DependencySource, Manifest } from '../dependency';
import { parseCondaSpec } from './conda-spec';
import { parseJsonDocument, propertyNode } from './json-document';
import type { ParseOptions } from './options';
import { pipInstallsOf } from './pip-command';
import { normalizeName } from './pep503';
import { RequirementsReader } from './requirements';
import type { RequirementLine } from './requirements-lines';

/** IPython runs `%pip ...` (magic) and `!cmd` (shell) lines; `%%bash`-style cells are all shell. */
const LINE_COMMAND = /^\s*[!%]\s*(.*)$/;
const SHELL_CELL = /^\s*%%(bash|sh|script\s+(ba)?sh)\b/;

interface SourceLine {
  text: string;
  line: number;
}

/** A cell's source lines with the line each has in the .ipynb file (nbformat writes one string per line). */
function sourceLines(source: Node | undefined, lineOf: (offset: number) => number): SourceLine[] {
  if (source?.type === 'string') {
    // One JSON string on one physical line: every line of it is on that line of the file.
    const line = lineOf(source.offset);
    return String(source.value).split('\n').map((text) => ({ text, line }));
  }
  if (source?.type !== 'array') return [];
  return (source.children ?? []).flatMap((child) =>
    child.type === 'string' ? [{ text: String(child.value).replace(/\r?\n$/, ''), line: lineOf(child.offset) }] : [],
  );
}

/** A `conda install` argument as a conda-ecosystem dependency (listed, not checked against PyPI). */
function condaDependency(spec: string, source: DependencySource): Dependency[] {
  const parsed = parseCondaSpec(spec);
  if (parsed === undefined) return [];
  const dep: Dependency = {
    name: normalizeName(parsed.name),
    rawName: parsed.name,
    kind: parsed.kind,
    dev: false,
    ecosystem: 'conda',
    direct: true,
    source,
  };
  if (parsed.version !== undefined) dep.version = parsed.version;
  if (parsed.specifier !== undefined) dep.specifier = parsed.specifier;
  return [dep];
}

/** Joins shell continuation lines (`\` at the end), keeping the first line's number. */
function joinContinuations(lines: SourceLine[]): SourceLine[] {
  const out: SourceLine[] = [];
  let pending: SourceLine | undefined;
  for (const { text, line } of lines) {
    const current: SourceLine = pending ? { text: pending.text + text, line: pending.line } : { text, line };
    if (current.text.endsWith('\\')) pending = { text: current.text.slice(0, -1) + ' ', line: current.line };
    else {
      out.push(current);
      pending = undefined;
    }
  }
  if (pending) out.push(pending);
  return out;
}

/**
 * A Jupyter notebook: `%pip install ...` and `!pip install ...` lines (and `pip install` in `%%bash`
 * cells) of code cells. Each requirement points at the line of the .ipynb file that holds it, with
 * `member: 'cell N'` (1-based, counting every cell); `-r file` resolves against the notebook's folder,
 * where Jupyter starts the kernel. Outputs are never read.
 */
export async function parseNotebook(text: string, absPath: string, path: string, options: ParseOptions): Promise<Manifest> {
  const { root, lines } = parseJsonDocument(text, path, 'open and save it in Jupyter to repair it');
  const lineOf = (offset: number): number => lines.lineOf(offset);
  const reader = new RequirementsReader(options, 'note');
  const notes: string[] = [];
  const condaDependencies: Dependency[] = [];
  // nbformat 4 has `cells`; nbformat 3 had `worksheets[].cells` with `input`.
  let cells = propertyNode(root, 'cells')?.children ?? [];
  let sourceKey = 'source';
  if (cells.length === 0) {
    cells = (propertyNode(root, 'worksheets')?.children ?? []).flatMap((w) => propertyNode(w, 'cells')?.children ?? []);
    sourceKey = 'input';
  }
  for (const [index, cell] of cells.entries()) {
    if (propertyNode(cell, 'cell_type')?.value !== 'code') continue;
    const member = `cell ${index + 1}`;
    const source = joinContinuations(sourceLines(propertyNode(cell, sourceKey), lineOf));
    const shellCell = SHELL_CELL.test(source[0]?.text ?? '');
    const requirementLines: RequirementLine[] = [];
    for (const { text: raw, line } of shellCell ? source.slice(1) : source) {
      const command = shellCell ? raw : LINE_COMMAND.exec(raw)?.[1];
      if (command === undefined) continue;
      for (const install of pipInstallsOf(command)) {
        if (install.installer === 'conda') condaDependencies.push(...install.lines.flatMap((spec) => condaDependency(spec, { path, line, member })));
        else requirementLines.push(...install.lines.map((t) => ({ line, text: t })));
        if (install.lostBounds.length > 0) {
          notes.push(
            `${path}:${line} (${member}): the shell reads unquoted ${install.lostBounds.map((b) => `'${b}'`).join(', ')} as a redirect, so pip installs without that version bound; quote the requirement ("name>=1.0")`,
          );
        }
        if (install.interpolated.length > 0) {
          notes.push(`${path}:${line} (${member}): ${install.interpolated.join(' ')} is filled in when the cell runs; not checked`);
        }
      }
    }
    await reader.readLines(requirementLines, { path, absPath, dev: false, member }, 'requirement', [absPath]);
  }
  if (condaDependencies.length > 0) {
    notes.push(
      `${path}: ${condaDependencies.length} package${condaDependencies.length === 1 ? '' : 's'} installed with conda (${condaDependencies.map((d) => d.rawName).join(', ')}) listed but not checked against PyPI advisories`,
    );
  }
  return { path, format: 'notebook', dependencies: [...reader.finish(), ...condaDependencies], notes: [...notes, ...reader.notes] };
}
