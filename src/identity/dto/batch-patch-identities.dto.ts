import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { NestedObject, NestedObjectList } from '../../common/validation/nested-object';
import { GenericError } from '../../common/openapi/error-generic.dto';
import { CreateIdentityBody } from './create-identity.dto';

export class IdentityPatch {
  @ApiPropertyOptional({ format: 'uuid', description: 'Echoed in the result, to match results with patches' })
  @IsOptional()
  @IsUUID()
  patch_id?: string;

  @ApiPropertyOptional({ type: CreateIdentityBody })
  @IsOptional()
  @NestedObject(() => CreateIdentityBody)
  create?: CreateIdentityBody;
}

export class PatchIdentitiesBody {
  @ApiProperty({ type: IdentityPatch, isArray: true })
  @NestedObjectList(() => IdentityPatch)
  identities!: IdentityPatch[];
}

export class IdentityPatchResponse {
  @ApiProperty({ enum: ['create', 'error'] })
  action!: 'create' | 'error';

  @ApiPropertyOptional({ format: 'uuid', description: 'The id of the created identity' })
  identity?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  patch_id?: string;

  @ApiPropertyOptional({ type: GenericError })
  error?: GenericError;
}

export class BatchPatchIdentitiesResponse {
  @ApiProperty({ type: IdentityPatchResponse, isArray: true, description: 'One result per patch, in order; null for a patch without create' })
  identities!: Array<IdentityPatchResponse | null>;
}
