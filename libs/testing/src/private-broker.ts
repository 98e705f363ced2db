import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerControl } from './broker-control';
import { parseEnvFile, stackSetting } from './stack-env';

export interface PrivateBroker {
  /** bootstrap servers, e.g. `127.0.0.1:40123` */
  readonly brokers: string[];
  /** the control address for brokerControl() */
  readonly control: string;
  send(command: string): Promise<string>;
  down(): Promise<string>;
  up(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts a broker of its own for one test file (same binary and topics as the stack's), so a
 * test can take it down without disturbing the tests running beside it.
 */
export async function startPrivateBroker(
  options: { brokers?: number } = {},
): Promise<PrivateBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-broker-'));
  const envFile = join(dir, 'broker.env');
  const child = spawn(
    stackSetting('SB_BROKER_BIN'),
    [
      '--brokers',
      String(options.brokers ?? 1),
      '--topics',
      stackSetting('SB_TOPICS_FILE'),
      '--bootstrap-file',
      envFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 10_000;
  while (!existsSync(envFile) || !readFileSync(envFile, 'utf8').includes('KAFKA_CONTROL=')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`private broker did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const env = parseEnvFile(readFileSync(envFile, 'utf8'));
  const control = env.KAFKA_CONTROL;
  return {
    brokers: env.KAFKA_BROKERS.split(','),
    control,
    send: (command) => brokerControl(command, control),
    down: () => brokerControl('down -1', control),
    up: () => brokerControl('up -1', control),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
