import { pageLinkHeader, pageLinks, parsePageRequest } from './page-pagination';

describe('parsePageRequest (Kratos migrationpagination rules)', () => {
  it.each([
    [{}, { page: 0, perPage: 250 }],
    [
      { page: '2', per_page: '10' },
      { page: 2, perPage: 10 },
    ],
    [
      { page: '-3', per_page: '0' },
      { page: 0, perPage: 1 },
    ],
    [
      { page: 'x', per_page: 'y' },
      { page: 0, perPage: 250 },
    ],
    [{ per_page: '5000' }, { page: 0, perPage: 1000 }],
  ])('%j → %j', (query, expected) => {
    expect(parsePageRequest(query)).toEqual(expected);
  });
});

describe('pageLinks', () => {
  const rels = (offset: number, ipp: number, total: number) => pageLinks(offset, ipp, total).map((l) => `${l.rel}@${l.offset}/${l.itemsPerPage}`);

  it('first page of many: next and last', () => expect(rels(0, 10, 35)).toEqual(['next@10/10', 'last@30/10']));
  it('middle page: first, next, prev, last', () => expect(rels(10, 10, 35)).toEqual(['first@0/10', 'next@20/10', 'prev@0/10', 'last@30/10']));
  it('last page: first and prev', () => expect(rels(30, 10, 35)).toEqual(['first@0/10', 'prev@20/10']));
  it('everything on one page: only first, sized to the total', () => expect(rels(0, 250, 3)).toEqual(['first@0/3']));
  it('empty: first, next, prev (as ory/x does)', () => expect(rels(0, 250, 0)).toEqual(['first@0/250', 'next@250/250', 'prev@-250/250']));

  it('formats a header with page and per_page', () => {
    expect(pageLinkHeader('http://x/schemas', { page: 1, perPage: 10 }, 35)).toBe(
      '<http://x/schemas?page=0&per_page=10>; rel="first",<http://x/schemas?page=2&per_page=10>; rel="next",<http://x/schemas?page=0&per_page=10>; rel="prev",<http://x/schemas?page=3&per_page=10>; rel="last"',
    );
  });
});
