/**
 * Errors as values: every refusal the gateway answers is an `ApiError` with
 * its status code and a message a client can act on (naming the field).
 */
import type { FastifyError } from 'fastify';
import type { ApiErrorBody } from '../api/schemas';

export class ApiError {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    readonly message: string,
    readonly details: { field?: string; orderId?: string } = {},
    /** Seconds, for 503s. */
    readonly retryAfter?: number,
  ) {}

  body(): ApiErrorBody {
    return { error: this.error, message: this.message, ...this.details };
  }

  static invalid(field: string, message: string): ApiError {
    return new ApiError(400, 'invalid_request', message, { field });
  }

  static notFound(message: string): ApiError {
    return new ApiError(404, 'not_found', message);
  }

  static conflict(message: string, details: { field?: string; orderId?: string } = {}): ApiError {
    return new ApiError(409, 'conflict', message, details);
  }

  static unavailable(message: string): ApiError {
    return new ApiError(503, 'unavailable', message, {}, 1);
  }

  static overloaded(limit: number): ApiError {
    return new ApiError(503, 'overloaded', `more than ${limit} orders in flight on this gateway process; retry later`, {}, 1);
  }

  static timeout(orderId: string, deadlineMs: number): ApiError {
    return new ApiError(
      504,
      'timeout',
      `no execution report for order ${orderId} within ${deadlineMs} ms; it may still execute: GET /api/orders/${orderId} tells`,
      { orderId },
    );
  }
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** The offending field of a schema error, and a message that names it. */
function describeValidationError(error: AjvError, part: string): ApiError {
  const path = error.instancePath.split('/').filter((segment) => segment !== '');
  const where = path.join('.');
  switch (error.keyword) {
    case 'required': {
      const field = [...path, String(error.params.missingProperty)].join('.');
      return ApiError.invalid(field, `${field} is required`);
    }
    case 'additionalProperties': {
      const field = [...path, String(error.params.additionalProperty)].join('.');
      return ApiError.invalid(field, `unknown field ${field}`);
    }
    case 'enum':
      return ApiError.invalid(where, `${where} must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`);
    case 'anyOf':
      return ApiError.invalid(where, `${where} must be a decimal string or a number`);
    default:
      if (where === '') return ApiError.invalid(part, `${part} ${error.message ?? 'is invalid'}`);
      return ApiError.invalid(where, `${where} ${error.message ?? 'is invalid'}`);
  }
}

/** Maps what fastify throws (schema, content-type, body size, JSON syntax) to an `ApiError`. */
export function apiErrorOf(error: FastifyError): ApiError {
  if (error.validation && error.validation.length > 0) {
    // With anyOf, ajv lists each branch's failure first; the anyOf error itself is the one to report.
    const errors = error.validation as unknown as AjvError[];
    const chosen = errors.find((e) => e.keyword === 'anyOf') ?? errors[0];
    return describeValidationError(chosen, error.validationContext ?? 'request');
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'content-type must be application/json', { field: 'content-type' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'payload_too_large', error.message.replace(/^Request body/, 'body'), { field: 'body' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ApiError.invalid('body', 'body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ApiError.invalid('body', `body is not valid JSON: ${error.message}`);
  }
  if (error instanceof SyntaxError) return ApiError.invalid('body', `body is not valid JSON: ${error.message}`);
  const statusCode = error.statusCode ?? 500;
  if (statusCode < 500) return new ApiError(statusCode, 'invalid_request', error.message);
  return new ApiError(500, 'internal', 'internal error');
}
