import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/openapi/api-error-responses.decorator';
import {
  CreateRecoveryCodeForIdentityBody,
  CreateRecoveryLinkForIdentityBody,
  RecoveryCodeForIdentity,
  RecoveryLinkForIdentity,
} from './dto/create-recovery.dto';
import { RecoveryService } from './recovery.service';

@ApiTags('identity')
@ApiSecurity('oryAccessToken')
@Controller('admin/recovery')
export class RecoveryAdminController {
  constructor(private readonly recovery: RecoveryService) {}

  @Post('link')
  @HttpCode(200)
  @ApiOperation({ operationId: 'createRecoveryLinkForIdentity', summary: 'Create a Recovery Link' })
  @ApiQuery({ name: 'return_to', required: false, description: 'Where the browser goes after the link signed it in' })
  @ApiBody({ type: CreateRecoveryLinkForIdentityBody, required: false })
  @ApiOkResponse({ type: RecoveryLinkForIdentity, description: 'recoveryLinkForIdentity' })
  @ApiErrorResponses(400, 404)
  createLink(@Body() body: CreateRecoveryLinkForIdentityBody, @Query('return_to') returnTo?: string) {
    return this.recovery.createLink(body, returnTo);
  }

  @Post('code')
  @HttpCode(201)
  @ApiOperation({ operationId: 'createRecoveryCodeForIdentity', summary: 'Create a Recovery Code' })
  @ApiBody({ type: CreateRecoveryCodeForIdentityBody, required: false })
  @ApiCreatedResponse({ type: RecoveryCodeForIdentity, description: 'recoveryCodeForIdentity' })
  @ApiErrorResponses(400, 404)
  createCode(@Body() body: CreateRecoveryCodeForIdentityBody) {
    return this.recovery.createCode(body);
  }
}
