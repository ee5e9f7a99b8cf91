/* `npm run openapi:generate`: writes openapi.json from the controllers' decorators (CI fails when it is stale). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOpenApiDocument } from '../test/support/openapi-document';

renderOpenApiDocument()
  .then((text) => {
    writeFileSync(join(__dirname, '..', 'openapi.json'), text);
    console.log('wrote openapi.json');
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
