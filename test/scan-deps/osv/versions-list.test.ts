import { describe, expect, it } from 'vitest';
import { affectedEntryCovers } from '../../../packages/scan-deps/src/osv/index';
import type { OsvAffected } from '../../../packages/scan-deps/src/osv/osv-schema';

const entry = (versions: string[]): OsvAffected => ({ package: { ecosystem: 'PyPI', name: 'p' }, ranges: [], versions });

describe('affectedEntryCovers on `versions` lists (PEP 440 equality, quick reject on the first release number)', () => {
  const cases: [string[], string, boolean][] = [
    [['1.0'], '1.0.0', true],
    [['1.0.0'], '1', true],
    [['01.0'], '1.0', true],
    [['v1.0'], '1.0', true],
    [['V1.0'], '1.0', true],
    [[' 1.0 '], '1.0', true],
    [['1.0+cpu'], '1.0', true],
    [['1.0'], '1.0+cu117', true],
    [['0!1.0'], '1.0', true],
    [['1!1.0'], '1.0', false],
    [['1.0'], '1!1.0', false],
    [['1!1.0'], '1!1.0.0', true],
    [['10.0', '11.0', '2.0'], '1.0', false],
    [['10.0'], '10', true],
    [['0.10'], '0.1', false],
    [['0.1.0'], '0.1', true],
    [['00.1'], '0.1', true],
    [['1.0a1'], '1.0.a1', true],
    [['1.0-1'], '1.0.post1', true],
    [['2.0', '1.0rc1'], '1.0c1', true],
    [['not a version', '1.x'], '1.0', false],
  ];
  for (const [versions, installed, expected] of cases) {
    it(`${installed} ${expected ? 'is' : 'is not'} in ${JSON.stringify(versions)}, asked once and again`, () => {
      const e = entry(versions);
      expect(affectedEntryCovers(e, installed)).toBe(expected);
      // The second question goes through the key set built for fix candidates.
      expect(affectedEntryCovers(e, installed)).toBe(expected);
    });
  }
});
