import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { ApiError } from './api-error';
import { mapErrorToEnvelope as mapAny } from './error-to-envelope';

/** The envelope as tests read it. */
const mapErrorToEnvelope = (err: unknown, requestId?: string) => {
  const mapped = mapAny(err, requestId);
  return { ...mapped, body: mapped.body as { error: Record<string, unknown> } };
};

describe('mapErrorToEnvelope', () => {
  it("writes herodot's key order and omits empty fields", () => {
    const { status, body } = mapErrorToEnvelope(ApiError.badRequest('bad thing'), 'rid');
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toBe(
      '{"error":{"code":400,"status":"Bad Request","request":"rid","reason":"bad thing","message":"The request was malformed or contained invalid parameters"}}',
    );
  });

  it('answers anything unexpected with a bare 500 that hides the cause', () => {
    const { status, body, unexpected } = mapErrorToEnvelope(new Error('ECONNREFUSED 10.0.0.5:3306 password=hunter2'));
    expect(status).toBe(500);
    expect(unexpected).toBe(true);
    expect(body).toEqual({
      error: { code: 500, status: 'Internal Server Error', message: 'An internal server error occurred, please contact the system administrator' },
    });
  });

  it("maps Nest's unknown-route 404 to Kratos's plain 404", () => {
    expect(mapErrorToEnvelope(new NotFoundException('Cannot GET /x')).body).toEqual({
      error: { code: 404, status: 'Not Found', message: 'The requested resource could not be found' },
    });
  });

  it("keeps Fastify's reason for body errors and uses Go's status text", () => {
    const { status, body } = mapErrorToEnvelope(new HttpException('Request body is too large', 413));
    expect(status).toBe(413);
    expect(body.error).toMatchObject({ code: 413, status: 'Request Entity Too Large', reason: 'Request body is too large' });
  });

  it('joins validation messages into the reason', () => {
    expect(mapErrorToEnvelope(new BadRequestException(['a must be a string', 'b should not exist'])).body.error.reason).toBe(
      'a must be a string; b should not exist',
    );
  });

  it('always sets error.code to the HTTP status', () => {
    for (const status of [400, 401, 403, 404, 409, 413, 500, 503]) {
      expect(mapErrorToEnvelope(new ApiError(status)).body.error.code).toBe(status);
    }
  });

  it("answers a value the database refused as the client's 400, naming the column", () => {
    const driverError = { code: 'ER_DATA_TOO_LONG', errno: 1406, sqlMessage: "Data too long for column 'status' at row 1" };
    const mapped = mapErrorToEnvelope(Object.assign(new Error('Data too long'), { driverError }));
    expect(mapped.status).toBe(400);
    expect(mapped.unexpected).toBe(false);
    expect(mapped.body.error.reason).toMatch(/\(status\)/);
  });
});
