import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ApiError } from '../common/errors/api-error';
import { ErrorGeneric } from '../common/openapi/error-generic.dto';
import { HealthService } from './health.service';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

class HealthStatus {
  @ApiProperty({ example: 'ok' })
  status!: string;
}

class ReadyStatus extends HealthStatus {
  @ApiProperty({ enum: ['ok'] })
  database!: string;

  @ApiProperty({ enum: ['up', 'down'], description: 'Redis is optional: while it is down, events wait in the outbox' })
  redis!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The event relay: enabled, failing (with lastError), lastPublishedAt and the outbox backlog',
  })
  relay!: Record<string, unknown>;
}

class VersionInfo {
  @ApiProperty({ example: '0.1.0' })
  version!: string;
}

/** The package version; package.json sits two levels above both src/health and dist/health. */
const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

@ApiTags('metadata')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health/alive')
  @ApiOperation({ operationId: 'isAlive', summary: 'Check HTTP Server Status (the process only)' })
  @ApiOkResponse({ type: HealthStatus })
  alive(): HealthStatus {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @ApiOperation({ operationId: 'isReady', summary: 'Check HTTP Server and Database Status' })
  @ApiOkResponse({ type: ReadyStatus })
  @ApiServiceUnavailableResponse({ type: ErrorGeneric })
  async ready(): Promise<ReadyStatus> {
    const r = await this.health.readiness();
    if (!r.ready) {
      throw new ApiError(503, { reason: `database: ${r.database}`, details: { database: r.database, redis: r.redis } });
    }
    return { status: 'ok', database: r.database, redis: r.redis, relay: r.relay as unknown as Record<string, unknown> };
  }

  @Get('version')
  @ApiOperation({ operationId: 'getVersion', summary: 'Return Running Software Version' })
  @ApiOkResponse({ type: VersionInfo })
  version(): VersionInfo {
    return { version };
  }
}
