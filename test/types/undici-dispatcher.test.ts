/**
 * undici's own dispatchers fit the transport's structural dispatcher type, also under
 * `exactOptionalPropertyTypes` (this file is in tsconfig.exact.json), so a consumer passes an
 * `Agent`, a `MockAgent` or the testing kit's dispatcher without a cast.
 */
import { Agent, MockAgent } from 'undici';
import { expect, it } from 'vitest';
import { mockPlatformsWithUndici } from 'vn-national-gateway/testing';
import { type UndiciDispatcherLike, undiciTransport } from 'vn-national-gateway/undici';

it('takes an Agent, a MockAgent and the mock platforms dispatcher', async () => {
  const agent = new Agent();
  const mockAgent = new MockAgent();
  const mock = mockPlatformsWithUndici('https://lgsp.invalid');
  const dispatchers: UndiciDispatcherLike[] = [agent, mockAgent, mock.dispatcher];
  for (const dispatcher of dispatchers) expect(undiciTransport({ dispatcher }).stack).toBe('undici');
  await Promise.all([agent.close(), mockAgent.close(), mock.close()]);
});
