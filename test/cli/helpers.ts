import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

const BIN = path.resolve(import.meta.dirname, '../../src/cli/bin.ts');

/** The environment without `DATABASE_URL`, so a developer's or CI's setting never picks the outbox. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _, ...env } = process.env;
  return { ...env, ...extra };
}

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** The real `vn-gateway` binary in a child process, as a user runs it (slow: a few per file). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI in this process: its exit code and what it wrote. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    stdout += String(c);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
    stderr += String(c);
    return true;
  });
  try {
    return { status: await main(args, env), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** sha256 of a file and whether SQLite's `-wal`/`-shm`/`-journal` files sit beside it. */
export function fileState(file: string): { sha256: string; sidecars: string[] } {
  return {
    sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
    sidecars: ['-wal', '-shm', '-journal'].filter((s) => existsSync(`${file}${s}`)),
  };
}

/** Fake personal data stored in test items; it must never reach the CLI's output without --show-input. */
export const PERSONAL_ID = '079203001234';
export const FULL_NAME = 'Nguyễn Văn A';
