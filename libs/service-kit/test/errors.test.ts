import { describe, expect, it } from 'vitest';
import { AppError, defineErrors } from '../src/index.ts';

describe('defineErrors', () => {
  it('creates coded errors with filled message templates and a cause', () => {
    const errors = defineErrors({
      STORE_NOT_FOUND: { statusCode: 404, message: 'Store {storeId} does not exist.' },
    });
    const cause = new Error('row missing');
    const error = errors.create('STORE_NOT_FOUND', { params: { storeId: 's-1' }, cause });

    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('STORE_NOT_FOUND');
    expect(error.statusCode).toBe(404);
    expect(error.message).toBe('Store s-1 does not exist.');
    expect(error.cause).toBe(cause);
  });

  it('leaves unknown placeholders visible rather than guessing', () => {
    const errors = defineErrors({ X_Y: { statusCode: 400, message: 'bad {thing}' } });

    expect(errors.create('X_Y', { params: {} }).message).toBe('bad {thing}');
  });

  it('refuses malformed codes and non-error statuses as programming mistakes', () => {
    expect(() => defineErrors({ lower_case: { statusCode: 400, message: 'm' } })).toThrow(
      TypeError,
    );
    expect(() => defineErrors({ NOPREFIX: { statusCode: 400, message: 'm' } })).toThrow(TypeError);
    expect(() => defineErrors({ OK_CODE: { statusCode: 200, message: 'm' } })).toThrow(TypeError);
  });

  it('refuses parameters in a 5xx message, whose detail must not reach the client', () => {
    const upstream = { statusCode: 502, message: 'upstream said {detail}' };

    expect(() => defineErrors({ KIT_UPSTREAM: upstream })).toThrow(TypeError);
    expect(() => defineErrors({ KIT_BAD: { ...upstream, statusCode: 400 } })).not.toThrow();
  });
});
