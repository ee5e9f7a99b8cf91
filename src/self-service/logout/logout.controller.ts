import { Body, Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../../common/openapi/api-error-responses.decorator';
import { SessionService } from '../../session/session.service';
import { PerformNativeLogoutBodyDoc } from '../self-service.docs';

@ApiTags('frontend')
@Controller('self-service/logout')
export class LogoutController {
  constructor(private readonly sessions: SessionService) {}

  @Delete('api')
  @HttpCode(204)
  @ApiOperation({ operationId: 'performNativeLogout', summary: 'Perform Logout for Native Apps' })
  @ApiBody({ type: PerformNativeLogoutBodyDoc })
  @ApiNoContentResponse({ description: 'Empty responses are sent when, for example, resources are deleted.' })
  @ApiErrorResponses(400, 403)
  async logout(@Body() body: unknown): Promise<void> {
    await this.sessions.logout(body);
  }
}
