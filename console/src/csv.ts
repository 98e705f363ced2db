/**
 * Reads a small CSV (RFC 4180: quoted fields with commas, quotes and newlines) into rows of
 * cells — enough for the import's bad-row report (`row,column,reason,detail`), which the
 * console shows as a table. Large files are never parsed here: the service parses uploads.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

export interface ReportRow {
  row: number;
  column: string;
  reason: string;
  detail: string;
}

/** The import report's rows (its header `row,column,reason,detail` dropped). */
export function parseImportReport(text: string): ReportRow[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const at = (name: string) => header.indexOf(name);
  return rows
    .filter((r) => r.length > 1 || r[0] !== '')
    .map((r) => ({
      row: Number(r[at('row')]),
      column: r[at('column')] ?? '',
      reason: r[at('reason')] ?? '',
      detail: r[at('detail')] ?? '',
    }));
}

/**
 * The services sign links with the platform's public origin; the console is served by the
 * gateway on that origin, and its CSP (`connect-src 'self'`) lets it talk only to its own. So it
 * keeps the link's path and query and uses them on the origin it runs on.
 */
export function onThisOrigin(link: string, origin: string): string {
  const url = new URL(link, origin);
  return `${origin}${url.pathname}${url.search}`;
}
