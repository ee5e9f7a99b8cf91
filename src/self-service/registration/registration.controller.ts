import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrorResponses } from '../../common/openapi/api-error-responses.decorator';
import { RegistrationFlowDoc, SuccessfulNativeRegistrationDoc, UpdateRegistrationFlowWithPasswordMethodDoc } from '../self-service.docs';
import { RegistrationBody, RegistrationService } from './registration.service';

@ApiTags('frontend')
@Controller('self-service/registration')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @Get('api')
  @ApiOperation({ operationId: 'createNativeRegistrationFlow', summary: 'Create Registration Flow for Native Apps' })
  @ApiOkResponse({ type: RegistrationFlowDoc, description: 'registrationFlow' })
  @ApiErrorResponses(400)
  async create() {
    return this.registration.flowJson(await this.registration.createFlow());
  }

  @Get('flows')
  @ApiOperation({ operationId: 'getRegistrationFlow', summary: 'Get Registration Flow' })
  @ApiQuery({ name: 'id', required: true })
  @ApiOkResponse({ type: RegistrationFlowDoc, description: 'registrationFlow' })
  @ApiErrorResponses(404, 410)
  get(@Query('id') id: unknown) {
    return this.registration.getFlow(id);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ operationId: 'updateRegistrationFlow', summary: 'Update Registration Flow' })
  @ApiQuery({ name: 'flow', required: true, description: 'The Registration Flow ID' })
  @ApiBody({ type: UpdateRegistrationFlowWithPasswordMethodDoc })
  @ApiOkResponse({ type: SuccessfulNativeRegistrationDoc, description: 'successfulNativeRegistration' })
  @ApiErrorResponses(400, 410, 422)
  submit(@Query('flow') flow: unknown, @Body() body: RegistrationBody | undefined, @Req() request: FastifyRequest) {
    return this.registration.submit(flow, body, request);
  }
}
