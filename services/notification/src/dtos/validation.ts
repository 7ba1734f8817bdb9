import { ValidateBy, ValidationOptions, buildMessage, matches } from 'class-validator';

/** No control characters (CR, LF, tabs, …): values end up in mail headers, one-line SMS and logs. */
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;

export function SingleLine(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'singleLine',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && matches(value, NO_CONTROL_CHARS),
        defaultMessage: buildMessage((each) => `${each}$property must be one line of text without control characters`, options),
      },
    },
    options,
  );
}

/** At most `max` bytes in UTF-8 (a QR code holds about 2,300 bytes at error correction M). */
export function MaxUtf8Bytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxUtf8Bytes',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= max,
        defaultMessage: buildMessage((each) => `${each}$property must be at most $constraint1 bytes in UTF-8`, options),
      },
    },
    options,
  );
}
