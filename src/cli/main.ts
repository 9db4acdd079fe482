/**
 * `vn-gateway`: the command line for developers (mock platforms, demo) and operators (outbox).
 * commander parses; each command lives in its own module.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { runMockCommand } from '../testing/cli-mock.js';
import { scenarios } from '../testing/scenarios.js';
import { CliError, EXIT, EXIT_CODES_HELP } from './errors.js';
import { runOutboxCommand } from './outbox-command.js';
import { parseDuration, runOutboxDiscard, runOutboxPurge } from './outbox-retention.js';
import { PG_IDENTIFIER } from './outbox-target.js';

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

function positiveNumber(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
      throw new InvalidArgumentError(`${name} must be a number above 0 and at most ${max}`);
    }
    return n;
  };
}

/** A PostgreSQL schema or table name, by the postgres store's rule. */
function identifier(name: string) {
  return (value: string): string => {
    if (!PG_IDENTIFIER.test(value))
      throw new InvalidArgumentError(
        `${name} must be a lower-case SQL name: a-z, 0-9 and _, up to 48 characters`,
      );
    return value;
  };
}

/** The package's own version, read from its package.json (one level above dist/ and src/cli/../). */
function packageVersion(): string {
  const require = createRequire(import.meta.url);
  for (const p of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(p) as { name?: string; version?: string };
      if (pkg.name === 'vn-national-gateway' && pkg.version) return pkg.version;
    } catch {
      // not this layout; try the next
    }
  }
  return 'unknown';
}

/** The program; `env` is where `DATABASE_URL` is read (tests pass their own). */
export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('vn-gateway')
    .description("Resilient adapters for Vietnam's central platforms: mock platforms, demo and outbox tools")
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError()
    .addHelpText('after', EXIT_CODES_HELP);

  program
    .command('mock')
    .description('Run the mock national platforms (VNeID, land, tax, OAuth2 token) in the foreground')
    .addOption(
      new Option('-p, --port <port>', 'port to listen on (0 = any free port)')
        .default(4010)
        .argParser(integer('--port', 0, 65535)),
    )
    .addOption(new Option('--host <host>', 'address to bind').default('127.0.0.1'))
    .addOption(
      new Option('-s, --scenario <name>', 'fault scenario')
        .choices(Object.keys(scenarios))
        .default('healthy'),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the fault sequence')
        .default(1)
        .argParser(integer('--seed', 0, 2 ** 31)),
    )
    .option('--no-admin', 'do not serve /__admin/faults (switching faults while running)')
    .action(async (o: { port: number; host: string; scenario: string; seed: number; admin: boolean }) => {
      const handle = await runMockCommand(o, { stdout: process.stdout });
      process.stdout.write('Press Ctrl+C to stop.\n');
      const stop = () => void handle.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  const outbox = program
    .command('outbox')
    .description(
      'Inspect, retry, discard and purge queued calls in an outbox: a SQLite file (--db) or a PostgreSQL table (--database-url)',
    )
    .addHelpText('after', EXIT_CODES_HELP);
  /** Which outbox: every subcommand takes the same options (see outbox-target.ts). */
  const target = (cmd: Command): Command =>
    cmd
      .option('--db <file>', 'SQLite outbox file')
      .option('--database-url <url>', 'PostgreSQL outbox (default: $DATABASE_URL)')
      .addOption(
        new Option('--schema <name>', 'PostgreSQL schema of the outbox table (default: public)').argParser(
          identifier('--schema'),
        ),
      )
      .addOption(
        new Option('--table <name>', 'PostgreSQL outbox table (default: vngw_outbox)').argParser(
          identifier('--table'),
        ),
      )
      .addHelpText('after', EXIT_CODES_HELP);
  target(
    outbox
      .command('list')
      .description('List items (no personal data); read-only, never creates or migrates the outbox'),
  )
    .addOption(
      new Option('--state <state>', 'only this state').choices([
        'pending',
        'delivering',
        'delivered',
        'dead',
      ]),
    )
    .addOption(new Option('--upstream <name>', 'only this upstream'))
    .addOption(
      new Option('--limit <n>', 'at most n items').default(50).argParser(integer('--limit', 1, 100_000)),
    )
    .option('--json', 'print JSON')
    .action((o) => runOutboxCommand('list', o, process.stdout, env));
  target(
    outbox
      .command('show')
      .description('Show one item, read-only; its input (personal data) only with --show-input')
      .argument('<ticket>', 'the item id (ticket)'),
  )
    .option('--show-input', 'also print the stored input, which holds personal data')
    .action((ticket: string, o) => runOutboxCommand('show', { ...o, ticket }, process.stdout, env));
  target(
    outbox
      .command('retry')
      .description('Put a dead-lettered item back in the queue')
      .argument('<ticket>', 'the item id (ticket)'),
  ).action((ticket: string, o) => runOutboxCommand('retry', { ...o, ticket }, process.stdout, env));
  target(
    outbox
      .command('purge')
      .description(
        'Delete delivered and discarded items older than --older-than; never pending or dead ones',
      ),
  )
    .addOption(
      new Option('--older-than <duration>', 'age, e.g. 3d, 12h, 30m (default: 3d)').argParser(parseDuration),
    )
    .option('--json', 'print JSON')
    .action((o) => runOutboxPurge(o, process.stdout, Date.now(), env));
  target(
    outbox
      .command('discard')
      .description('Give up on a dead letter: erase its input, keep the reason; purged after the retention')
      .argument('<ticket>', 'the item id (ticket)'),
  )
    .option('--reason <text>', 'why it is given up, kept for audit (required; no personal data)')
    .action((ticket: string, o) => runOutboxDiscard({ ...o, ticket }, process.stdout, Date.now(), env));

  program
    .command('demo')
    .description(
      "Replay a compressed day of a ward's public-service centre against mock platforms with outages",
    )
    .addOption(
      new Option('--dossiers <n>', 'dossiers to process')
        .default(400)
        .argParser(integer('--dossiers', 1, 100_000)),
    )
    .addOption(
      new Option('--minutes <m>', 'length of the compressed day (07:30–17:00) in real minutes')
        .default(2)
        .argParser(positiveNumber('--minutes', 24 * 60)),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the scenario').default(7).argParser(integer('--seed', 0, 2 ** 31)),
    )
    .option('--json', 'print the summary as JSON instead of the live view')
    .option('--log <file>', "write the gateway's log (pino JSON lines) to this file")
    .addOption(
      new Option('--instances <n>', 'gateway processes sharing the outbox (one is SIGKILLed mid-day)')
        .default(1)
        .argParser(integer('--instances', 1, 8)),
    )
    .addOption(
      new Option('--store <store>', 'outbox store').choices(['sqlite', 'postgres']).default('sqlite'),
    )
    .option(
      '--database-url <url>',
      'PostgreSQL for --store postgres (default: $DATABASE_URL or local test db)',
    )
    .action(async (o) => {
      const { runDemo } = await import('./demo.js');
      const summary = await runDemo(o, process.stdout);
      if (summary.lost > 0 || summary.duplicates > 0) process.exitCode = 1;
    });

  // Internal: one gateway process of `demo --instances`, driven over IPC by its parent.
  program.command('demo-instance', { hidden: true }).action(async () => {
    const { runDemoInstance } = await import('../demo/instance.js');
    await runDemoInstance();
  });

  return program;
}

/** Runs the CLI and resolves to its exit code (the rule is in errors.ts and in `--help`). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // The subcommand that ran, so a usage error can point at its own --help.
  let active: Command | undefined;
  try {
    const program = buildProgram(env).hook('preAction', (_, command) => {
      active = command;
    });
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    // commander has printed its own message (and the help) already.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const code = e instanceof CliError ? e.exitCode : EXIT.failed;
    const hint = code === EXIT.usage && active ? ` (see '${commandPath(active)} --help')` : '';
    process.stderr.write(`vn-gateway: ${(e as Error).message}${hint}\n`);
    return code;
  }
}

/** `vn-gateway outbox list` for the `list` subcommand. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
