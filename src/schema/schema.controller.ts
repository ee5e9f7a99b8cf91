import { Controller, Get, Header, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Inject } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { ApiErrorResponses } from '../common/openapi/api-error-responses.decorator';
import { pageLinkHeader, parsePageRequest } from '../common/pagination/page-pagination';
import { IdentitySchemaContainer } from './dto/identity-schema-container.dto';
import { SchemaService } from './schema.service';

/** `GET /schemas` and `GET /schemas/{id}`: on both ports, as in Kratos. */
@ApiTags('identity')
@Controller('schemas')
export class SchemaController {
  constructor(
    private readonly schemas: SchemaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listIdentitySchemas', summary: 'Get all Identity Schemas' })
  @ApiQuery({ name: 'per_page', required: false, schema: { type: 'integer', format: 'int64', default: 250, minimum: 1, maximum: 1000 } })
  @ApiQuery({ name: 'page', required: false, schema: { type: 'integer', format: 'int64', default: 0, minimum: 0 } })
  @ApiOkResponse({ type: IdentitySchemaContainer, isArray: true, description: 'List Identity JSON Schemas Response' })
  @ApiErrorResponses()
  async list(
    @Query('page') page: string | undefined,
    @Query('per_page') perPage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IdentitySchemaContainer[]> {
    const request = parsePageRequest({ page, per_page: perPage });
    const { items, total } = await this.schemas.list(request);
    reply.header('x-total-count', String(total));
    reply.header('link', pageLinkHeader(`${this.config.http.publicBaseUrl}/schemas`, request, total));
    return items as IdentitySchemaContainer[];
  }

  @Get(':id')
  @Header('content-type', 'application/json')
  @ApiOperation({ operationId: 'getIdentitySchema', summary: 'Get Identity JSON Schema' })
  @ApiParam({ name: 'id', description: 'ID must be set to the ID of schema you want to get (or its base64url encoding)' })
  @ApiProduces('application/json')
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true }, description: 'The raw identity JSON schema' })
  @ApiErrorResponses(404)
  async get(@Param('id') id: string): Promise<string> {
    const doc = await this.schemas.getDocument(id);
    return doc.raw;
  }
}
