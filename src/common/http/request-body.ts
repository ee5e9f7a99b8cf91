import { Transform } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors/api-error';

export interface RequestBodyLimits {
  /** Port whose bodies get the smaller limit (anyone can send them), or undefined when both surfaces share a port. */
  publicPort?: number;
  publicBodyLimitBytes: number;
  maxDepth: number;
  maxElements: number;
}

/**
 * Why a JSON text is refused before it is parsed, or undefined: nested deeper than `maxDepth`, or holding more than
 * `maxElements` values and keys. One linear pass over the text, so that what comes after (parsing, validation,
 * class-transformer, JSON Patch) never recurses deeper or runs longer than these bounds allow.
 */
export function jsonShapeProblem(text: string, maxDepth: number, maxElements: number): string | undefined {
  let depth = 0;
  let elements = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string, escapes included.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return `The JSON body is nested deeper than ${maxDepth} levels.`;
      if (++elements > maxElements) return `The JSON body holds more than ${maxElements} values.`;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2c && ++elements > maxElements) {
      return `The JSON body holds more than ${maxElements} values.`;
    }
  }
  return undefined;
}

/** Counts the bytes of a body as they arrive and fails the request once there are more than `limit`. */
function limitedStream(limit: number): Transform {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > limit) callback(bodyTooLarge(limit));
      else callback(null, chunk);
    },
  });
}

function bodyTooLarge(limit: number): ApiError {
  return new ApiError(413, { reason: `The request body is larger than ${limit} bytes.` });
}

/**
 * How request bodies are read. JSON is parsed only after the shape check above; an empty JSON body (some clients send
 * one with DELETE) is no body, as in Go. Other content types carry nothing this API reads (the SDK sends one with a
 * body-less PATCH): their body is ignored, as Go does, instead of answering 415. On the public port, bodies are
 * limited to `publicBodyLimitBytes`, counted while they arrive.
 */
export function installRequestBodyParsing(fastify: FastifyInstance, limits: RequestBodyLimits): void {
  if (limits.publicPort !== undefined) {
    const publicPort = limits.publicPort;
    fastify.addHook('preParsing', async (request, _reply, payload) => {
      if (request.raw.socket?.localPort !== publicPort) return payload;
      const declared = Number(request.headers['content-length']);
      if (declared > limits.publicBodyLimitBytes) throw bodyTooLarge(limits.publicBodyLimitBytes);
      return payload.pipe(limitedStream(limits.publicBodyLimitBytes));
    });
  }
  const jsonParser = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text === '') return done(null, undefined);
    const problem = jsonShapeProblem(text, limits.maxDepth, limits.maxElements);
    if (problem) return done(ApiError.badRequest(problem), undefined);
    // Fastify's JSON parser answers through `done`; it returns nothing to wait for.
    void jsonParser(request, text, done);
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
}
