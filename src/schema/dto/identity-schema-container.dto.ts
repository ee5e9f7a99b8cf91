import { ApiProperty } from '@nestjs/swagger';

export class IdentitySchemaContainer {
  @ApiProperty({ description: 'The ID of the Identity JSON Schema', example: 'default' })
  id!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The actual Identity JSON Schema' })
  schema!: Record<string, unknown>;
}
