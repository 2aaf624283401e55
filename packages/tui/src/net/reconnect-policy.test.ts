import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  describeSocketError,
  errorPolicy,
  resendDelay,
  RETRY_MAX_MS,
} from './reconnect-policy.js';

describe('backoffDelay', () => {
  it('doubles per attempt, with jitter between half and all of the step', () => {
    expect(backoffDelay(1, () => 0)).toBe(250);
    expect(backoffDelay(1, () => 0.999)).toBe(500);
    expect(backoffDelay(2, () => 0)).toBe(500);
    expect(backoffDelay(4, () => 0.5)).toBe(3000);
  });
  it('is capped', () => {
    expect(backoffDelay(50, () => 0.999)).toBeLessThanOrEqual(RETRY_MAX_MS);
    expect(backoffDelay(50, () => 0)).toBe(RETRY_MAX_MS / 2);
  });
  it('spreads clients out', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(5)));
    expect(delays.size).toBeGreaterThan(5);
  });
});

describe('resendDelay (after unavailable)', () => {
  it('is 1 s doubling to 8 s, with jitter between half and all of the step', () => {
    expect([1, 2, 3, 4, 5, 50].map((tries) => resendDelay(tries, () => 0.999))).toEqual([
      1000, 1999, 3998, 7996, 7996, 7996,
    ]);
    expect(resendDelay(1, () => 0)).toBe(500);
    expect(resendDelay(9, () => 0)).toBe(4_000);
  });
});

describe('errorPolicy', () => {
  it('resends after unavailable, registered or not', () => {
    expect(errorPolicy('unavailable', true)).toBe('resend');
    expect(errorPolicy('unavailable', false)).toBe('resend');
  });

  it('stops for errors a retry cannot fix', () => {
    expect(errorPolicy('replaced', true)).toBe('stop');
    expect(errorPolicy('auth_failed', false)).toBe('stop');
    expect(errorPolicy('protocol_unsupported', false)).toBe('stop');
    expect(errorPolicy('tls_required', false)).toBe('stop');
  });
  it('retries when the server goes away or is full', () => {
    expect(errorPolicy('shutdown', true)).toBe('retry');
    expect(errorPolicy('server_full', false)).toBe('retry');
    expect(errorPolicy('slow_consumer', true)).toBe('retry');
  });
  it('asks for another name only before registering', () => {
    expect(errorPolicy('name_taken', false)).toBe('rename');
    expect(errorPolicy('name_taken', true)).toBe('show');
    expect(errorPolicy('rate_limited', true)).toBe('show');
  });
});

describe('describeSocketError', () => {
  it('says what went wrong in words', () => {
    expect(describeSocketError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toMatch(
      /refused/,
    );
    expect(describeSocketError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBe(
      'host not found',
    );
  });
});
