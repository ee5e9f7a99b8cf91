import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { renderAsyncApiDocument } from './asyncapi-document';
import { EVENT_TYPES } from './event-catalogue';

const committed = readFileSync(join(__dirname, '..', '..', 'asyncapi.yaml'), 'utf8');

describe('asyncapi.yaml', () => {
  it('matches the event catalogue and schemas (run "npm run asyncapi:generate" after changing them)', () => {
    expect(parse(committed)).toEqual(parse(renderAsyncApiDocument()));
  });

  it('is a valid AsyncAPI 3 document for the AsyncAPI parser, without errors or warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(committed);
    const serious = diagnostics.filter((d) => Number(d.severity) <= 1 /* error or warning */).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
    expect(serious).toEqual([]);
    expect(document).toBeDefined();
    const names = document!
      .allMessages()
      .all()
      .map((m) => m.name());
    expect([...names].sort()).toEqual([...EVENT_TYPES].sort());
  }, 30_000);
});
