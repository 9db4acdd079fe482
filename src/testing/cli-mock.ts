/**
 * `vn-gateway mock`: runs the mock platforms in the foreground so a developer can reproduce a
 * central outage on a laptop. The CLI entry wires flags and signals; this only starts and reports.
 */

import { ADMIN_FAULTS_PATH } from './admin.js';
import { MOCK_CREDENTIALS } from './engine.js';
import { isScenarioName, type ScenarioName } from './scenarios.js';
import { type MockPlatforms, startMockPlatforms } from './server.js';

/** Flags of `vn-gateway mock`. */
export interface MockCommandOptions {
  /** Default 4010. */
  port?: number | undefined;
  /** Default `'127.0.0.1'`. */
  host?: string | undefined;
  /** Default `'healthy'`. */
  scenario?: ScenarioName | string | undefined;
  /** Default 1. */
  seed?: number | undefined;
  /** Serve `/__admin/faults` (loopback clients only) to switch faults without restarting. Default `true`. */
  admin?: boolean | undefined;
}

/** Where the command writes. */
export interface MockCommandIo {
  stdout: { write(text: string): unknown };
}

/** The running command. */
export interface MockCommandHandle {
  readonly platforms: MockPlatforms;
  /** Closes the server (hung requests included). */
  stop(): Promise<void>;
}

/**
 * Starts the mock platforms and prints their URLs and credentials.
 *
 * @throws TypeError for an unknown scenario name (before anything listens).
 */
export async function runMockCommand(
  options: MockCommandOptions,
  io: MockCommandIo,
): Promise<MockCommandHandle> {
  const { port = 4010, host = '127.0.0.1', scenario = 'healthy', seed = 1, admin = true } = options;
  if (!isScenarioName(scenario)) {
    throw new TypeError(
      `Unknown scenario "${scenario}"; expected one of healthy, flaky, outage, slow, flapping, drift`,
    );
  }
  const platforms = await startMockPlatforms({ port, host, scenario, seed, admin });
  const lines = [
    `Mock national platforms on ${platforms.url} (scenario: ${scenario}, seed: ${seed})`,
    `  baseUrl (all adapters)  ${platforms.url}`,
    `  VNeID                   ${platforms.urls.vneid}`,
    `  Land registry           ${platforms.urls.land}`,
    `  Tax registry            ${platforms.urls.tax}`,
    `  OAuth2 token            ${platforms.urls.token}`,
    `  client_id               ${MOCK_CREDENTIALS.clientId}`,
    `  client_secret           ${MOCK_CREDENTIALS.clientSecret}`,
    ...(admin
      ? [
          `  Switch faults (loopback) curl -X POST ${platforms.url}${ADMIN_FAULTS_PATH} -d '{"scenario":"outage"}'`,
        ]
      : []),
    '',
  ];
  io.stdout.write(lines.join('\n'));
  return { platforms, stop: () => platforms.close() };
}
