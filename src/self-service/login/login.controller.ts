import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrorResponses } from '../../common/openapi/api-error-responses.decorator';
import { LoginFlowDoc, SuccessfulNativeLoginDoc, UpdateLoginFlowWithPasswordMethodDoc } from '../self-service.docs';
import { LoginBody, LoginService } from './login.service';

@ApiTags('frontend')
@Controller('self-service/login')
export class LoginController {
  constructor(private readonly login: LoginService) {}

  @Get('api')
  @ApiOperation({ operationId: 'createNativeLoginFlow', summary: 'Create Login Flow for Native Apps' })
  @ApiOkResponse({ type: LoginFlowDoc, description: 'loginFlow' })
  @ApiErrorResponses(400)
  async create() {
    return this.login.flowJson(await this.login.createFlow());
  }

  @Get('flows')
  @ApiOperation({ operationId: 'getLoginFlow', summary: 'Get Login Flow' })
  @ApiQuery({ name: 'id', required: true })
  @ApiOkResponse({ type: LoginFlowDoc, description: 'loginFlow' })
  @ApiErrorResponses(404, 410)
  get(@Query('id') id: unknown) {
    return this.login.getFlow(id);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ operationId: 'updateLoginFlow', summary: 'Submit a Login Flow' })
  @ApiQuery({ name: 'flow', required: true, description: 'The Login Flow ID' })
  @ApiBody({ type: UpdateLoginFlowWithPasswordMethodDoc })
  @ApiOkResponse({ type: SuccessfulNativeLoginDoc, description: 'successfulNativeLogin' })
  @ApiErrorResponses(400, 410, 422, 429)
  submit(@Query('flow') flow: unknown, @Body() body: LoginBody | undefined, @Req() request: FastifyRequest) {
    return this.login.submit(flow, body, request);
  }
}
