import { applyPatch, deepClone, Operation } from 'fast-json-patch';
import { ApiError } from '../common/errors/api-error';

/**
 * JSON Patch (RFC 6902) on the identity document, with Kratos's restrictions and quirks. fast-json-patch applies
 * the operations; this file decides which operations are allowed and how `replace` and missing parents behave.
 */

const PATCH_FAILED_REASON = 'An error occured when applying the JSON patch';
/** Paths a JSON Patch may not touch (Kratos denies `/stateChangedAt`, in camel case, by mistake; both are denied here). */
const DENIED_PATCH_PATHS = [/^\/id$/, /^\/credentials(\/|$)/, /^\/state_changed_at$/, /^\/stateChangedAt$/];
const PATCH_OPS = ['add', 'remove', 'replace'];
/** Path segments that would reach object prototypes. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

function patchError(message: string): ApiError {
  return new ApiError(400, { reason: PATCH_FAILED_REASON, message });
}

/** Checks a request body is a patch of allowed operations on allowed paths; 400 otherwise. */
export function parseIdentityPatch(operations: unknown): Operation[] {
  if (!Array.isArray(operations)) throw ApiError.badRequest('The request body must be a JSON Patch document (an array of operations).');
  for (const op of operations as Array<Record<string, unknown>>) {
    if (!op || typeof op !== 'object' || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw patchError('invalid operation: every operation needs "op" and "path"');
    }
    if (!PATCH_OPS.includes(op.op)) throw patchError(`unsupported operation: ${op.op}`);
    for (const path of [op.path, op.from]) {
      if (typeof path !== 'string') continue;
      // "" is the whole document: replacing or removing it is not an edit of the identity.
      if (path === '') throw patchError('patch includes denied path: "" (the whole identity); patch its members, such as /traits');
      if (!path.startsWith('/')) throw patchError(`invalid JSON pointer: ${JSON.stringify(path)}`);
      if (DENIED_PATCH_PATHS.some((re) => re.test(path))) throw patchError(`patch includes denied path: ${path}`);
      if (path.split('/').some((segment) => FORBIDDEN_SEGMENTS.has(segment))) throw patchError(`patch includes denied path: ${path}`);
    }
    if ((op.op === 'add' || op.op === 'replace') && !('value' in op)) throw patchError(`missing value for operation ${op.op} on ${op.path}`);
  }
  return operations as Operation[];
}

/**
 * Applies the patch as Kratos does: `replace` of an object member works like `add` (so it may create the member),
 * and missing or null parent objects are created for `add` (a null `metadata_public` counts as `{}`).
 * The input document is not changed.
 */
export function applyIdentityPatch(document: object, ops: Operation[]): Record<string, unknown> {
  let doc = deepClone(document) as Record<string, unknown>;
  for (const original of ops) {
    let op = original;
    const parent = ensureParent(doc, op.path, op.op === 'add' || op.op === 'replace');
    if (op.op === 'replace' && parent !== undefined && !Array.isArray(parent)) op = { op: 'add', path: op.path, value: op.value as unknown };
    try {
      doc = applyPatch(doc, [op], true, true).newDocument;
    } catch (err) {
      throw patchError(String((err as Error).message).split('\n')[0]);
    }
  }
  return doc;
}

/** Returns the container the path points into, creating missing (or null) objects on the way when `create`. */
function ensureParent(doc: Record<string, unknown>, path: string, create: boolean): unknown {
  const tokens = path
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return undefined;
    const container = node as Record<string, unknown>;
    if (!Array.isArray(container) && create && (!Object.hasOwn(container, token) || container[token] === null)) container[token] = {};
    // Only own members: never walk into a prototype.
    node = Object.hasOwn(container, token) ? container[token] : undefined;
  }
  return node;
}
