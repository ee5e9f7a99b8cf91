import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrorResponses } from '../common/openapi/api-error-responses.decorator';
import { SessionResponse } from './dto/session.response';
import { SessionService } from './session.service';

/** `GET /sessions/whoami` on the public port: the caller's session, from its token or cookie. */
@ApiTags('frontend')
@Controller('sessions')
export class WhoamiController {
  constructor(private readonly sessions: SessionService) {}

  @Get('whoami')
  @ApiOperation({ operationId: 'toSession', summary: 'Check Who the Current HTTP Session Belongs To' })
  @ApiHeader({
    name: 'X-Session-Token',
    required: false,
    description: 'The session token (native apps); `Authorization: Bearer` and the session cookie work too',
  })
  @ApiOkResponse({ type: SessionResponse, description: 'session' })
  @ApiErrorResponses(401, 403)
  async whoami(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { session, identity } = await this.sessions.authenticate(request);
    reply.header('x-kratos-authenticated-identity-id', identity.id);
    reply.header('cache-control', 'private, no-cache, no-store, must-revalidate');
    return this.sessions.publicJson(session, identity);
  }
}
