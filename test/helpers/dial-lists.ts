import { expect } from 'vitest';
import type { Harness } from './harness.js';

/** Imports a CSV into a campaign through the API and waits until it is saved; returns the finished job. */
export async function importDialList(h: Harness, token: string, campaignId: string, opts: { name: string; mapping: object; csv: string }) {
  const qs = new URLSearchParams({ name: opts.name, mapping: JSON.stringify(opts.mapping) });
  const res = await fetch(`${h.url}/api/campaigns/${campaignId}/lists?${qs}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: opts.csv,
  });
  const job = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(job)).toBe(202);
  // A loop rather than expect.poll, which works inside a test only (this also serves beforeAll).
  const deadline = Date.now() + 15_000;
  for (;;) {
    const body = (await h.api(`/api/imports/${job.id}`, { token })).body;
    if (body.status === 'done') return body;
    if (body.status === 'failed' || Date.now() > deadline) throw new Error(`import ${job.id} did not finish: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
