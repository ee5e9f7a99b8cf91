import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { ApiError } from '../errors/api-error';
import { createValidationPipe } from './validation-pipe';

class Inner {
  @IsString()
  value!: string;
}

class Body {
  @IsString()
  name!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => Inner)
  inner?: Inner;
}

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();
  const run = (value: unknown) => pipe.transform(value, { type: 'body', metatype: Body });

  it('passes a valid body', async () => {
    await expect(run({ name: 'x', inner: { value: 'y' } })).resolves.toMatchObject({ name: 'x' });
  });

  it('names the failing field, also when nested', async () => {
    await expect(run({ name: 1, inner: { value: 2 } })).rejects.toMatchObject({
      status: 400,
      reason: 'name must be a string; inner.value must be a string',
    });
  });

  it("refuses unknown fields, as Kratos's strict decoder does", async () => {
    const err = (await run({ name: 'x', schema_url: 'y' }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.reason).toBe('json: unknown field "schema_url"');
  });
});
