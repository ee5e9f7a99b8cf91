import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsBoolean, IsDefined, IsOptional, IsString, IsUUID } from 'class-validator';
import { NestedObject, NestedObjectList } from '../../common/validation/nested-object';

/** Optional dates that Kratos's structs carry and the SDK may send back; accepted and ignored. */
class Timestamps {
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsString()
  created_at?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsString()
  updated_at?: string;
}

export class IdentityWithCredentialsPasswordConfig {
  @ApiPropertyOptional({ description: 'The hashed password in one of the supported formats (bcrypt, argon2, pbkdf2, scrypt, …)' })
  @IsOptional()
  @IsString()
  hashed_password?: string;

  @ApiPropertyOptional({ description: 'The password in plain text if no hash is available; it is hashed with the configured hasher' })
  @IsOptional()
  @IsString()
  password?: string;

  @ApiPropertyOptional({ description: 'Not supported here; accepted only as false' })
  @IsOptional()
  @IsBoolean()
  use_password_migration_hook?: boolean;
}

export class IdentityWithCredentialsPassword {
  @ApiProperty({ type: IdentityWithCredentialsPasswordConfig })
  @IsDefined()
  @NestedObject(() => IdentityWithCredentialsPasswordConfig)
  config!: IdentityWithCredentialsPasswordConfig;
}

export class IdentityWithCredentialsOidcConfigProvider {
  @ApiProperty()
  @IsString()
  provider!: string;

  @ApiProperty()
  @IsString()
  subject!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  use_auto_link?: boolean;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  organization?: string | null;
}

export class IdentityWithCredentialsOidcConfig {
  @ApiPropertyOptional({ type: IdentityWithCredentialsPasswordConfig, description: 'Unused (present in Kratos v1.0)' })
  @IsOptional()
  @NestedObject(() => IdentityWithCredentialsPasswordConfig)
  config?: IdentityWithCredentialsPasswordConfig;

  @ApiProperty({ type: IdentityWithCredentialsOidcConfigProvider, isArray: true })
  @NestedObjectList(() => IdentityWithCredentialsOidcConfigProvider)
  providers!: IdentityWithCredentialsOidcConfigProvider[];
}

export class IdentityWithCredentialsOidc {
  @ApiProperty({ type: IdentityWithCredentialsOidcConfig })
  @IsDefined()
  @NestedObject(() => IdentityWithCredentialsOidcConfig)
  config!: IdentityWithCredentialsOidcConfig;
}

export class IdentityWithCredentials {
  @ApiPropertyOptional({ type: IdentityWithCredentialsPassword })
  @IsOptional()
  @NestedObject(() => IdentityWithCredentialsPassword)
  password?: IdentityWithCredentialsPassword;

  @ApiPropertyOptional({ type: IdentityWithCredentialsOidc })
  @IsOptional()
  @NestedObject(() => IdentityWithCredentialsOidc)
  oidc?: IdentityWithCredentialsOidc;
}

export class VerifiableIdentityAddressImport extends Timestamps {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsString()
  id?: string;

  @ApiProperty({ example: 'foo@example.com' })
  @IsString()
  value!: string;

  @ApiProperty()
  @IsOptional()
  @IsBoolean()
  verified?: boolean;

  @ApiProperty({ example: 'email' })
  @IsOptional()
  @IsString()
  via?: string;

  @ApiProperty({ example: 'completed', description: 'pending, sent or completed' })
  @IsOptional()
  @IsString()
  status?: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  @IsOptional()
  @IsString()
  verified_at?: string | null;
}

export class RecoveryIdentityAddressImport extends Timestamps {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsString()
  id?: string;

  @ApiProperty()
  @IsString()
  value!: string;

  @ApiProperty({ example: 'email' })
  @IsOptional()
  @IsString()
  via?: string;
}

/** Shared by create (POST and batch) and update (PUT). */
class IdentityBodyBase {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Traits, validated against the identity schema' })
  @Allow()
  traits!: unknown;

  @ApiPropertyOptional({ enum: ['active', 'inactive'] })
  @IsOptional()
  @IsString()
  state?: string;

  @ApiPropertyOptional({ description: 'Public metadata, visible to the identity itself', nullable: true })
  @Allow()
  metadata_public?: unknown;

  @ApiPropertyOptional({ description: 'Admin metadata, visible only through the admin API', nullable: true })
  @Allow()
  metadata_admin?: unknown;

  @ApiPropertyOptional({ type: IdentityWithCredentials })
  @IsOptional()
  @NestedObject(() => IdentityWithCredentials)
  credentials?: IdentityWithCredentials;
}

export class CreateIdentityBody extends IdentityBodyBase {
  @ApiPropertyOptional({ description: 'Identity schema id; the default schema when empty', example: 'default' })
  @IsOptional()
  @IsString()
  schema_id?: string;

  @ApiPropertyOptional({ type: VerifiableIdentityAddressImport, isArray: true })
  @IsOptional()
  @NestedObjectList(() => VerifiableIdentityAddressImport)
  verifiable_addresses?: VerifiableIdentityAddressImport[];

  @ApiPropertyOptional({ type: RecoveryIdentityAddressImport, isArray: true })
  @IsOptional()
  @NestedObjectList(() => RecoveryIdentityAddressImport)
  recovery_addresses?: RecoveryIdentityAddressImport[];

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'Organizations are not supported; only null is accepted' })
  @IsOptional()
  @IsUUID()
  organization_id?: string | null;
}

export class UpdateIdentityBody extends IdentityBodyBase {
  @ApiProperty({ description: 'Identity schema id; an empty string keeps the current one', example: 'default' })
  @IsOptional()
  @IsString()
  schema_id?: string;
}
