// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake presets spell their macros ${name}.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo, type TempRepo } from '../../../test/helpers/repo.js';
import { expandPresetMacros, parseCMakeCache, presetBinaryDirs } from './build-dirs.js';
import { customTargets } from './cmake.js';

describe('parseCMakeCache', () => {
  it('reads NAME:TYPE=VALUE lines and skips comments, CRLF included', () => {
    const text = [
      '# This is the CMakeCache file.',
      '//Path to a program.',
      'Python3_EXECUTABLE:FILEPATH=/usr/bin/python3',
      'CMAKE_GENERATOR:INTERNAL=Ninja',
      '"NAME WITH SPACE":STRING=a=b',
      'EMPTY:STRING=',
      'UNTYPED=x\r',
      '',
    ].join('\n');
    expect([...parseCMakeCache(text)]).toEqual([
      ['Python3_EXECUTABLE', '/usr/bin/python3'],
      ['CMAKE_GENERATOR', 'Ninja'],
      ['NAME WITH SPACE', 'a=b'],
      ['EMPTY', ''],
      ['UNTYPED', 'x'],
    ]);
  });
});

describe('expandPresetMacros', () => {
  const facts = {
    root: '/src/repo',
    presetName: 'debug',
    generator: 'Ninja',
    fileDir: '/src/repo',
    presetEnv: { OUT: 'o' },
    env: { OUT: 'from-process', HOME: '/home/dev' },
  };

  it('expands the macros of cmake-presets(7)', () => {
    expect(
      expandPresetMacros(
        '${sourceDir}/build/${presetName}-${sourceDirName}-${generator}|${sourceParentDir}|${dollar}|$env{OUT}|$penv{OUT}|$env{HOME}',
        facts,
      ),
    ).toBe('/src/repo/build/debug-repo-Ninja|/src|$|o|from-process|/home/dev');
  });

  it('gives up on macros it cannot know', () => {
    expect(expandPresetMacros('$vendor{x}/b', facts)).toBeUndefined();
    expect(expandPresetMacros('${unknownMacro}/b', facts)).toBeUndefined();
    expect(expandPresetMacros('${generator}', { ...facts, generator: undefined })).toBeUndefined();
  });
});

describe('presetBinaryDirs', () => {
  let repo: TempRepo | undefined;
  afterEach(async () => {
    await repo?.cleanup();
    repo = undefined;
  });

  it('resolves binaryDir through inherits, in both preset files, hidden presets left out', async () => {
    repo = await makeRepo({
      'CMakePresets.json': JSON.stringify({
        version: 6,
        configurePresets: [
          {
            name: 'base',
            hidden: true,
            generator: 'Ninja',
            binaryDir: '${sourceDir}/build/${presetName}',
          },
          { name: 'debug', inherits: 'base' },
          { name: 'release', inherits: ['base'], binaryDir: 'out/rel' },
          { name: 'vendor', binaryDir: '$vendor{x}' },
          { name: 'none' },
        ],
      }),
      // JSONC: comments and trailing commas are what people write.
      'CMakeUserPresets.json':
        '{ "version": 6, // mine\n "configurePresets": [ { "name": "mine", "inherits": "debug", "environment": {"D": "x"}, "binaryDir": "${sourceParentDir}/b-$env{D}" }, ] }',
    });
    expect(await presetBinaryDirs(repo.root, {})).toEqual([
      path.join(repo.root, 'build/debug'),
      path.join(repo.root, 'out/rel'),
      path.join(path.dirname(repo.root), 'b-x'),
    ]);
  });

  it('is empty without preset files, or with unreadable ones', async () => {
    repo = await makeRepo({ 'CMakeUserPresets.json': '{ not json' });
    expect(await presetBinaryDirs(repo.root, {})).toEqual([]);
  });
});

describe('customTargets', () => {
  it('lists the utility targets of build.ninja without the ones CMake adds', () => {
    const ninja = [
      '# Utility command for docs',
      'build CMakeFiles/docs.util: CUSTOM_COMMAND',
      '# Utility command for edit_cache',
      '# Utility command for rebuild_cache',
      '# Utility command for install',
      '# Utility command for Experimental',
      '# Utility command for trace-git',
      '# Utility command for docs',
      '# Custom command for CMakeFiles/docs',
      '',
    ].join('\n');
    expect(customTargets(ninja)).toEqual(['docs', 'trace-git']);
  });
});
