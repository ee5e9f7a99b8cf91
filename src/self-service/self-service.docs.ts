import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IdentityResponse } from '../identity/dto/identity.response';
import { SessionResponse } from '../session/dto/session.response';

/** Shapes for the OpenAPI document only; the services write the JSON. */

export class UiTextDoc {
  @ApiProperty({ format: 'int64' })
  id!: number;

  @ApiProperty()
  text!: string;

  @ApiProperty({ enum: ['info', 'error', 'success'] })
  type!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  context?: Record<string, unknown>;
}

export class UiNodeDoc {
  @ApiProperty({ enum: ['input'] })
  type!: string;

  @ApiProperty({ enum: ['default', 'password', 'code', 'profile'] })
  group!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  attributes!: Record<string, unknown>;

  @ApiProperty({ type: UiTextDoc, isArray: true })
  messages!: UiTextDoc[];

  @ApiProperty({ type: 'object', additionalProperties: true })
  meta!: Record<string, unknown>;
}

export class UiContainerDoc {
  @ApiProperty()
  action!: string;

  @ApiProperty()
  method!: string;

  @ApiProperty({ type: UiNodeDoc, isArray: true })
  nodes!: UiNodeDoc[];

  @ApiPropertyOptional({ type: UiTextDoc, isArray: true })
  messages?: UiTextDoc[];
}

class FlowDoc {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['api', 'browser'] })
  type!: string;

  @ApiProperty({ format: 'date-time' })
  expires_at!: string;

  @ApiProperty({ format: 'date-time' })
  issued_at!: string;

  @ApiProperty()
  request_url!: string;

  @ApiProperty({ type: UiContainerDoc })
  ui!: UiContainerDoc;

  @ApiProperty()
  state!: string;
}

export class LoginFlowDoc extends FlowDoc {
  @ApiPropertyOptional()
  refresh?: boolean;

  @ApiPropertyOptional({ enum: ['aal1', 'aal2', 'aal3'] })
  requested_aal?: string;
}

export class RegistrationFlowDoc extends FlowDoc {}

export class UpdateLoginFlowWithPasswordMethodDoc {
  @ApiProperty({ enum: ['password'] })
  method!: string;

  @ApiProperty()
  identifier!: string;

  @ApiProperty()
  password!: string;

  @ApiPropertyOptional()
  csrf_token?: string;
}

export class UpdateRegistrationFlowWithPasswordMethodDoc {
  @ApiProperty({ enum: ['password'] })
  method!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  traits!: Record<string, unknown>;

  @ApiProperty()
  password!: string;

  @ApiPropertyOptional()
  csrf_token?: string;
}

export class ContinueWithDoc {
  @ApiProperty({ enum: ['set_ory_session_token', 'show_settings_ui', 'show_recovery_ui'] })
  action!: string;

  @ApiPropertyOptional()
  ory_session_token?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  flow?: Record<string, unknown>;
}

export class SuccessfulNativeLoginDoc {
  @ApiProperty()
  session_token!: string;

  @ApiProperty({ type: SessionResponse })
  session!: SessionResponse;

  @ApiPropertyOptional({ type: ContinueWithDoc, isArray: true, nullable: true })
  continue_with?: ContinueWithDoc[] | null;
}

export class SuccessfulNativeRegistrationDoc extends SuccessfulNativeLoginDoc {
  @ApiProperty({ type: IdentityResponse })
  identity!: IdentityResponse;
}

export class PerformNativeLogoutBodyDoc {
  @ApiProperty()
  session_token!: string;
}

export class SettingsFlowDoc extends FlowDoc {
  @ApiProperty({ type: IdentityResponse })
  identity!: IdentityResponse;
}

export class UpdateSettingsFlowWithPasswordMethodDoc {
  @ApiProperty({ enum: ['password'] })
  method!: string;

  @ApiProperty()
  password!: string;

  @ApiPropertyOptional()
  csrf_token?: string;
}

export class RecoveryFlowDoc extends FlowDoc {
  @ApiPropertyOptional({ enum: ['code', 'link'] })
  active?: string;

  @ApiPropertyOptional({ type: ContinueWithDoc, isArray: true })
  continue_with?: ContinueWithDoc[];
}

export class UpdateRecoveryFlowWithCodeMethodDoc {
  @ApiProperty({ enum: ['code'] })
  method!: string;

  @ApiProperty()
  code!: string;

  @ApiPropertyOptional()
  csrf_token?: string;
}
