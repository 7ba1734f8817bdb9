import { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';
import { currentTrace } from './trace-context';

/**
 * One JSON object a line: time, level, service, traceId, message, context (+ fields). Built on
 * pino for speed; wraps it in Nest's LoggerService so framework messages come out the same way.
 */
export class JsonLogger implements LoggerService {
  readonly pino: Pino;

  constructor(service: string, level = 'info', destination?: pino.DestinationStream) {
    this.pino = pino(
      {
        level,
        base: { service },
        messageKey: 'message',
        timestamp: () => `,"time":"${new Date().toISOString()}"`,
        formatters: { level: (label) => ({ level: label.toUpperCase() }) },
        mixin: () => {
          const trace = currentTrace();
          return trace ? { traceId: trace.traceId, spanId: trace.spanId, ...(trace.userId ? { userId: trace.userId } : {}) } : {};
        },
      },
      destination ?? pino.destination({ dest: 1, sync: true }),
    );
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** A logger that always names the same context (a class or a worker). */
  forContext(context: string): ContextLogger {
    return new ContextLogger(this, context);
  }

  /**
   * Nest calls log(message, context) and error(message, stack, context); our own code calls
   * log(message, fields) or error(message, error, context). Both end up as one JSON object.
   */
  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const args = [...rest];
    if (typeof args[args.length - 1] === 'string') fields.context = args.pop();
    for (const arg of args) {
      if (arg instanceof Error) fields.err = { type: arg.name, message: arg.message, stack: arg.stack };
      else if (typeof arg === 'string') fields.stack = arg;
      else if (arg && typeof arg === 'object') Object.assign(fields, arg);
    }
    if (message instanceof Error) {
      fields.err = { type: message.name, message: message.message, stack: message.stack };
      this.pino[level](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...message });
    } else {
      this.pino[level](fields, String(message));
    }
  }
}

export class ContextLogger {
  constructor(
    private readonly logger: JsonLogger,
    private readonly context: string,
  ) {}
  info(message: string, fields: Record<string, unknown> = {}): void {
    this.logger.log(message, fields, this.context);
  }
  warn(message: string, fields: Record<string, unknown> = {}): void {
    this.logger.warn(message, fields, this.context);
  }
  error(message: string, error?: unknown, fields: Record<string, unknown> = {}): void {
    this.logger.error(message, error instanceof Error ? error : { error: String(error) }, fields, this.context);
  }
  debug(message: string, fields: Record<string, unknown> = {}): void {
    this.logger.debug(message, fields, this.context);
  }
}
