import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CREDENTIAL_TYPES, type CredentialType, type IdentityState } from '../identity.model';

/**
 * Response shapes: the mapper (identity.mapper.ts) returns these types, and the OpenAPI document is generated from
 * their decorators. The TypeScript types say what the mapper always writes; the decorators follow Kratos's document,
 * which marks fewer fields required, so that generated clients see the same contract as Kratos's.
 */

export class IdentityCredentials {
  @ApiPropertyOptional({ enum: [...CREDENTIAL_TYPES] })
  type!: CredentialType;

  @ApiPropertyOptional({ type: [String] })
  identifiers!: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Only with include_credential' })
  config?: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'int64' })
  version!: number;

  @ApiPropertyOptional({ format: 'date-time' })
  created_at!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  updated_at!: string;
}

export class VerifiableIdentityAddress {
  @ApiPropertyOptional({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  value!: string;

  @ApiProperty()
  verified!: boolean;

  @ApiProperty({ example: 'email' })
  via!: string;

  @ApiProperty({ example: 'pending' })
  status!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  verified_at?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  created_at!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  updated_at!: string;
}

export class RecoveryIdentityAddress {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  value!: string;

  @ApiProperty({ example: 'email' })
  via!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  created_at!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  updated_at!: string;
}

export class IdentityResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { $ref: '#/components/schemas/IdentityCredentials' } })
  credentials?: Record<string, IdentityCredentials>;

  @ApiProperty()
  schema_id!: string;

  @ApiProperty()
  schema_url!: string;

  @ApiPropertyOptional({ enum: ['active', 'inactive'] })
  state!: IdentityState;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  state_changed_at!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  traits!: unknown;

  @ApiPropertyOptional({ type: VerifiableIdentityAddress, isArray: true })
  verifiable_addresses?: VerifiableIdentityAddress[];

  @ApiPropertyOptional({ type: RecoveryIdentityAddress, isArray: true })
  recovery_addresses?: RecoveryIdentityAddress[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  metadata_public!: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  metadata_admin?: unknown;

  @ApiPropertyOptional({ format: 'date-time' })
  created_at!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  updated_at!: string;
}

export class JsonPatchOperation {
  @ApiProperty({ enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'], description: 'Only add, remove and replace are applied' })
  op!: string;

  @ApiProperty({ example: '/traits/email' })
  path!: string;

  @ApiPropertyOptional({ description: 'The value to add or replace with' })
  value?: unknown;

  @ApiPropertyOptional()
  from?: string;
}
