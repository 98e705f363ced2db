import type { z } from '@switchboard/config';
import { DevicesErrorCode, DevicesException } from './devices.exception';

/**
 * Parses input with a zod schema or throws INVALID_REQUEST listing each problem by path (never
 * the values: they may be phone numbers or message text).
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: string,
): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  throw new DevicesException(DevicesErrorCode.INVALID_REQUEST, `Invalid ${what}`, {
    details: { problems },
  });
}
