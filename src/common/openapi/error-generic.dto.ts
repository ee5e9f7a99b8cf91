import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class GenericError {
  @ApiPropertyOptional({ description: 'Error id (self-service errors only), e.g. `session_inactive`' })
  id?: string;

  @ApiProperty({ description: 'The status code, always equal to the HTTP status', example: 404, format: 'int64' })
  code!: number;

  @ApiProperty({ description: 'The status description', example: 'Not Found' })
  status!: string;

  @ApiPropertyOptional({ description: "The value of the request's X-Request-ID header" })
  request?: string;

  @ApiPropertyOptional({ description: 'A human-readable reason for the error' })
  reason?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Further error details' })
  details?: Record<string, unknown>;

  @ApiProperty({ description: 'Error message', example: 'The requested resource could not be found' })
  message!: string;
}

/** Kratos's `errorGeneric`: `{"error": {...}}`. */
export class ErrorGeneric {
  @ApiProperty({ type: GenericError })
  error!: GenericError;
}
