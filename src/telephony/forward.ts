import type { Context } from 'hono';
import type { AppEnv } from '../shared/http.js';
import { AppError } from '../shared/errors.js';

/** Set on a request one instance passes to another; such a request is never passed on again. */
export const FORWARDED_HEADER = 'x-switchboard-forwarded';
const PASSED_REQUEST_HEADERS = ['authorization', 'cookie', 'content-type', 'accept', 'accept-language', 'x-request-id'];
const FORWARD_TIMEOUT_MS = 10_000;

/**
 * PBX actions (click-to-call, listening) run on the instance that holds the server's ARI connection. On
 * any other instance the same request, with the caller's own credentials, is passed to the holder and
 * its answer returned as it is. Null: this instance should run it itself (it holds the connection, or
 * nobody does and the action fails here with a clear message).
 */
export async function forwardToHolder(c: Context<AppEnv>, pbx: string | undefined, body?: unknown): Promise<Response | null> {
  const s = c.get('services');
  const placement = s.telephony.placement?.(pbx);
  if (!placement || placement.here || !placement.url) return null;
  if (c.req.header(FORWARDED_HEADER)) {
    throw new AppError('unavailable', `The PBX connection is moving between instances (${placement.detail}); try again in a few seconds`);
  }
  const url = new URL(c.req.path, placement.url);
  url.search = new URL(c.req.url).search;
  const headers = new Headers({ [FORWARDED_HEADER]: s.config.instance.id, 'x-request-id': c.get('requestId') });
  for (const h of PASSED_REQUEST_HEADERS) {
    const v = c.req.header(h);
    if (v && !headers.has(h)) headers.set(h, v);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: c.req.method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      redirect: 'manual',
    });
  } catch (err) {
    s.logger.warn({ err: (err as Error).message, to: placement.url }, 'the instance holding the PBX did not answer');
    throw new AppError('unavailable', 'The instance that holds the PBX connection did not answer; try again in a few seconds');
  }
  const out = new Headers();
  for (const h of ['content-type', 'retry-after']) {
    const v = res.headers.get(h);
    if (v) out.set(h, v);
  }
  return new Response(res.body, { status: res.status, headers: out });
}
