import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOpenApiDocument } from './support/openapi-document';

describe('committed OpenAPI document', () => {
  it('matches the code (run "npm run openapi:generate" after changing routes or DTOs)', async () => {
    const committed = readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8');
    const generated = await renderOpenApiDocument();
    expect(JSON.parse(committed)).toEqual(JSON.parse(generated));
  });

  it("uses Kratos's operation ids for the routes it serves", () => {
    const doc = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(doc.paths['/schemas'].get.operationId).toBe('listIdentitySchemas');
    expect(doc.paths['/schemas/{id}'].get.operationId).toBe('getIdentitySchema');
  });
});
