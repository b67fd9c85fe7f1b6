/**
 * Reports as CSV: the same rows as the JSON answer, nested fields flattened to dotted column names
 * (`conversion.newLeads_meetingsBooked`), one header row. Starts with a byte-order mark so that
 * spreadsheet programs read Cyrillic names right; a text cell that a spreadsheet would run as a formula
 * is prefixed with an apostrophe.
 */
type Cell = string | number | boolean | null | undefined;
type Row = Record<string, unknown>;

function flatten(row: Row, prefix = '', out: Record<string, Cell> = {}) {
  for (const [k, v] of Object.entries(row)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Row, name, out);
    else out[name] = Array.isArray(v) ? JSON.stringify(v) : (v as Cell);
  }
  return out;
}

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: Row[]): string {
  const flat = rows.map((r) => flatten(r));
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of flat) {
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      columns.push(k);
    }
  }
  const lines = [columns.map(cell).join(','), ...flat.map((r) => columns.map((c) => cell(r[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
