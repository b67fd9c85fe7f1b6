import type { Services } from '../services.js';
import { AppError } from '../shared/errors.js';

const PASSED_HEADERS = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'last-modified', 'etag'];

/**
 * Streams a stored recording from the PBX's ARI (`GET /ari/recordings/stored/{name}/file`) without
 * buffering it, passing a Range request through so that the panel's audio player can seek. ARI
 * credentials never leave the service.
 */
export async function streamRecording(s: Services, pbx: string, name: string, range: string | undefined): Promise<Response> {
  if (!s.config.telephony) throw new AppError('unavailable', 'Recordings are kept on the PBX, and telephony is off (ARI_URL is not set)');
  const ari = s.config.telephony.servers.find((x) => x.name === pbx);
  if (!ari) throw new AppError('unavailable', `The recording is on PBX "${pbx}", which is no longer configured`);
  const url = `${ari.url.replace(/\/+$/, '')}/ari/recordings/stored/${encodeURIComponent(name)}/file`;
  let upstream: Response;
  try {
    upstream = await fetch(url, {
      headers: {
        authorization: `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}`,
        ...(range ? { range } : {}),
      },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    s.logger.warn({ err: (err as Error).message, recording: name }, 'PBX did not answer for a recording');
    throw new AppError('unavailable', 'The PBX did not answer for the recording; try again shortly');
  }
  if (upstream.status === 404) {
    await upstream.body?.cancel();
    throw new AppError('not_found', `Recording ${name} is no longer on the PBX`);
  }
  if (!upstream.ok || !upstream.body) {
    await upstream.body?.cancel();
    s.logger.warn({ status: upstream.status, recording: name }, 'PBX refused a recording download');
    throw new AppError('unavailable', `The PBX answered ${upstream.status} for the recording`);
  }
  const headers = new Headers({ 'cache-control': 'private, no-store', 'content-disposition': `inline; filename="${name}"` });
  for (const h of PASSED_HEADERS) {
    const v = upstream.headers.get(h);
    if (v) headers.set(h, v);
  }
  if (!headers.has('content-type')) headers.set('content-type', 'application/octet-stream');
  if (upstream.status === 206 || !range) return new Response(upstream.body, { status: upstream.status, headers });

  // Asterisk answers a Range request with the whole file: cut the part out of the stream here.
  const total = Number(upstream.headers.get('content-length'));
  const part = parseRange(range, total);
  if (!part) {
    await upstream.body.cancel();
    throw new AppError('range_not_satisfiable', `The requested range is outside the recording (${Number.isFinite(total) ? total : '?'} bytes)`);
  }
  headers.set('content-range', `bytes ${part.start}-${part.end}/${total}`);
  headers.set('content-length', String(part.end - part.start + 1));
  headers.set('accept-ranges', 'bytes');
  return new Response(upstream.body.pipeThrough(byteSlice(part.start, part.end + 1)), { status: 206, headers });
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` within a file of `total` bytes; null when it cannot be served. */
function parseRange(range: string, total: number): { start: number; end: number } | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || !Number.isFinite(total) || total <= 0 || (!m[1] && !m[2])) return null;
  let start: number;
  let end: number;
  if (!m[1]) {
    start = Math.max(0, total - Number(m[2]));
    end = total - 1;
  } else {
    start = Number(m[1]);
    end = m[2] ? Math.min(Number(m[2]), total - 1) : total - 1;
  }
  return start <= end && start < total ? { start, end } : null;
}

/** Passes on bytes [from, to) of a byte stream and drops the rest. */
function byteSlice(from: number, to: number): TransformStream<Uint8Array, Uint8Array> {
  let offset = 0;
  return new TransformStream({
    transform(chunk, controller) {
      const start = Math.max(from - offset, 0);
      const end = Math.min(to - offset, chunk.length);
      if (start < end) controller.enqueue(chunk.subarray(start, end));
      offset += chunk.length;
      if (offset >= to) controller.terminate();
    },
  });
}
