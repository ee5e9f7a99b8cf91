import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID } from 'class-validator';

export class CreateRecoveryLinkForIdentityBody {
  @ApiProperty({ format: 'uuid', description: 'The identity to recover' })
  @IsUUID()
  identity_id!: string;

  @ApiPropertyOptional({ pattern: '^[0-9]+(ns|us|ms|s|m|h)$', description: 'Lifespan of the link, a Go duration such as 15m or 1h30m (default 1h)' })
  @IsOptional()
  @IsString()
  expires_in?: string;
}

export class CreateRecoveryCodeForIdentityBody extends CreateRecoveryLinkForIdentityBody {
  @ApiPropertyOptional({ enum: ['browser', 'api'], description: 'Type of the recovery flow (default browser)' })
  @IsOptional()
  @IsIn(['browser', 'api'])
  flow_type?: 'browser' | 'api';
}

export class RecoveryLinkForIdentity {
  @ApiProperty()
  recovery_link!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  expires_at?: string;
}

export class RecoveryCodeForIdentity extends RecoveryLinkForIdentity {
  @ApiProperty()
  recovery_code!: string;
}
