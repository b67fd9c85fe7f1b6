import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settings } from '../../src/db/schema.js';
import { advanceCelWatermark } from '../../src/telephony/cel.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/** The CEL watermark a connected gateway moves up: recovery after a takeover looks back from it. */
describe('CEL watermark', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.stop());
  const mark = async (pbx: string) => (await h.services.database.db.select().from(settings).where(eq(settings.key, `cel_watermark:${pbx}`)))[0]?.value;

  it('moves up to now, never back, and only for a server that has connected once', async () => {
    const t0 = new Date('2026-12-01T10:00:00Z');
    await h.services.database.db.insert(settings).values({ key: 'cel_watermark:pbx-x', value: t0.toISOString() });
    await advanceCelWatermark(h.services, 'pbx-x', new Date('2026-12-01T11:00:00Z'));
    expect(await mark('pbx-x')).toBe('2026-12-01T11:00:00.000Z');
    await advanceCelWatermark(h.services, 'pbx-x', new Date('2026-12-01T10:30:00Z'));
    expect(await mark('pbx-x')).toBe('2026-12-01T11:00:00.000Z');
    await advanceCelWatermark(h.services, 'pbx-never', new Date('2026-12-01T11:00:00Z'));
    expect(await mark('pbx-never')).toBeUndefined();
  });
});
