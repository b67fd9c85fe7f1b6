import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';
import { importDialList } from '../helpers/dial-lists.js';

const graph = {
  start: 'hello',
  steps: [
    {
      id: 'hello',
      kind: 'say',
      title: 'Приветствие',
      text: 'Добрый день, {{contact.name}}! Меня зовут {{operator.name}}.',
      options: [
        { id: 'listen', label: 'Слушает', next: 'need' },
        { id: 'busy', label: 'Занят', next: 'later' },
      ],
    },
    {
      id: 'need',
      kind: 'say',
      title: 'Потребность',
      text: 'Сколько человек у вас в офисе?',
      fields: [
        { key: 'staff', label: 'Сотрудников', type: 'number', required: true },
        { key: 'decider', label: 'ЛПР', type: 'yes_no' },
      ],
      options: [
        { id: 'agree', label: 'Согласен на встречу', next: 'meet' },
        { id: 'pricey', label: 'Дорого', next: 'price' },
      ],
    },
    {
      id: 'price',
      kind: 'objection',
      title: 'Возражение: дорого',
      text: 'Для {{answers.staff}} человек первый месяц бесплатно.',
      options: [
        { id: 'convinced', label: 'Убедили', next: 'meet' },
        { id: 'no', label: 'Нет', next: 'refuse' },
      ],
    },
    { id: 'meet', kind: 'outcome', title: 'Встреча', outcome: { kind: 'meeting_booked' } },
    { id: 'later', kind: 'outcome', title: 'Перезвонить', outcome: { kind: 'callback' } },
    { id: 'refuse', kind: 'outcome', title: 'Отказ', outcome: { kind: 'not_interested', reason: 'Дорого' } },
  ],
};

describe('call scripts: drafts, publishing, versions, runs and which argument works', () => {
  let h: Harness;
  let cc: TestUser;
  let op: TestUser;
  let scriptId: string;

  beforeAll(async () => {
    h = await startHarness();
    cc = await h.user('cc_admin');
    op = await h.user('operator', { name: 'Ольга Скриптова' });
  });
  afterAll(() => h?.stop());

  it('only the call-centre administrator and the admin edit scripts; operators read published versions', async () => {
    expect((await h.api('/api/call-scripts')).status).toBe(401);
    expect((await h.api('/api/call-scripts', { token: op.token, body: { name: 'x' } })).status).toBe(403);
    const hunter = await h.user('hunter');
    expect((await h.api('/api/call-scripts', { token: hunter.token })).status).toBe(403);
    expect((await h.api('/api/call-scripts', { token: op.token })).status).toBe(200);
  });

  it('a new script starts with a valid starter draft; a broken draft is saved with its issues named by step', async () => {
    const created = await h.api('/api/call-scripts', { token: cc.token, body: { name: 'Кулеры: холодный обзвон' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ publishedVersion: null, draftChanged: true, issues: [], versions: [] });
    scriptId = created.body.id;
    expect(scriptId).toMatch(/^scr_/);
    expect((await h.api('/api/call-scripts', { token: cc.token, body: { name: 'кулеры: ХОЛОДНЫЙ обзвон' } })).status).toBe(409);

    const broken = structuredClone(graph);
    broken.steps[2]!.options![1]!.next = 'goodbye';
    const saved = await h.api(`/api/call-scripts/${scriptId}/draft`, { method: 'PUT', token: cc.token, body: { graph: broken } });
    expect(saved.status).toBe(200);
    expect(saved.body.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ stepId: 'price', code: 'dangling_edge', path: 'steps.2.options.1.next' }), expect.objectContaining({ stepId: 'refuse', code: 'unreachable' })]),
    );
    const refused = await h.api(`/api/call-scripts/${scriptId}/publish`, { method: 'POST', token: cc.token });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.detail).toContain('Возражение: дорого');
    expect(refused.body.issues.map((i: { stepId: string }) => i.stepId)).toEqual(expect.arrayContaining(['price', 'refuse']));
    expect(refused.body.errors[0].path).toMatch(/^draft\.steps\./);
    expect((await h.api(`/api/call-scripts/${scriptId}`, { token: cc.token })).body.publishedVersion).toBeNull();
  });

  it('rejects malformed drafts with field errors and unknown ids with 404', async () => {
    const bad = await h.api(`/api/call-scripts/${scriptId}/draft`, {
      method: 'PUT',
      token: cc.token,
      body: { graph: { start: 'a', steps: [{ id: 'a b', kind: 'outcome', title: '', options: [{ id: 'x', label: 'y', next: 'a' }] }] } },
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['graph.steps.0.id', 'graph.steps.0.title', 'graph.steps.0.options']));
    const malformed = await h.api(`/api/call-scripts/${scriptId}/draft`, { method: 'PUT', token: cc.token, body: '{"graph": ' });
    expect(malformed.status).toBe(400);
    expect((await h.api('/api/call-scripts/scr_01JD0000000000000000000000', { token: cc.token })).status).toBe(404);
    expect((await h.api(`/api/call-scripts/${scriptId}/versions/7`, { token: op.token })).status).toBe(404);
  });

  it('publishing freezes an immutable version; editing the draft later does not change it', async () => {
    expect((await h.api(`/api/call-scripts/${scriptId}/draft`, { method: 'PUT', token: cc.token, body: { graph } })).body.issues).toEqual([]);
    const v1 = await h.api(`/api/call-scripts/${scriptId}/publish`, { method: 'POST', token: cc.token });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({ scriptId, version: 1, name: 'Кулеры: холодный обзвон', publishedBy: { id: cc.id } });
    expect((await h.api(`/api/call-scripts/${scriptId}/publish`, { method: 'POST', token: cc.token })).status).toBe(409);

    const changed = structuredClone(graph);
    changed.steps[0]!.text = 'Здравствуйте, {{contact.name}}!';
    const draft = await h.api(`/api/call-scripts/${scriptId}/draft`, { method: 'PUT', token: cc.token, body: { graph: changed } });
    expect(draft.body).toMatchObject({ publishedVersion: 1, draftChanged: true });
    const old = await h.api(`/api/call-scripts/${scriptId}/versions/1`, { token: op.token });
    expect(old.status).toBe(200);
    expect(old.body.graph.steps[0].text).toBe(graph.steps[0]!.text);
    const v2 = await h.api(`/api/call-scripts/${scriptId}/publish`, { method: 'POST', token: cc.token });
    expect(v2.body.version).toBe(2);
    const list = await h.api('/api/call-scripts?q=кулеры', { token: cc.token });
    expect(list.body.items).toEqual([expect.objectContaining({ id: scriptId, publishedVersion: 2, draftChanged: false })]);
    expect((await h.api(`/api/call-scripts/${scriptId}`, { token: cc.token })).body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it('only one script is the inbound script', async () => {
    expect((await h.api(`/api/call-scripts/${scriptId}`, { method: 'PATCH', token: cc.token, body: { inbound: true } })).body.inbound).toBe(true);
    const other = await h.api('/api/call-scripts', { token: cc.token, body: { name: 'Входящие', inbound: true } });
    expect(other.status).toBe(409);
    expect(other.body.errors[0].path).toBe('inbound');
  });

  it('campaigns name their script; an unknown script is refused', async () => {
    const bad = await h.api('/api/campaigns', { token: cc.token, body: { name: 'Без скрипта', scriptId: 'scr_01JD0000000000000000000000' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('scriptId');
    const ok = await h.api('/api/campaigns', { token: cc.token, body: { name: 'Со скриптом', scriptId } });
    expect(ok.status).toBe(201);
    expect(ok.body.script).toEqual({ id: scriptId, name: 'Кулеры: холодный обзвон', publishedVersion: 2 });
  });

  it("operators get the published version of their campaign's script with the next contact, and the run links the entry", async () => {
    const campaign = (
      await h.api('/api/campaigns', {
        token: cc.token,
        body: { name: 'Обзвон по скрипту', status: 'active', scriptId, operatorIds: [op.id], window: { start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] } },
      })
    ).body;
    await importDialList(h, cc.token, campaign.id, { name: 'Офисы', mapping: { name: 'Имя', phones: ['Телефон'] }, csv: 'Имя,Телефон\nИнна Кулерова,+7 495 300-10-01\n' });
    const next = await h.api('/api/dialer/next', { method: 'POST', token: op.token });
    expect(next.status).toBe(200);
    expect(next.body.entry.script).toMatchObject({ scriptId, version: 2, name: 'Кулеры: холодный обзвон', publishedBy: { id: cc.id } });
    expect(next.body.entry.script.graph.start).toBe('hello');
    const run = await h.api('/api/script-runs', {
      token: op.token,
      body: { scriptId, version: 2, entryId: next.body.entry.id, path: [{ stepId: 'hello', optionId: 'busy' }, { stepId: 'later' }] },
    });
    expect(run.status).toBe(201);
    expect(run.body).toMatchObject({ entryId: next.body.entry.id, contactId: next.body.entry.contact.id, outcome: 'callback' });
    // Only the operator holding the entry records a run on it.
    const other = await h.user('operator');
    const foreign = await h.api('/api/script-runs', { token: other.token, body: { scriptId, version: 2, entryId: next.body.entry.id, path: [{ stepId: 'hello' }] } });
    expect(foreign.body.errors[0].path).toBe('entryId');
  });

  it('a run must follow the version from its start, with required answers of the right type', async () => {
    const run = (body: object) => h.api('/api/script-runs', { token: op.token, body: { scriptId, version: 2, ...body } });
    const wrongStart = await run({ path: [{ stepId: 'need' }] });
    expect(wrongStart.status).toBe(400);
    expect(wrongStart.body.errors[0].path).toBe('path.0.stepId');
    const wrongEdge = await run({ path: [{ stepId: 'hello', optionId: 'listen' }, { stepId: 'meet' }] });
    expect(wrongEdge.body.errors[0]).toMatchObject({ path: 'path.1.stepId' });
    const missing = await run({ path: [{ stepId: 'hello', optionId: 'listen' }, { stepId: 'need', optionId: 'agree' }, { stepId: 'meet' }] });
    expect(missing.body.errors[0].path).toBe('answers.staff');
    const wrongType = await run({ path: [{ stepId: 'hello', optionId: 'listen' }, { stepId: 'need', optionId: 'agree' }, { stepId: 'meet' }], answers: { staff: 'many' } });
    expect(wrongType.body.errors[0].path).toBe('answers.staff');
    const foreign = await run({ path: [{ stepId: 'hello', optionId: 'busy' }, { stepId: 'later' }], answers: { staff: 3 } });
    expect(foreign.body.errors[0].path).toBe('answers.staff');
    expect((await run({ version: 9, path: [{ stepId: 'hello' }] })).body.errors[0].path).toBe('version');
    expect((await run({ path: [{ stepId: 'hello' }], contactId: 'cnt_01JD0000000000000000000000' })).body.errors[0].path).toBe('contactId');
  });

  it('counts per step and answer how many runs passed and how many ended in a meeting', async () => {
    const contact = await h.api('/api/contacts', { token: op.token, body: { name: 'Пётр Водин', phones: ['+74951112233'] } });
    expect(contact.status).toBe(201);
    const walks = [
      // Straight to a meeting.
      { path: [['hello', 'listen'], ['need', 'agree'], ['meet']], answers: { staff: 12, decider: true } },
      // The objection worked.
      { path: [['hello', 'listen'], ['need', 'pricey'], ['price', 'convinced'], ['meet']], answers: { staff: 40 } },
      // It did not.
      { path: [['hello', 'listen'], ['need', 'pricey'], ['price', 'no'], ['refuse']], answers: { staff: 5 } },
      { path: [['hello', 'busy'], ['later']], answers: {} },
      // Hung up in the middle: no outcome.
      { path: [['hello', 'listen'], ['need']], answers: {} },
    ];
    for (const w of walks) {
      const res = await h.api('/api/script-runs', {
        token: op.token,
        body: { scriptId, version: 2, contactId: contact.body.id, path: w.path.map(([stepId, optionId]) => ({ stepId, optionId })), answers: w.answers },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const stats = await h.api(`/api/call-scripts/${scriptId}/stats`, { token: cc.token });
    expect(stats.status).toBe(200);
    // Five walks here and the callback promised on the dial entry above.
    expect(stats.body).toMatchObject({ version: 2, runs: 6, meetings: 2 });
    const step = (id: string) => stats.body.steps.find((s: { stepId: string }) => s.stepId === id);
    expect(step('hello')).toMatchObject({ passed: 6, meetings: 2 });
    expect(step('need')).toMatchObject({ passed: 4, meetings: 2 });
    expect(step('price')).toMatchObject({ passed: 2, meetings: 1, kind: 'objection' });
    expect(step('price').options).toEqual([
      { optionId: 'convinced', label: 'Убедили', next: 'meet', chosen: 1, meetings: 1 },
      { optionId: 'no', label: 'Нет', next: 'refuse', chosen: 1, meetings: 0 },
    ]);
    expect(stats.body.outcomes).toEqual(
      expect.arrayContaining([{ kind: 'meeting_booked', count: 2 }, { kind: 'not_interested', count: 1 }, { kind: 'callback', count: 2 }]),
    );
    expect((await h.api(`/api/call-scripts/${scriptId}/stats?version=1`, { token: cc.token })).body).toMatchObject({ version: 1, runs: 0 });
    expect((await h.api(`/api/call-scripts/${scriptId}/stats?from=2000-01-01T00:00:00Z&to=2000-02-01T00:00:00Z`, { token: cc.token })).body.runs).toBe(0);
    expect((await h.api(`/api/call-scripts/${scriptId}/stats`, { token: op.token })).status).toBe(403);
  });
});
