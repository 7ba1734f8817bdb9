import { Injectable, Param, PipeTransform, Type } from '@nestjs/common';
import { ApiParam, type SchemaObject } from '@nestjs/swagger';
import { badRequest } from '../errors/app-error';

/** Largest id we accept: ids are BIGSERIAL but travel as JSON numbers, so stay within exact integers. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** Path ids must be positive integers written in plain digits; anything else is a 400, never a 500. */
@Injectable()
export class IdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (typeof value !== 'string' || !/^[1-9][0-9]{0,15}$/.test(value) || Number(value) > MAX_ID) {
      throw badRequest(`"${String(value).slice(0, 40)}" is not a valid id`, 'INVALID_ID');
    }
    return Number(value);
  }
}

/** UUID path parameters (orders, payments, tickets). */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
      throw badRequest(`"${String(value).slice(0, 40)}" is not a valid id`, 'INVALID_ID');
    }
    return value.toLowerCase();
  }
}

/** `@IdParam() id: number`: the path parameter through IdPipe, documented as the integer it must be. */
export const IdParam = (name = 'id'): ParameterDecorator => documentedParam(name, IdPipe, { type: 'integer', minimum: 1, maximum: MAX_ID });

/** `@UuidParam() id: string`: the path parameter through UuidPipe, documented as a UUID. */
export const UuidParam = (name = 'id'): ParameterDecorator => documentedParam(name, UuidPipe, { type: 'string', format: 'uuid' });

/**
 * A path parameter read through `pipe`, with the schema of what the pipe accepts in the OpenAPI
 * document (@nestjs/swagger only sees the handler's TypeScript type, `number` or `string`).
 */
function documentedParam(name: string, pipe: Type<PipeTransform>, schema: SchemaObject): ParameterDecorator {
  return (target, key, index) => {
    Param(name, pipe)(target, key, index);
    if (key === undefined) return;
    const handler = Object.getOwnPropertyDescriptor(target, key);
    if (handler) ApiParam({ name, schema })(target, key, handler);
  };
}
