import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceBrowserAvailability, haveBrowser, openBrowser, shotsDir, signIn, type BrowserSession } from '../helpers/browser.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { ARI, CEL_DATABASE_URL, holdAsterisk, inboundCall, requireAsterisk, uniqueCaller } from '../helpers/asterisk.js';

/**
 * The operator's browser softphone against the real Asterisk: JsSIP registers the operator's web10XX
 * endpoint over WebSocket, an inbound SIPp call is distributed to them, the phone rings in the page with
 * the screen pop, the operator answers there, and the call record names them with the talk time.
 */
announceBrowserAvailability('softphone browser tests');
const asterisk = haveBrowser ? await requireAsterisk() : false;

describe.skipIf(!haveBrowser || !asterisk)('browser softphone in Chromium on a real Asterisk', () => {
  let h: Harness;
  let browser: BrowserSession;
  let release: (() => void) | undefined;

  beforeAll(async () => {
    release = await holdAsterisk();
    [h, browser] = await Promise.all([
      startHarness({
        env: {
          ARI_URL: ARI.url,
          ARI_USER: ARI.user,
          ARI_PASSWORD: ARI.password,
          ARI_APP: ARI.app,
          CEL_DATABASE_URL,
          SOFTPHONE_WS_URL: process.env.TEST_SOFTPHONE_WS_URL ?? 'ws://127.0.0.1:8088/ws',
          SOFTPHONE_PASSWORD: process.env.SB_OPERATOR_PASSWORD ?? 'switchboard-op',
          ACD_RING_SECONDS: '20',
          ACD_ANNOUNCE_AFTER_SECONDS: '0',
          WRAP_UP_SECONDS: '2',
        },
      }),
      openBrowser(),
    ]);
    await h.gateway!.ready(20_000);
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    release?.();
  });

  it('operator: the softphone registers, rings with the screen pop, answers in the page; the call names the operator', async () => {
    const cc = await h.user('cc_admin');
    const src = (await h.api('/api/sources', { token: cc.token, body: { name: 'Авито', channel: 'referral' } })).body;
    expect((await h.api('/api/tracking-numbers', { token: cc.token, body: { number: '+74951232001', sourceId: src.id, kind: 'static' } })).status).toBe(201);
    const op = await h.user('operator', { name: 'Вера Софтфонова' });
    expect((await h.api(`/api/users/${op.id}`, { method: 'PATCH', token: await h.adminToken(), body: { extension: '1001', phoneDevice: 'softphone' } })).status).toBe(200);

    const page = await browser.newPage();
    await page.goto(h.url + '/');
    await signIn(page, op.email, op.password);
    await page.getByTestId('home-operator').waitFor();
    const phone = page.getByTestId('phone');
    await expect.poll(() => phone.getByTestId('phone-registration').textContent(), { timeout: 15_000 }).toBe('на линии');
    expect((await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'available' } })).status).toBe(200);

    const caller = uniqueCaller();
    const placed = inboundCall('4951232001', caller, 3000);
    const ringing = phone.locator('[data-testid="phone-call"][data-status="ringing"]');
    await ringing.waitFor({ timeout: 15_000 });
    const pop = phone.getByTestId('screen-pop');
    await pop.waitFor();
    expect(await pop.getByTestId('screen-pop-source').textContent()).toBe('Авито');
    expect(await pop.textContent()).toContain(`+7 ${caller.slice(1, 4)} ${caller.slice(4, 7)}-${caller.slice(7, 9)}-${caller.slice(9)}`);
    await page.screenshot({ path: `${shotsDir}/operator-softphone-ringing.png`, fullPage: true });

    await phone.getByTestId('phone-answer').click();
    await phone.locator('[data-testid="phone-call"][data-status="active"]').waitFor({ timeout: 10_000 });
    await phone.getByTestId('phone-timer').waitFor();
    // Hold and mute work in the page while the caller is on the line.
    await phone.getByTestId('phone-mute').click();
    await expect.poll(() => phone.getByTestId('phone-mute').getAttribute('aria-pressed')).toBe('true');
    await phone.getByTestId('phone-mute').click();
    await expect.poll(() => phone.getByTestId('phone-mute').getAttribute('aria-pressed')).toBe('false');
    await page.screenshot({ path: `${shotsDir}/operator-softphone-talking.png`, fullPage: true });

    // The caller hangs up after 3 s of talk: the page's call ends, and the record names the operator.
    await placed;
    await phone.getByTestId('phone-call').waitFor({ state: 'detached', timeout: 10_000 });
    let call: any = null;
    await expect
      .poll(
        async () => {
          await h.gateway!.idle();
          const list = (await h.api('/api/calls?direction=inbound&limit=50', { token: cc.token })).body.items;
          call = list.find((c: { from: string; endedAt: string | null }) => c.from === `+${caller}` && c.endedAt);
          return !!call;
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    expect(call).toMatchObject({ status: 'answered', operatorId: op.id, acdOutcome: 'answered', source: { id: src.id } });
    expect(call.talkSeconds).toBeGreaterThanOrEqual(2);
    // The operator sees it among their own calls.
    const mine = (await h.api('/api/calls?limit=10', { token: op.token })).body.items;
    expect(mine.map((c: { id: string }) => c.id)).toContain(call.id);
    // The call's page lists whose phone rang and how it ended.
    await page.goto(`${h.url}/calls/${call.id}`);
    const attempt = page.locator('[data-testid="call-attempt"][data-outcome="answered"]');
    await attempt.waitFor();
    expect(await attempt.textContent()).toContain('Вера Софтфонова');
    expect(await attempt.textContent()).toContain('ответил');
    expect(browser.errorsOf(page)).toEqual([]);
  });
});
