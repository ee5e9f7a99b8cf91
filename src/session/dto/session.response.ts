import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IdentityResponse } from '../../identity/dto/identity.response';
import type { AuthenticatorAssuranceLevel } from '../session.model';

/**
 * Response shapes: the mapper (session.mapper.ts) returns these types, and the OpenAPI document is generated from
 * their decorators. The TypeScript types say what the mapper always writes; the decorators follow Kratos's document.
 */

export class SessionAuthenticationMethod {
  @ApiPropertyOptional({ enum: ['link_recovery', 'code_recovery', 'password', 'code', 'totp', 'oidc', 'webauthn', 'lookup_secret', 'v0.6_legacy_session'] })
  method!: string;

  @ApiPropertyOptional({ enum: ['aal0', 'aal1', 'aal2', 'aal3'] })
  aal!: AuthenticatorAssuranceLevel;

  @ApiPropertyOptional({ format: 'date-time' })
  completed_at!: string;

  @ApiPropertyOptional()
  provider?: string;
}

export class SessionDevice {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiPropertyOptional({ nullable: true })
  ip_address!: string | null;

  @ApiPropertyOptional({ nullable: true })
  user_agent!: string | null;

  @ApiPropertyOptional()
  location!: string;
}

export class SessionResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiPropertyOptional({ description: 'Not revoked, not expired, and the identity is active' })
  active!: boolean;

  @ApiPropertyOptional({ format: 'date-time' })
  expires_at!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  authenticated_at!: string;

  @ApiPropertyOptional({ enum: ['aal0', 'aal1', 'aal2', 'aal3'] })
  authenticator_assurance_level!: AuthenticatorAssuranceLevel;

  @ApiPropertyOptional({ type: SessionAuthenticationMethod, isArray: true })
  authentication_methods!: SessionAuthenticationMethod[];

  @ApiPropertyOptional({ format: 'date-time' })
  issued_at!: string;

  @ApiPropertyOptional({ type: IdentityResponse, nullable: true })
  identity!: IdentityResponse | null;

  @ApiPropertyOptional({ type: SessionDevice, isArray: true, nullable: true })
  devices!: SessionDevice[] | null;
}
