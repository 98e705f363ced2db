import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the stack writes its settings: $SWITCHBOARD_STACK_DIR or <repo>/.stack. */
export function stackDir(): string {
  return process.env.SWITCHBOARD_STACK_DIR ?? resolve(__dirname, '../../../.stack');
}

/** Parses a KEY=value file (comments and blank lines ignored). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) out[match[1]] = match[2];
  }
  return out;
}

/**
 * Reads the running stack's connection settings into process.env (variables already set
 * win, so an external DATABASE/KAFKA setup can be given). Throws, naming the fix, when the
 * stack has not been started: integration tiers never skip silently.
 */
export function loadStackEnv(): Record<string, string> {
  const file = join(stackDir(), 'env');
  if (!existsSync(file)) {
    throw new Error(
      `the local stack is not running (${file} is missing): run tools/stack/stack.sh up`,
    );
  }
  const env = parseEnvFile(readFileSync(file, 'utf8'));
  for (const [key, value] of Object.entries(env)) process.env[key] ??= value;
  return env;
}

/** A variable of the stack's settings, or a clear error. */
export function stackSetting(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: is the local stack running (tools/stack/stack.sh up)?`);
  return value;
}
