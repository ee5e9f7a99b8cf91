import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { ApiErrorResponses } from '../common/openapi/api-error-responses.decorator';
import { RecoveryFlowDoc, UpdateRecoveryFlowWithCodeMethodDoc } from '../self-service';
import { setSessionCookie } from '../session/session-cookie';
import { RecoveryService } from './recovery.service';

/** The public recovery endpoints: redeeming a code (native apps) or a link (browsers). */
@ApiTags('frontend')
@Controller('self-service/recovery')
export class RecoveryController {
  constructor(
    private readonly recovery: RecoveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'redeemRecoveryLink', summary: 'Open a recovery link (with token) or show a recovery flow (without)' })
  @ApiQuery({ name: 'flow', required: true })
  @ApiQuery({ name: 'token', required: false })
  @ApiResponse({ status: 303, description: 'Signed in (session cookie set): to return_to or the settings UI; on failure to the recovery UI' })
  @ApiOkResponse({ type: RecoveryFlowDoc, description: 'recoveryFlow (without token)' })
  @ApiErrorResponses(400, 404, 410)
  async open(@Query('flow') flow: unknown, @Query('token') token: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    if (typeof token !== 'string' || !token) return this.recovery.getFlow(flow);
    const result = await this.recovery.redeemLink(flow, token, request);
    if (result.session) {
      setSessionCookie(reply, this.config, result.session);
    }
    reply.header('cache-control', 'private, no-cache, no-store, must-revalidate');
    reply.redirect(result.location, 303);
    return undefined;
  }

  @Get('flows')
  @ApiOperation({ operationId: 'getRecoveryFlow', summary: 'Get Recovery Flow' })
  @ApiQuery({ name: 'id', required: true })
  @ApiOkResponse({ type: RecoveryFlowDoc, description: 'recoveryFlow' })
  @ApiErrorResponses(404, 410)
  get(@Query('id') id: unknown) {
    return this.recovery.getFlow(id);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ operationId: 'updateRecoveryFlow', summary: 'Update Recovery Flow (redeem a recovery code)' })
  @ApiQuery({ name: 'flow', required: true, description: 'The Recovery Flow ID' })
  @ApiBody({ type: UpdateRecoveryFlowWithCodeMethodDoc })
  @ApiOkResponse({ type: RecoveryFlowDoc, description: 'recoveryFlow' })
  @ApiErrorResponses(400, 401, 404, 410, 429)
  redeem(@Query('flow') flow: unknown, @Body() body: { method?: unknown; code?: unknown } | undefined, @Req() request: FastifyRequest) {
    return this.recovery.redeemCode(flow, body, request);
  }
}
