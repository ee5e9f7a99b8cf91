import { applyDecorators } from '@nestjs/common';
import { ApiDefaultResponse, ApiResponse } from '@nestjs/swagger';
import { ErrorGeneric } from './error-generic.dto';

/** Documents the error statuses an operation answers with, all as Kratos's `errorGeneric`. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, type: ErrorGeneric, description: 'errorGeneric' })),
    ApiDefaultResponse({ type: ErrorGeneric, description: 'errorGeneric' }),
  );
}
