import { decodeCookieValue } from './cookie-value';

describe('decodeCookieValue', () => {
  it.each([
    ['ory_st_abc', 'ory_st_abc'],
    ['"ory_st_abc"', 'ory_st_abc'],
    ['x%20y', 'x y'],
    ['"x%20y"', 'x y'],
    ['%E0%A4%A', '%E0%A4%A'],
    ['"', '"'],
    ['""', ''],
    ['"a', '"a'],
  ])('reads %j as %j', (raw, value) => {
    expect(decodeCookieValue(raw)).toBe(value);
  });
});
