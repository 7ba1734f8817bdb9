import { Injectable, PipeTransform } from '@nestjs/common';
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
