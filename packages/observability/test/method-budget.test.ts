// Review: the one global bound on cached client methods (#clientMethods) is also spent by calls
// to targets past TARGET_CACHE_LIMIT, whose method maps are thrown away: every such call counts one
// "cached" method that is not kept, so after 4,096 of them no method of any target is cached any
// more, though almost nothing is held.
import { expect, it } from 'vitest';
import { OpenTelemetryPlugin } from '../src/index.js';

it('calls to uncached targets do not use up the method-cache bound', () => {
  const plugin = new OpenTelemetryPlugin();
  const method = (target: string, path: string) =>
    (plugin.clientCall({ target, method: path }) as unknown as { method: object }).method;
  for (let i = 0; i < 1000; i++) method(`dns:///host${i}:443`, '/s.S/M');
  // A 1001st target: not kept; 4,000 calls on it.
  for (let i = 0; i < 4000; i++) method('dns:///extra:443', '/s.S/M');
  // A new method of a kept target is no longer cached.
  expect(method('dns:///host0:443', '/s.S/Other')).toBe(method('dns:///host0:443', '/s.S/Other'));
});
