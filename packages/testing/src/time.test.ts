import { describe, expect, it } from 'vitest';
import { strictFakeTime, strictRealTime } from './time.js';

describe('fake time', () => {
  it('A78 time() moves only when the test advances it', async () => {
    const time = strictFakeTime(1000);
    expect(time.time()).toBe(1000);
    await time.sleepFor(2.5);
    expect(time.time()).toBe(1002.5);
    await time.sleepUntil(1010);
    expect(time.time()).toBe(1010);
    await time.sleepUntil(5); // never goes back
    expect(time.time()).toBe(1010);
  });

  it('A78 strict: behaviours run in time order before the clock reads past them', async () => {
    const time = strictFakeTime(0);
    const seen: string[] = [];
    time.callIn(() => seen.push(`b@${time.time()}`), 2);
    time.callAt(() => seen.push(`a@${time.time()}`), 1);
    time.callIn(() => seen.push(`c@${time.time()}`), 2);
    const cancelled = time.callIn(() => seen.push('never'), 1.5);
    expect(cancelled.cancel()).toBe(true);
    expect(cancelled.cancel()).toBe(false);
    await time.sleepFor(1.9);
    expect(seen).toEqual(['a@1']);
    await time.sleepFor(10);
    expect(seen).toEqual(['a@1', 'b@2', 'c@2']);
    expect(time.pendingCount).toBe(0);
  });

  it('A78 a behaviour scheduled by a behaviour runs in the same advance when due', async () => {
    const time = strictFakeTime(0);
    const seen: number[] = [];
    time.callIn(() => {
      seen.push(time.time());
      time.callIn(() => seen.push(time.time()), 1);
    }, 1);
    await time.sleepFor(5);
    expect(seen).toEqual([1, 2]);
  });

  it('A78 a behaviour that throws is reported by the advance, after the others ran', async () => {
    const time = strictFakeTime(0);
    const seen: number[] = [];
    time.callIn(() => {
      throw new Error('boom');
    }, 1);
    time.callIn(() => seen.push(2), 2);
    await expect(time.sleepFor(3)).rejects.toThrow('boom');
    expect(seen).toEqual([2]);
  });

  it('A78 a behaviour already due runs without advancing', async () => {
    const time = strictFakeTime(10);
    let ran = false;
    const scheduled = time.callAt(() => {
      ran = true;
    }, 5);
    await Promise.resolve();
    await Promise.resolve();
    expect(ran).toBe(true);
    expect(scheduled.done).toBe(true);
  });

  it('A78 rejects a time that is not a number', () => {
    expect(() => strictFakeTime(Number.NaN)).toThrow('now must be a number of seconds, got NaN.');
    expect(() => strictFakeTime(0).callIn(() => {}, 'x' as never)).toThrow(
      'delay must be a number of seconds, got x.',
    );
  });
});

describe('real time', () => {
  it('A78 tracks the wall clock and runs scheduled behaviours', async () => {
    const time = strictRealTime();
    expect(Math.abs(time.time() - Date.now() / 1000)).toBeLessThan(1);
    const ran = await new Promise<boolean>((resolve) => {
      time.callIn(() => resolve(true), 0.001);
    });
    expect(ran).toBe(true);
    const cancelled = time.callIn(() => {
      throw new Error('must not run');
    }, 0.001);
    expect(cancelled.cancel()).toBe(true);
    const before = time.time();
    await time.sleepFor(0.01);
    expect(time.time()).toBeGreaterThan(before);
  });
});
