import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { ApiError } from '../common/errors/api-error';
import { UUID_PATTERN } from '../common/http/query-values';
import { ApiErrorResponses } from '../common/openapi/api-error-responses.decorator';
import { BatchPatchIdentitiesResponse, PatchIdentitiesBody } from './dto/batch-patch-identities.dto';
import { CreateIdentityBody, UpdateIdentityBody } from './dto/create-identity.dto';
import { IdentityCredentials, IdentityResponse, JsonPatchOperation } from './dto/identity.response';
import { IdentityBatchService } from './identity-batch.service';
import { parseListIdentitiesQuery } from './identity-list-query';
import { ADMIN_VIEW } from './identity.mapper';
import { IdentityService } from './identity.service';
import { INCLUDE_CREDENTIAL_VALUES, parseIncludeCredential } from './include-credential';

/** Kratos parses identity ids leniently: anything that is not a UUID is simply not found (404, never 400). */
function identityId(raw: string): string {
  if (!UUID_PATTERN.test(raw)) throw ApiError.noRows();
  return raw.toLowerCase();
}

const idParam = ApiParam({ name: 'id', description: 'ID must be set to the ID of identity you want to get', format: 'uuid' });

@ApiTags('identity')
@ApiSecurity('oryAccessToken')
@ApiExtraModels(IdentityCredentials)
@Controller('admin/identities')
export class IdentityController {
  constructor(
    private readonly identities: IdentityService,
    private readonly batches: IdentityBatchService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listIdentities', summary: 'List Identities' })
  @ApiQuery({
    name: 'per_page',
    required: false,
    schema: { type: 'integer', format: 'int64', minimum: 1, maximum: 1000, default: 250 },
    description: 'Items per page (legacy page pagination; without `page` it is read as `page_size`)',
  })
  @ApiQuery({ name: 'page', required: false, schema: { type: 'integer', format: 'int64', minimum: 0 }, description: 'Legacy 0-based page number' })
  @ApiQuery({ name: 'page_size', required: false, schema: { type: 'integer', format: 'int64', minimum: 1, maximum: 500, default: 250 } })
  @ApiQuery({ name: 'page_token', required: false, schema: { type: 'string' }, description: 'Keyset page token from the `next` Link' })
  @ApiQuery({ name: 'consistency', required: false, schema: { type: 'string', enum: ['', 'strong', 'eventual'] }, description: 'Accepted and ignored' })
  @ApiQuery({ name: 'ids', required: false, isArray: true, type: String, description: 'Only these ids (at most 500)' })
  @ApiQuery({ name: 'credentials_identifier', required: false, type: String })
  @ApiQuery({ name: 'preview_credentials_identifier_similar', required: false, type: String })
  @ApiQuery({ name: 'include_credential', required: false, isArray: true, enum: INCLUDE_CREDENTIAL_VALUES })
  @ApiQuery({ name: 'organization_id', required: false, type: String })
  @ApiOkResponse({ type: IdentityResponse, isArray: true, description: 'Paginated Identity List' })
  @ApiErrorResponses(400)
  async list(@Query() query: Record<string, unknown>, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { items, headers } = await this.identities.list(parseListIdentitiesQuery(query), request.url);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    return items;
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ operationId: 'createIdentity', summary: 'Create an Identity' })
  @ApiBody({ type: CreateIdentityBody, required: false })
  @ApiCreatedResponse({ type: IdentityResponse, description: 'identity' })
  @ApiErrorResponses(400, 409)
  async create(@Body() body: CreateIdentityBody, @Res({ passthrough: true }) reply: FastifyReply) {
    const identity = await this.identities.create(body ?? ({} as CreateIdentityBody));
    reply.header('location', `${this.config.http.adminBaseUrl}/admin/identities/${identity.id}`);
    return this.identities.toJson(identity, { credentials: 'without-config', metadataAdmin: 'when-set' });
  }

  @Patch()
  @ApiOperation({ operationId: 'batchPatchIdentities', summary: 'Create multiple identities' })
  @ApiBody({ type: PatchIdentitiesBody, required: false })
  @ApiOkResponse({ type: BatchPatchIdentitiesResponse, description: 'batchPatchIdentitiesResponse' })
  @ApiErrorResponses(400, 409)
  batch(@Body() body: PatchIdentitiesBody) {
    return this.batches.batch(body);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getIdentity', summary: 'Get an Identity' })
  @idParam
  @ApiQuery({
    name: 'include_credential',
    required: false,
    isArray: true,
    enum: INCLUDE_CREDENTIAL_VALUES,
    description: 'Credential types whose config (including password hashes) is returned',
  })
  @ApiOkResponse({ type: IdentityResponse, description: 'identity' })
  @ApiErrorResponses(404)
  async get(@Param('id') id: string, @Query('include_credential') include: unknown) {
    const withConfigFor = parseIncludeCredential(include);
    const identity = await this.identities.get(identityId(id));
    return this.identities.toJson(identity, { credentials: { withConfigFor }, metadataAdmin: 'always' });
  }

  @Put(':id')
  @ApiOperation({ operationId: 'updateIdentity', summary: 'Update an Identity' })
  @idParam
  @ApiBody({ type: UpdateIdentityBody, required: false })
  @ApiOkResponse({ type: IdentityResponse, description: 'identity' })
  @ApiErrorResponses(400, 404, 409)
  async update(@Param('id') id: string, @Body() body: UpdateIdentityBody) {
    const identity = await this.identities.update(identityId(id), body);
    return this.identities.toJson(identity, { credentials: 'without-config', metadataAdmin: 'when-set' });
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'patchIdentity', summary: 'Patch an Identity (JSON Patch, RFC 6902)' })
  @idParam
  @ApiBody({ type: JsonPatchOperation, isArray: true, required: false })
  @ApiOkResponse({ type: IdentityResponse, description: 'identity' })
  @ApiErrorResponses(400, 404, 409)
  async patch(@Param('id') id: string, @Body() operations: unknown) {
    const identity = await this.identities.patch(identityId(id), operations);
    return this.identities.toJson(identity, ADMIN_VIEW);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteIdentity', summary: 'Delete an Identity' })
  @idParam
  @ApiNoContentResponse({ description: 'Empty responses are sent when, for example, resources are deleted.' })
  @ApiErrorResponses(404)
  async delete(@Param('id') id: string): Promise<void> {
    await this.identities.delete(identityId(id));
  }

  @Delete(':id/credentials/:type')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteIdentityCredentials', summary: 'Delete a credential for a specific identity' })
  @idParam
  @ApiParam({ name: 'type', enum: ['password', 'oidc', 'totp', 'lookup_secret', 'webauthn', 'passkey', 'code', 'saml', 'lookup'] })
  @ApiQuery({ name: 'identifier', required: false, description: 'For oidc and saml: the `provider:subject` to unlink' })
  @ApiNoContentResponse({ description: 'Empty responses are sent when, for example, resources are deleted.' })
  @ApiErrorResponses(400, 404)
  async deleteCredential(@Param('id') id: string, @Param('type') type: string, @Query('identifier') identifier?: string): Promise<void> {
    await this.identities.deleteCredential(identityId(id), type, identifier);
  }
}
