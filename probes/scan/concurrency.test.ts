import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from './scan';

describe('forEachConcurrently', () => {
  it('hands every item to exactly one lane, also when lanes wait at the event-loop gate', async () => {
    const items = Array.from({ length: 500 }, (_, i) => i);
    const seen: unknown[] = [];
    // Work that resolves at once but takes time, so the read loop's yield gate closes many times
    // while other lanes still hold the last items.
    await forEachConcurrently(items, 64, async (item) => {
      const until = performance.now() + 0.2;
      while (performance.now() < until);
      seen.push(item);
    });
    expect(seen).not.toContain(undefined);
    expect(seen.length).toBe(items.length);
    expect(new Set(seen).size).toBe(items.length);
  });
});
