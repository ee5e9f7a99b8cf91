import { Controller, Delete, Get, HttpCode, Param, Patch, Query, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrorResponses } from '../common/openapi/api-error-responses.decorator';
import { parseStrictUuid } from '../common/http/uuid-param';
import { SessionResponse } from './dto/session.response';
import { SessionService } from './session.service';

const expandQuery = ApiQuery({ name: 'expand', required: false, isArray: true, enum: ['identity', 'devices'] });
const activeQuery = ApiQuery({ name: 'active', required: false, type: Boolean, description: 'Only active (true) or only inactive (false) sessions' });

@ApiTags('identity')
@ApiSecurity('oryAccessToken')
@Controller('admin')
export class SessionAdminController {
  constructor(private readonly sessions: SessionService) {}

  @Get('sessions')
  @ApiOperation({ operationId: 'listSessions', summary: 'List All Sessions' })
  @ApiQuery({ name: 'page_size', required: false, schema: { type: 'integer', format: 'int64', minimum: 1, maximum: 1000, default: 250 } })
  @ApiQuery({ name: 'page_token', required: false, type: String })
  @activeQuery
  @expandQuery
  @ApiOkResponse({ type: SessionResponse, isArray: true, description: 'Session List Response' })
  @ApiErrorResponses(400)
  async list(@Query() query: Record<string, unknown>, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { items, headers } = await this.sessions.list(query, request.url);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    return items;
  }

  @Get('sessions/:id')
  @ApiOperation({ operationId: 'getSession', summary: 'Get Session' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @expandQuery
  @ApiOkResponse({ type: SessionResponse, description: 'session' })
  @ApiErrorResponses(400, 404)
  get(@Param('id') id: string, @Query('expand') expand: unknown) {
    return this.sessions.get(parseStrictUuid(id), expand);
  }

  @Patch('sessions/:id/extend')
  @ApiOperation({ operationId: 'extendSession', summary: 'Extend a Session' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: SessionResponse, description: 'session' })
  @ApiErrorResponses(400, 404)
  extend(@Param('id') id: string) {
    return this.sessions.extend(parseStrictUuid(id));
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'disableSession', summary: 'Deactivate a Session' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Empty responses are sent when, for example, resources are deleted.' })
  @ApiErrorResponses(400, 404)
  async disable(@Param('id') id: string): Promise<void> {
    await this.sessions.disable(parseStrictUuid(id));
  }

  @Get('identities/:id/sessions')
  @ApiOperation({ operationId: 'listIdentitySessions', summary: "List an Identity's Sessions" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiQuery({ name: 'per_page', required: false, schema: { type: 'integer', format: 'int64', minimum: 1, maximum: 1000, default: 250 } })
  @ApiQuery({ name: 'page', required: false, schema: { type: 'integer', format: 'int64', minimum: 0 }, description: '0-based page number' })
  @activeQuery
  @ApiOkResponse({ type: SessionResponse, isArray: true, description: 'List Identity Sessions Response' })
  @ApiErrorResponses(400, 404)
  async listForIdentity(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { items, headers } = await this.sessions.listForIdentity(parseStrictUuid(id), query, request.url);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    return items;
  }

  @Delete('identities/:id/sessions')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteIdentitySessions', summary: "Delete & Invalidate an Identity's Sessions" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Empty responses are sent when, for example, resources are deleted.' })
  @ApiErrorResponses(400, 404)
  async deleteForIdentity(@Param('id') id: string): Promise<void> {
    await this.sessions.deleteForIdentity(parseStrictUuid(id));
  }
}
