/**
 * The start of a CSV file read in the browser, to offer its columns for the mapping before anything is
 * uploaded. Encoding and separator are guessed the way the service guesses them (UTF-8 with or without a
 * BOM unless the bytes are not UTF-8, then Windows-1251; whichever of `;` `,` tab the header line has
 * most of outside quotes), and then sent along explicitly so both sides read the file the same way.
 */

export type CsvEncoding = 'utf-8' | 'windows-1251';
export type CsvDelimiter = ',' | ';' | 'tab';

export interface CsvHead {
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
  header: string[];
  /** The first data rows (a few), for a preview next to the mapping. */
  sample: string[][];
}

const HEAD_BYTES = 64 * 1024;

export async function readCsvHead(file: Blob, sampleRows = 3): Promise<CsvHead> {
  const bytes = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  const encoding = guessEncoding(bytes);
  let text = new TextDecoder(encoding).decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const delimiter = guessDelimiter(text);
  const truncated = file.size > HEAD_BYTES;
  const records = parseRecords(text, delimiter === 'tab' ? '\t' : delimiter, sampleRows + 2).filter((r) => !(r.length === 1 && r[0] === ''));
  // A record cut by the end of the slice is not shown.
  if (truncated && records.length > 1) records.pop();
  const [header = [], ...rest] = records;
  return { encoding, delimiter, header: header.map((h) => h.trim()), sample: rest.slice(0, sampleRows) };
}

function guessEncoding(bytes: Uint8Array): CsvEncoding {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  try {
    // stream: a multi-byte character cut at the end of the slice is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return 'utf-8';
  } catch {
    return 'windows-1251';
  }
}

function guessDelimiter(text: string): CsvDelimiter {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const count = (ch: string) => {
    let n = 0;
    let quoted = false;
    for (const c of firstLine) {
      if (c === '"') quoted = !quoted;
      else if (!quoted && c === ch) n++;
    }
    return n;
  };
  const counts: Array<[CsvDelimiter, number]> = [
    [';', count(';')],
    [',', count(',')],
    ['tab', count('\t')],
  ];
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 0 ? counts[0]![0] : ',';
}

/** Up to `max` records: quoted fields, `""` inside quotes, line breaks inside quotes. */
export function parseRecords(text: string, delimiter: string, max: number): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    record.push(field);
    records.push(record);
    record = [];
    field = '';
  };
  while (i < text.length && records.length < max) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      record.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else field += c;
    i++;
  }
  if (records.length < max && (field !== '' || record.length)) endRecord();
  return records;
}
