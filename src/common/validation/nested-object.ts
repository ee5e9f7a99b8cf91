import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsArray, IsObject, ValidateNested } from 'class-validator';

type Constructor = new (...args: never[]) => object;

/**
 * A property that holds one object of `type`, validated with it. `ValidateNested` alone lets an array through (it
 * validates each element instead), so `{"credentials": {"oidc": []}}` would pass with nothing in it; Kratos's strict
 * decoding refuses it, and so does this.
 */
export function NestedObject(type: () => Constructor): PropertyDecorator {
  return applyDecorators(IsObject(), ValidateNested(), Type(type));
}

/** A property that holds a list of objects of `type`, each validated with it. */
export function NestedObjectList(type: () => Constructor): PropertyDecorator {
  return applyDecorators(IsArray(), IsObject({ each: true }), ValidateNested({ each: true }), Type(type));
}
