import { UserError } from '@aisec/core';
import type { Dependency, Manifest } from '../dependency';
import { lockedDependency, urlDependency } from './declared-dependency';
import { nodeValue, parseJsonDocument, propertiesOf, propertyNode } from './json-document';
import { asString, asTable, stringsOf } from './parsed-value';

const REGENERATE = 'regenerate it with `pipenv lock`';

/**
 * `Pipfile.lock` (pipfile-spec 6): JSON with `default` (runtime) and `develop` (dev) sections, each
 * mapping a name to `{version: "==X", hashes, markers}` or to a `git`/`path`/`file` source. The line of
 * a dependency is the line of its key.
 */
export function parsePipfileLock(text: string, path: string): Manifest {
  const { root, lines } = parseJsonDocument(text, path, REGENERATE);
  const defaultNode = propertyNode(root, 'default');
  const developNode = propertyNode(root, 'develop');
  if (root.type !== 'object' || (defaultNode === undefined && developNode === undefined)) {
    throw new UserError('neither a "default" nor a "develop" section, so this is not a Pipfile.lock', {
      file: path,
      line: 1,
      hint: REGENERATE,
    });
  }
  const notes: string[] = [];
  const dependencies: Dependency[] = [];
  for (const [section, node, dev] of [
    ['default', defaultNode, false],
    ['develop', developNode, true],
  ] as const) {
    for (const [keyNode, valueNode] of propertiesOf(node)) {
      const name = String(keyNode.value);
      const line = lines.lineOf(keyNode.offset);
      const entry = asTable(nodeValue(valueNode));
      if (entry === undefined) {
        throw new UserError(`"${section}" entry "${name}" is not an object`, { file: path, line, hint: REGENERATE });
      }
      const ctx = {
        source: { path, line },
        dev,
        group: section,
        hashes: stringsOf(entry.hashes),
        ...(typeof entry.markers === 'string' ? { marker: entry.markers } : {}),
      };
      const extras = stringsOf(entry.extras);
      const git = asString(entry.git);
      const local = asString(entry.path) ?? asString(entry.file);
      const version = asString(entry.version);
      if (git !== undefined) {
        const ref = asString(entry.ref);
        dependencies.push(urlDependency(name, `git+${git}${ref ? `@${ref}` : ''}`, ctx));
      } else if (local !== undefined) {
        // `{"editable": true, "path": "."}` is the project itself.
        if (entry.editable === true && (local === '.' || local === './')) continue;
        dependencies.push(urlDependency(name, local, ctx));
      } else if (version?.startsWith('==')) {
        const dep = lockedDependency(name, version.slice(2).replace(/^=/, ''), ctx);
        if (extras.length > 0) dep.extras = extras;
        dependencies.push(dep);
      } else {
        notes.push(`${path}:${line}: "${name}" has no exact version (${version ?? 'none'}); not checked`);
      }
    }
  }
  return { path, format: 'pipfile-lock', dependencies, notes };
}
