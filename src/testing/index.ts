/**
 * `vn-national-gateway/testing`: mock national platforms (VNeID, land registry, tax registry and
 * their OAuth2 token endpoint) for contract tests in CI and outage drills on a laptop.
 *
 * `mockPlatformsWithNock` loads `nock` and `mockPlatformsWithUndici` loads `undici` (optional peer
 * dependencies) on their first call; importing this entry loads neither, nor nock's interception
 * of `node:http`.
 */

export { ADMIN_FAULTS_PATH } from './admin.js';
export { runMockCommand } from './cli-mock.js';
export type { MockCommandHandle, MockCommandIo, MockCommandOptions } from './cli-mock.js';
export { DRIFT_RENAMES } from './drift.js';
export { MOCK_CREDENTIALS } from './engine.js';
export type { MockOptions, MockPlatformsControl } from './engine.js';
export type { Fault, FaultErrorKind, RateLimitFault } from './faults.js';
export { fixtures } from './fixtures.js';
export type {
  CertificateFixture,
  CitizenFixture,
  EnterpriseFixture,
  MockFixtures,
  ParcelFixture,
  TaxpayerFixture,
  VerifyCaseFixture,
  WardFixture,
} from './fixtures.js';
export type { Latency, LatencyDistribution } from './latency.js';
export { mockPlatformsWithNock } from './nock.js';
export type { MockPlatformsWithNockOptions, NockBaseUrls, NockMockPlatforms } from './nock.js';
export type { MockBaseUrls } from './routes.js';
export { scenarios } from './scenarios.js';
export type { Scenario, ScenarioName } from './scenarios.js';
export { startMockPlatforms } from './server.js';
export type { MockPlatforms, MockPlatformUrls, StartMockPlatformsOptions } from './server.js';
export { MockTransportError } from './transport-guard.js';
export { mockPlatformsWithUndici } from './undici.js';
export type { MockDispatcher, MockPlatformsWithUndiciOptions, UndiciMockPlatforms } from './undici.js';
export type {
  MockCredentials,
  MockRequest,
  MockResponse,
  MockTarget,
  MockUpstream,
  RecordedRequest,
  Registration,
  RequestOutcome,
} from './types.js';
