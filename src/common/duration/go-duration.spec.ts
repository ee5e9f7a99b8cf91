import { parseGoDuration } from './go-duration';

describe('parseGoDuration', () => {
  it.each([
    ['15m', 15 * 60_000],
    ['1h30m', 90 * 60_000],
    ['1.5h', 90 * 60_000],
    ['300ms', 300],
    ['2h45m30s', (2 * 3600 + 45 * 60 + 30) * 1000],
    ['0', 0],
    ['-1h', -3_600_000],
    ['1000us', 1],
    ['2562047h', 2562047 * 3_600_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms);
  });

  it.each(['', '1', 'h', '1d', '1 h', '1h ', 'abc', '1hm', '2562048h', '99999999999999999999h', '1e400h'])('%j is not a duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
