import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { TomlLines } from '../../../packages/scan-deps/src/parsers/toml-lines';
import { translatePoetryConstraint } from '../../../packages/scan-deps/src/parsers/index';

const DOC = `# header comment with [brackets] and key = "value"
title = "a [fake] table"
multi = """
[project]
dependencies = ["evil==1.0"]
"""
literal = '''
[[package]]
'''

[project]
name = "demo"
"quoted.key" = 1
dependencies = [
  "numpy>=1",   # trailing comment, then a string holding a comma
  'pandas==2.0, with comma',
  [ "nested", "array" ],
  { inline = "table", deep = { x = 1 } },
]
date = 1979-05-27 07:32:00Z
tool.dotted.key = "v"

[[package]]
name = "a"

[package.source]
type = "git"

[[package.wheels]]
url = "w0"

[[package.wheels]]
url = "w1"

[[package]]
name = "b"
dependencies = [{ name = "c" }]

[project.optional-dependencies]
gpu = ["torch"]
`;

describe('TomlLines', () => {
  // The locator runs only on text a real parser accepted.
  parse(DOC);
  const lines = new TomlLines(DOC);

  it('ignores table-like text inside strings and comments', () => {
    expect(lines.line(['multi'])).toBe(3);
    expect(lines.line(['project'])).toBe(11);
    expect(lines.line(['project', 'dependencies'])).toBe(14);
  });

  it('finds array elements, nested arrays and inline tables', () => {
    expect(lines.line(['project', 'dependencies', 0])).toBe(15);
    expect(lines.line(['project', 'dependencies', 1])).toBe(16);
    expect(lines.line(['project', 'dependencies', 2, 1])).toBe(17);
    expect(lines.line(['project', 'dependencies', 3, 'deep', 'x'])).toBe(18);
    expect(lines.line(['project', 'date'])).toBe(20);
    expect(lines.line(['project', 'tool', 'dotted', 'key'])).toBe(21);
    expect(lines.line(['project', 'quoted.key'])).toBe(13);
  });

  it('numbers arrays of tables, nested ones too, and sub-tables of their elements', () => {
    expect(lines.line(['package', 0])).toBe(23);
    expect(lines.line(['package', 0, 'source', 'type'])).toBe(27);
    expect(lines.line(['package', 0, 'wheels', 1, 'url'])).toBe(33);
    expect(lines.line(['package', 1])).toBe(35);
    expect(lines.line(['package', 1, 'dependencies', 0, 'name'])).toBe(37);
    // A table reopened after the array of tables still lands under [project].
    expect(lines.line(['project', 'optional-dependencies', 'gpu', 0])).toBe(40);
  });

  it('falls back to the nearest declared ancestor', () => {
    expect(lines.nearest(['package', 1, 'missing'])).toBe(35);
    expect(lines.nearest(['nothing'])).toBe(1);
  });
});

describe('Poetry constraints in PEP 440 terms', () => {
  const cases: [string, string][] = [
    ['^1.2.3', '>=1.2.3,<2.0.0'],
    ['^1.2', '>=1.2,<2.0'],
    ['^1', '>=1,<2'],
    ['^0.2.3', '>=0.2.3,<0.3.0'],
    ['^0.0.3', '>=0.0.3,<0.0.4'],
    ['^0.0', '>=0.0,<0.1'],
    ['^0', '>=0,<1'],
    ['~1.2.3', '>=1.2.3,<1.3.0'],
    ['~1.2', '>=1.2,<1.3'],
    ['~1', '>=1,<2'],
    ['~=1.4.2', '~=1.4.2'],
    ['1.2.3', '==1.2.3'],
    ['==1.2.3', '==1.2.3'],
    ['1.2.*', '==1.2.*'],
    ['*', ''],
    ['>= 1.2, < 2.0', '>=1.2,<2.0'],
    ['>=1.2 <2.0 !=1.5', '>=1.2,<2.0,!=1.5'],
    ['^2.0.0b1', '>=2.0.0b1,<3.0.0'],
  ];
  it.each(cases)('%s -> %s', (poetry, pep440) => {
    expect(translatePoetryConstraint(poetry)).toEqual({ specifier: pep440, alternatives: [] });
  });
  it('keeps || alternatives apart', () => {
    expect(translatePoetryConstraint('^1.2 || ^2.0')).toEqual({ specifier: '', alternatives: ['>=1.2,<2.0', '>=2.0,<3.0'] });
    expect(translatePoetryConstraint('^1.2 || *')).toEqual({ specifier: '', alternatives: [] });
  });
});
