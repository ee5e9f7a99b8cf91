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

  it('matches toISOString, trimmed, across the whole range of four-digit years', () => {
    const trimmed = (date: Date) => date.toISOString().replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
    const edges = [0, 951_782_400_000 /* 2000-02-29 */, 4_107_542_399_999 /* 2100-02-28T23:59:59.999 */, 253_402_300_799_999];
    for (const t of [...edges, ...Array.from({ length: 20_000 }, () => Math.floor(Math.random() * 253_402_300_800_000))]) {
      expect(formatTime(new Date(t))).toBe(trimmed(new Date(t)));
    }
    expect(formatTime(new Date(-1))).toBe('1969-12-31T23:59:59.999Z');
  });

  it('matches the regular-expression definition on every millisecond of a second', () => {
    for (let ms = 0; ms < 1000; ms++) {
      const date = new Date(Date.UTC(2024, 1, 29, 23, 59, 59, ms));
      expect(formatTime(date)).toBe(date.toISOString().replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z')));
    }
  });
});
