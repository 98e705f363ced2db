/**
 * `key=value` lines (or comma-separated pairs) into a segment filter / attributes map. Keys are
 * trimmed; a line without `=` or with an empty key is an error the form shows.
 */
export function parseKeyValues(
  text: string,
  options: { commas?: boolean } = {},
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const raw of text.split(options.commas === false ? '\n' : /[\n,]/)) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`"${line}" is not attribute=value`);
    result[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return result;
}

/**
 * A contact's attributes as the edit form's `key=value` lines, sorted by key; read back with
 * `parseKeyValues(text, { commas: false })` (a value may hold a comma). Non-string values are
 * written as JSON.
 */
export function formatKeyValues(attributes: Record<string, unknown>): string {
  return Object.keys(attributes)
    .sort()
    .map((key) => {
      const value = attributes[key];
      return `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
    })
    .join('\n');
}

/** Whole percent of an upload, 0–100 (an empty file counts as done). */
export function uploadPercent(loaded: number, total: number): number {
  if (total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((loaded / total) * 100)));
}
