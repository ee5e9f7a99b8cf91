import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrorResponses } from '../../common/openapi/api-error-responses.decorator';
import { SettingsFlowDoc, UpdateSettingsFlowWithPasswordMethodDoc } from '../self-service.docs';
import { SettingsBody, SettingsService } from './settings.service';

const sessionHeader = ApiHeader({ name: 'X-Session-Token', required: false, description: 'The session token; the session cookie works too' });

@ApiTags('frontend')
@Controller('self-service/settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get('api')
  @ApiOperation({ operationId: 'createNativeSettingsFlow', summary: 'Create Settings Flow for Native Apps' })
  @sessionHeader
  @ApiOkResponse({ type: SettingsFlowDoc, description: 'settingsFlow' })
  @ApiErrorResponses(400, 401)
  create(@Req() request: FastifyRequest) {
    return this.settings.createForRequest(request);
  }

  @Get('flows')
  @ApiOperation({ operationId: 'getSettingsFlow', summary: 'Get Settings Flow' })
  @ApiQuery({ name: 'id', required: true })
  @sessionHeader
  @ApiOkResponse({ type: SettingsFlowDoc, description: 'settingsFlow' })
  @ApiErrorResponses(401, 403, 404)
  get(@Query('id') id: unknown, @Req() request: FastifyRequest) {
    return this.settings.getFlow(id, request);
  }

  /** Where a recovery link lands by default (SETTINGS_UI_URL): the settings flow, for the session cookie's owner. */
  @Get()
  @ApiOperation({ operationId: 'getSettingsFlowByFlowParam', summary: 'Get Settings Flow (the default settings UI address)' })
  @ApiQuery({ name: 'flow', required: true })
  @ApiOkResponse({ type: SettingsFlowDoc, description: 'settingsFlow' })
  @ApiErrorResponses(401, 403, 404)
  show(@Query('flow') flow: unknown, @Req() request: FastifyRequest) {
    return this.settings.getFlow(flow, request);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ operationId: 'updateSettingsFlow', summary: 'Complete Settings Flow' })
  @ApiQuery({ name: 'flow', required: true, description: 'The Settings Flow ID' })
  @sessionHeader
  @ApiBody({ type: UpdateSettingsFlowWithPasswordMethodDoc })
  @ApiOkResponse({ type: SettingsFlowDoc, description: 'settingsFlow' })
  @ApiErrorResponses(400, 401, 403, 410)
  submit(@Query('flow') flow: unknown, @Body() body: SettingsBody | undefined, @Req() request: FastifyRequest) {
    return this.settings.submit(flow, body, request);
  }
}
