import {
  decideFastPaths,
  describeFastPaths,
  FAST_PATHS_WRITTEN_FOR,
  parseFastPathsSwitch,
} from './fast-paths';

const written = { ...FAST_PATHS_WRITTEN_FOR };

describe('fast paths', () => {
  it('are on by default and with 1, off with 0; anything else is not a value', () => {
    expect(parseFastPathsSwitch(undefined)).toBe(true);
    expect(parseFastPathsSwitch('')).toBe(true);
    expect(parseFastPathsSwitch(' 1 ')).toBe(true);
    expect(parseFastPathsSwitch('0')).toBe(false);
    for (const bad of ['off', 'false', 'yes', '2', '00']) expect(parseFastPathsSwitch(bad)).toBeUndefined();
  });

  it('install every fast path at the versions they were written for, and say nothing', () => {
    const state = decideFastPaths(undefined, written);
    expect(state).toEqual({ requested: true, kafkajs: true, pg: true, node: true, refused: [] });
    expect(describeFastPaths(state)).toBeUndefined();
  });

  it('leave off only the library at another version, and warn once naming it', () => {
    const state = decideFastPaths('1', { ...written, kafkajs: '2.2.5' });
    expect(state).toMatchObject({ kafkajs: false, pg: true, node: true });
    expect(describeFastPaths(state)).toEqual({
      level: 'warn',
      message: `fast paths left off for kafkajs 2.2.5 (written for ${written.kafkajs}): the plain paths run instead`,
    });
    expect(decideFastPaths('1', { ...written, pg: '9.0.0' })).toMatchObject({ kafkajs: true, pg: false });
  });

  it('are all off with HERALD_FAST_PATHS=0, whatever the versions', () => {
    const state = decideFastPaths('0', { kafkajs: '9.9.9', pg: '9.9.9' });
    expect(state).toEqual({ requested: false, kafkajs: false, pg: false, node: false, refused: [] });
    expect(describeFastPaths(state)).toEqual({
      level: 'info',
      message: 'fast paths off (HERALD_FAST_PATHS=0)',
    });
  });
});
