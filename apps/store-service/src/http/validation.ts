import { StoreError } from '@app/store';
import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateIf } from 'class-validator';

/** Optional, but never null: an explicit null is refused rather than treated as absent. */
export const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

interface Failure {
  field: string;
  problems: string[];
}

function failures(errors: ValidationError[], parent = ''): Failure[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...failures(error.children ?? [], field)];
  });
}

/**
 * DTO validation answers VALIDATION_FAILED naming the first offending field; a field inside a
 * transaction's ops also names the op's index, like the store's own refusals.
 */
export const validationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    exceptionFactory: (errors) => {
      const all = failures(errors);
      const first = all[0] ?? { field: '', problems: ['invalid request'] };
      const opIndex = /^ops\.(\d+)\./.exec(first.field)?.[1];
      return new StoreError('VALIDATION_FAILED', first.problems[0], {
        field: first.field,
        ...(opIndex === undefined ? {} : { opIndex: Number(opIndex) }),
        errors: all.flatMap((f) => f.problems),
      });
    },
  });

const pipe = validationPipe();

/** Validates a body whose DTO depends on the route's sub-resource, as the global pipe would. */
export const validateBody = <T>(type: new () => T, body: unknown): Promise<T> =>
  pipe.transform(body ?? {}, { type: 'body', metatype: type });
