import { ValidationPipe, ValidationPipeOptions } from '@nestjs/common';

export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
};

const pipe = new ValidationPipe(VALIDATION_OPTIONS);

/** Validates a body whose DTO depends on the route's sub-resource, as the global pipe would. */
export const validateBody = <T>(type: new () => T, body: unknown): Promise<T> =>
  pipe.transform(body ?? {}, { type: 'body', metatype: type });
