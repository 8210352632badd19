import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, UserError } from '@aisec/core';
import { readAdvisoryHeader } from '../../../packages/scan-deps/src/osv/advisory-names';
import { ZipArchive } from '../../../packages/scan-deps/src/osv/zip-archive';
import { parseOsvJson } from '../../../packages/scan-deps/src/osv/index';
import { OSV_ZIP } from './shared-data';

const header = (record: unknown, indent?: number) => readAdvisoryHeader(Buffer.from(JSON.stringify(record, null, indent)), 'test.json');

describe('readAdvisoryHeader (index keys read from the bytes)', () => {
  it('agrees with a full parse on every record of the shared export, read in file order', () => {
    const zip = ZipArchive.open(OSV_ZIP, DEFAULT_LIMITS);
    try {
      let seen = 0;
      zip.readInOrder(zip.entries.map((_, i) => i), (member, data) => {
        const record = parseOsvJson(data.toString('utf8'), `member ${member}`);
        const names = [...new Set(record.affected.flatMap((a) => (a.package ? [a.package.name.toLowerCase().replace(/[-_.]+/g, '-')] : [])))];
        expect(readAdvisoryHeader(data, `member ${member}`)).toEqual({ id: record.id, modified: record.modified, packages: names });
        seen++;
      });
      expect(seen).toBe(398);
    } finally {
      zip.close();
    }
  });

  it('reads compact and indented JSON, PEP 503 normalizes, keeps PyPI and PyPI:variant only', () => {
    const record = {
      id: 'PYSEC-1',
      modified: '2024-01-02T00:00:00Z',
      affected: [
        { package: { ecosystem: 'PyPI', name: 'Foo_Bar.baz' } },
        { package: { ecosystem: 'PyPI:3.11', name: 'other' } },
        { package: { ecosystem: 'npm', name: 'left-pad' } },
      ],
    };
    const expected = { id: 'PYSEC-1', modified: '2024-01-02T00:00:00Z', packages: ['foo-bar-baz', 'other'] };
    expect(header(record)).toEqual(expected);
    expect(header(record, 2)).toEqual(expected);
    expect(readAdvisoryHeader(Buffer.from(JSON.stringify(record).replaceAll('":', '" \t:\n ')), 'x')).toEqual(expected);
  });

  it('falls back to the JSON parser for escapes and nested package objects, with the same answer', () => {
    expect(header({ id: 'GHSA-\u00e9', modified: '', affected: [{ package: { ecosystem: 'PyPI', name: 'caf\u00e9' } }] })).toEqual({
      id: 'GHSA-\u00e9',
      modified: '',
      packages: ['caf\u00e9'],
    });
    const escaped = '{"id": "A\\u002d1", "modified": "m", "affected": [{"package": {"ecosystem": "PyPI", "name": "a\\"b"}}]}';
    expect(readAdvisoryHeader(Buffer.from(escaped), 'x')).toEqual({ id: 'A-1', modified: 'm', packages: ['a"b'] });
    const nested = { id: 'X', modified: 'm', affected: [{ package: { ecosystem: 'PyPI', name: 'real', extra: { name: 'decoy' } } }] };
    expect(header(nested)).toEqual({ id: 'X', modified: 'm', packages: ['real'] });
  });

  it('takes the first plain "modified" and ignores key-like text inside strings', () => {
    const record = {
      id: 'PYSEC-2',
      details: 'see \\"package\\": {\\"name\\": \\"decoy\\"} and "modified": "no"',
      modified: '2023-05-06T00:00:00Z',
      affected: [{ package: { ecosystem: 'PyPI', name: 'pkg' } }],
      database_specific: { modified: 'later' },
    };
    expect(header(record)).toEqual({ id: 'PYSEC-2', modified: '2023-05-06T00:00:00Z', packages: ['pkg'] });
  });

  it('a record without an id is not OSV: a UserError naming the source', () => {
    expect(() => header({ modified: 'm', affected: [] })).toThrow(UserError);
    expect(() => header({ modified: 'm', affected: [] })).toThrow(/test\.json is not an OSV record/);
  });
});
