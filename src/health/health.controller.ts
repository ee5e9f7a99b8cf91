import { Controller, Get, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ApiError } from '../common/errors/api-error';
import { ErrorGeneric } from '../common/openapi/error-generic.dto';
import { HealthService } from './health.service';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

class HealthStatus {
  @ApiProperty({ example: 'ok' })
  status!: string;
}

/** The details are for operators: the admin port shows them, the public port only `status`. */
class ReadyStatus extends HealthStatus {
  @ApiPropertyOptional({ enum: ['ok'], description: 'Admin port only' })
  database?: string;

  @ApiPropertyOptional({ enum: ['up', 'down'], description: 'Admin port only. Redis is optional: while it is down, events wait in the outbox' })
  redis?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Admin port only. The event relay: enabled, failing (with lastError), lastPublishedAt and the outbox backlog',
  })
  relay?: Record<string, unknown>;
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
  async ready(@Req() request: FastifyRequest): Promise<ReadyStatus> {
    const r = await this.health.readiness();
    if (!request.adminSurface) {
      if (!r.ready) throw new ApiError(503, {});
      return { status: 'ok' };
    }
    if (!r.ready) {
      const reason = r.process === 'stopping' ? 'the process is stopping' : `database: ${r.database}`;
      throw new ApiError(503, { reason, details: { process: r.process, database: r.database, redis: r.redis } });
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
