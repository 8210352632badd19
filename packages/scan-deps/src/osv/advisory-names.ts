import { normalizeName } from '../pep440/index';
import { isPyPiEcosystem, parseOsvJson } from './osv-schema';

export interface AdvisoryHeader {
  id: string;
  modified: string;
  /** PEP 503 normalized names of the PyPI packages in `affected[]`. */
  packages: string[];
}

// OSV package objects are flat ({"ecosystem", "name", "purl"}), so `[^{}]*` spans exactly one of them.
const PACKAGE_OBJECT = /"package"\s*:\s*\{([^{}]*)\}/g;
const NAME = /"name"\s*:\s*"([^"\\]*)"/;
const ECOSYSTEM = /"ecosystem"\s*:\s*"([^"\\]*)"/;
const ID = /"id"\s*:\s*"([^"\\]+)"/;
const MODIFIED = /"modified"\s*:\s*"([^"\\]*)"/;

/**
 * The id, `modified` and PyPI package names of one OSV record, read with regular expressions rather
 * than a full JSON parse: indexing a 17,000-record export only needs these. Falls back to JSON.parse
 * when the text is not in the plain shape the expressions expect (escapes, nested objects).
 */
export function readAdvisoryHeader(text: string, source: string): AdvisoryHeader {
  const id = ID.exec(text)?.[1];
  const modified = MODIFIED.exec(text)?.[1];
  const packages = new Set<string>();
  let plain = id !== undefined;
  for (const match of text.matchAll(PACKAGE_OBJECT)) {
    const body = match[1] ?? '';
    const name = NAME.exec(body)?.[1];
    const ecosystem = ECOSYSTEM.exec(body)?.[1];
    if (name === undefined || ecosystem === undefined) {
      plain = false;
      break;
    }
    if (isPyPiEcosystem(ecosystem)) packages.add(normalizeName(name));
  }
  // A nested object inside "package", or a `"package"` key the expression missed, needs the real parser.
  if (plain && packages.size === 0 && text.includes('"package"')) plain = false;
  if (plain && id !== undefined) return { id, modified: modified ?? '', packages: [...packages] };
  const record = parseOsvJson(text, source);
  const names = record.affected.flatMap((a) => (a.package && isPyPiEcosystem(a.package.ecosystem) ? [normalizeName(a.package.name)] : []));
  return { id: record.id, modified: record.modified, packages: [...new Set(names)] };
}
