import { formatTime } from './rfc3339';

describe('formatTime (Go RFC 3339 with trimmed fractions)', () => {
  it.each([
    ['2023-07-12T09:22:19.123Z', '2023-07-12T09:22:19.123Z'],
    ['2023-07-12T09:22:19.120Z', '2023-07-12T09:22:19.12Z'],
    ['2023-07-12T09:22:19.100Z', '2023-07-12T09:22:19.1Z'],
    ['2023-07-12T09:22:19.000Z', '2023-07-12T09:22:19Z'],
    ['2023-07-12T09:22:19.003Z', '2023-07-12T09:22:19.003Z'],
    ['2023-07-12T09:22:19.020Z', '2023-07-12T09:22:19.02Z'],
    ['+275760-09-13T00:00:00.000Z', '+275760-09-13T00:00:00Z'],
  ])('%s → %s', (iso, expected) => {
    expect(formatTime(new Date(iso))).toBe(expected);
  });

  it('matches the regular-expression definition on every millisecond of a second', () => {
    for (let ms = 0; ms < 1000; ms++) {
      const date = new Date(Date.UTC(2024, 1, 29, 23, 59, 59, ms));
      expect(formatTime(date)).toBe(date.toISOString().replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z')));
    }
  });
});
