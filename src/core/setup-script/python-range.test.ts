import { satisfies } from '@renovatebot/pep440';
import { describe, expect, it } from 'vitest';
import { inRanges, pythonRanges, type Version3 } from './python-range.js';

describe('pythonRanges', () => {
  it('an open lower bound', () => {
    expect(pythonRanges('>=3.10')).toEqual([{ from: [3, 10, 0], to: null }]);
  });

  it('no requires-python admits everything', () => {
    expect(pythonRanges(undefined)).toBeUndefined();
    expect(inRanges(undefined, [3, 6, 0])).toBe(true);
  });

  it('exclusions, upper bounds and wildcards become separate ranges', () => {
    expect(pythonRanges('>=3.9, !=3.11.2, <3.13')).toEqual([
      { from: [3, 9, 0], to: [3, 11, 1] },
      { from: [3, 11, 3], to: [3, 12, 999] },
    ]);
    expect(pythonRanges('==3.11.*')).toEqual([{ from: [3, 11, 0], to: [3, 11, 999] }]);
    expect(pythonRanges('~=3.10.4')).toEqual([{ from: [3, 10, 4], to: [3, 10, 999] }]);
    expect(pythonRanges('>3.11')).toEqual([{ from: [3, 11, 1], to: null }]);
    expect(pythonRanges('<3')).toEqual([]);
    expect(pythonRanges('>=3.99.5')).toEqual([{ from: [3, 99, 5], to: null }]);
  });

  it('agrees with the PEP 440 library on every version up to 3.25.20', () => {
    const specs = [
      '>=3.10',
      '>=3.8,<3.12',
      '>=3.9, !=3.11.2, <3.13',
      '~=3.11',
      '~=3.10.4',
      '==3.12.*',
      '!=3.11.*',
      '>3.11,<=3.12.3',
      '===3.11.7',
      '>=3.13.0rc1',
      '<4',
      '>=2.7,!=3.0.*,!=3.1.*',
      '==3.11.7',
    ];
    for (const spec of specs) {
      const ranges = pythonRanges(spec);
      const wrong: string[] = [];
      for (let minor = 0; minor <= 25; minor++) {
        for (let patch = 0; patch <= 20; patch++) {
          const version: Version3 = [3, minor, patch];
          if (inRanges(ranges, version) !== satisfies(version.join('.'), spec.replace(/\s+/g, '')))
            wrong.push(version.join('.'));
        }
      }
      expect({ spec, wrong }).toEqual({ spec, wrong: [] });
    }
  });

  it('versions beyond the table count as its edge', () => {
    const ranges = pythonRanges('>=3.10');
    expect(inRanges(ranges, [3, 150, 2000])).toBe(true);
    expect(inRanges(ranges, [2, 7, 18])).toBe(false);
  });
});
