/* `npm run asyncapi:generate`: writes asyncapi.yaml from the event catalogue and schemas (CI fails when it is stale). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAsyncApiDocument } from '../src/events/asyncapi-document';

writeFileSync(join(__dirname, '..', 'asyncapi.yaml'), renderAsyncApiDocument());
console.log('wrote asyncapi.yaml');
