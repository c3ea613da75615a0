import { describe, expect, it } from 'vitest';
import { HandlerFailures } from '../../src/pubsub/handler-failures.ts';

describe('HandlerFailures', () => {
  it('counts the failures of each message, and forgets a message once it is settled', () => {
    const failures = new HandlerFailures();

    failures.failed('m1');
    failures.failed('m1');
    failures.failed('m2');

    expect(failures.attemptOf('m1')).toBe(3);
    expect(failures.attemptOf('m2')).toBe(2);
    expect(failures.attemptOf('m3')).toBe(1);
    failures.settled('m1');
    expect(failures.attemptOf('m1')).toBe(1);
  });

  it('forgets the message that failed longest ago once it holds more than its capacity', () => {
    const failures = new HandlerFailures(2);

    failures.failed('old');
    failures.failed('middle');
    failures.failed('old');
    failures.failed('new');

    expect(failures.attemptOf('middle')).toBe(1);
    expect(failures.attemptOf('old')).toBe(3);
    expect(failures.attemptOf('new')).toBe(2);
  });
});
