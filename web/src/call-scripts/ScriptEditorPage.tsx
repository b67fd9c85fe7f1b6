import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { useI18n, type Translate } from '../i18n';
import { Link } from '../router/router';
import { useSession } from '../session/session';
import { FormError, Notice } from '../ui/Field';
import { problemMessage, problemOf } from '../ui/errors';
import { formatDateTime } from '../ui/format';
import {
  fieldTypes,
  getScript,
  issueCodes,
  getVersion,
  mergeFields,
  outcomeKinds,
  patchScript,
  publishScript,
  saveDraft,
  stepKinds,
  type FieldType,
  type OutcomeKind,
  type Script,
  type ScriptField,
  type ScriptGraph,
  type ScriptIssue,
  type ScriptOption,
  type ScriptStep,
  type ScriptVersion,
  type StepKind,
} from './api';
import { ScriptRunner } from './ScriptRunner';
import { ScriptStatsPanel } from './ScriptStatsPanel';
import type { ScriptContext } from './merge';
import './call-scripts.css';

const AUTOSAVE_MS = 1200;

/** The step index an issue or error path points at (`steps.3.options.0.next`, `graph.steps.3…`). */
export function stepIndexOf(path: string | undefined): number | null {
  const m = /(?:^|\.)steps\.(\d+)(?:\.|$)/.exec(path ?? '');
  return m ? Number(m[1]) : null;
}

function uniqueId(prefix: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  for (let n = 1; ; n++) if (!set.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

function blankStep(kind: StepKind, id: string, title: string): ScriptStep {
  return {
    id,
    kind,
    title,
    text: '',
    fields: [],
    options: kind === 'outcome' ? [] : [{ id: 'opt1', label: '', next: '' }],
    outcome: kind === 'outcome' ? { kind: 'completed' } : null,
  };
}

/** Issues and schema errors from the service, as {stepIndex|null, message, code}. */
interface ShownIssue {
  stepIndex: number | null;
  stepId: string | null;
  code: string;
  message: string;
  path: string;
}

const ID_RE = /^[A-Za-z0-9_-]{1,40}$/;
const KEY_RE = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * What is not filled in yet (the service refuses to store such a draft at all): an empty title or label,
 * an answer that leads nowhere yet, a malformed id or field key. Shown on the step; the draft is saved
 * once they are fixed.
 */
function unfinished(graph: ScriptGraph, t: Translate): ShownIssue[] {
  const out: ShownIssue[] = [];
  graph.steps.forEach((s, i) => {
    const at = `steps.${i}`;
    const name = s.title.trim() || s.id;
    const add = (path: string, message: string) => out.push({ stepIndex: i, stepId: s.id, code: 'unfinished', message, path: `${at}.${path}` });
    if (!ID_RE.test(s.id)) add('id', t('scripts.check.stepId', { step: name }));
    if (!s.title.trim()) add('title', t('scripts.check.title', { step: s.id }));
    s.options.forEach((o, j) => {
      if (!o.label.trim()) add(`options.${j}.label`, t('scripts.check.optionLabel', { step: name, n: j + 1 }));
      if (!o.next) add(`options.${j}.next`, t('scripts.check.optionNext', { step: name, option: o.label.trim() || String(j + 1) }));
    });
    s.fields.forEach((f, j) => {
      if (!KEY_RE.test(f.key)) add(`fields.${j}.key`, t('scripts.check.fieldKey', { step: name, key: f.key }));
      if (!f.label.trim()) add(`fields.${j}.label`, t('scripts.check.fieldLabel', { step: name, key: f.key }));
    });
  });
  if (!graph.steps.length) out.push({ stepIndex: null, stepId: null, code: 'unfinished', message: t('scripts.check.noSteps'), path: 'steps' });
  return out;
}

function toShown(issues: ScriptIssue[], graph: ScriptGraph): ShownIssue[] {
  return issues.map((i) => {
    let idx = stepIndexOf(i.path);
    if (i.stepId !== null) {
      const byId = graph.steps.findIndex((s) => s.id === i.stepId);
      if (byId >= 0) idx = byId;
    }
    return { stepIndex: idx, stepId: i.stepId, code: i.code, message: i.message, path: i.path };
  });
}

/** The editor of one script: steps as cards, live issues on their steps, a live preview, publishing, versions and stats. */
export function ScriptEditorPage({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const [script, setScript] = useState<Script | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [graph, setGraph] = useState<ScriptGraph | null>(null);
  const [issues, setIssues] = useState<ScriptIssue[]>([]);
  const [schemaErrors, setSchemaErrors] = useState<ShownIssue[]>([]);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [publishing, setPublishing] = useState(false);
  const [publishError, setPublishError] = useState<string | null>(null);
  const [published, setPublished] = useState<ScriptVersion | null>(null);
  const [viewing, setViewing] = useState<ScriptVersion | null>(null);
  const [statsKey, setStatsKey] = useState(0);

  const graphRef = useRef<ScriptGraph | null>(null);
  graphRef.current = graph;
  const editSeq = useRef(0);
  const chain = useRef<Promise<boolean>>(Promise.resolve(true));

  useEffect(() => {
    let live = true;
    getScript(id).then(
      (s) => {
        if (!live) return;
        setScript(s);
        setGraph(s.draft);
        setIssues(s.issues);
      },
      (err) => live && setLoadError(err),
    );
    return () => {
      live = false;
    };
  }, [id]);

  /** Saves the current draft after any save in flight; true when the service took it. */
  const saveNow = (): Promise<boolean> => {
    chain.current = chain.current.then(async () => {
      const g = graphRef.current;
      if (!g) return false;
      // The service would refuse it; the unfinished places are shown on their steps already.
      if (unfinished(g, t).length) return false;
      const seq = editSeq.current;
      setSaving(true);
      setSaveError(null);
      try {
        const s = await saveDraft(id, g);
        setScript(s);
        setIssues(s.issues);
        setSchemaErrors([]);
        if (seq === editSeq.current) setDirty(false);
        return true;
      } catch (err) {
        setSaveError(err);
        const p = problemOf(err);
        setSchemaErrors(
          (p?.errors ?? []).map((e) => {
            const idx = stepIndexOf(e.path);
            return { stepIndex: idx, stepId: idx !== null ? (g.steps[idx]?.id ?? null) : null, code: e.code ?? 'invalid', message: e.message, path: e.path };
          }),
        );
        return false;
      } finally {
        setSaving(false);
      }
    });
    return chain.current;
  };

  // Leaving the page with changes the service has not taken yet asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // Autosave a moment after the last change.
  useEffect(() => {
    if (!dirty) return;
    const timer = setTimeout(() => void saveNow(), AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }, [graph, dirty]);

  const edit = (next: ScriptGraph) => {
    editSeq.current += 1;
    setGraph(next);
    setDirty(true);
    setPublished(null);
    setPublishError(null);
  };

  const publish = async () => {
    setPublishError(null);
    setPublished(null);
    setPublishing(true);
    try {
      const open = graph ? unfinished(graph, t) : [];
      if (open.length) {
        setPublishError(t('scripts.publish.unfinished', { count: open.length }));
        return;
      }
      if (dirty || saving) {
        const ok = await saveNow();
        if (!ok) {
          setPublishError(t('scripts.publish.saveFirst'));
          return;
        }
      }
      const v = await publishScript(id);
      setPublished(v);
      setIssues([]);
      setScript(await getScript(id));
      setStatsKey((n) => n + 1);
    } catch (err) {
      const p = problemOf(err);
      if (err instanceof ApiError && p && p.status === 409) setPublishError(t('scripts.publish.unchanged'));
      else if (err instanceof ApiError && p && p.status === 400) {
        const list = Array.isArray(p.issues) ? (p.issues as ScriptIssue[]) : null;
        if (list) setIssues(list);
        else
          setIssues(
            (p.errors ?? []).map((e) => ({ stepId: null, path: e.path, code: e.code ?? 'invalid', message: e.message })),
          );
        setPublishError(t('scripts.publish.failed', { count: list?.length ?? p.errors?.length ?? 0 }));
      } else setPublishError(problemMessage(err, t));
    } finally {
      setPublishing(false);
    }
  };

  const view = async (version: number) => {
    try {
      setViewing(await getVersion(id, version));
    } catch (err) {
      setLoadError(err);
    }
  };

  const local = useMemo(() => (graph ? unfinished(graph, t) : []), [graph, locale]);
  const shown = useMemo(() => (graph ? [...local, ...toShown(issues, graph), ...schemaErrors] : []), [local, issues, schemaErrors, graph]);

  if (loadError && !script) return <FormError message={problemMessage(loadError, t)} />;
  if (!script || !graph) return <p class="muted">{t('common.loading')}</p>;

  const general = shown.filter((i) => i.stepIndex === null || i.stepIndex >= graph.steps.length);
  const status = saving
    ? t('common.saving')
    : dirty && local.length
      ? t('scripts.edit.unfinished', { count: local.length })
      : dirty
        ? t('scripts.edit.unsaved')
        : saveError
          ? t('scripts.edit.saveFailed')
          : t('scripts.edit.saved');
  return (
    <div class="script-page" data-testid="script-editor" data-script-id={script.id}>
      <p>
        <Link href="/" class="back-link">
          ← {t('nav.home')}
        </Link>
      </p>
      <MetaForm script={script} onSaved={setScript} />

      <div class="script-toolbar">
        <span class={`script-save-state${dirty ? ' is-dirty' : ''}`} data-testid="script-save-state" data-dirty={dirty ? '1' : '0'} data-saving={saving ? '1' : '0'}>
          {status}
        </span>
        <span class="muted small" data-testid="script-published">
          {script.publishedVersion !== null ? t('scripts.publishedN', { version: script.publishedVersion }) : t('scripts.notPublished')}
          {script.draftChanged && script.publishedVersion !== null ? ` · ${t('scripts.draftChanged')}` : ''}
        </span>
        <span class="script-toolbar__gap" />
        <button type="button" class="btn" onClick={() => void saveNow()} disabled={saving} data-testid="script-save">
          {t('scripts.edit.save')}
        </button>
        <button type="button" class="btn btn--primary" onClick={() => void publish()} disabled={publishing} data-testid="script-publish">
          {publishing ? t('scripts.publish.publishing') : t('scripts.publish.button')}
        </button>
      </div>
      {publishError && (
        <p class="alert alert--error" role="alert" data-testid="publish-error">
          {publishError}
        </p>
      )}
      {published && (
        <p class="alert alert--ok" role="status" data-testid="publish-ok" data-version={published.version}>
          {t('scripts.publish.done', { version: published.version })}
        </p>
      )}
      <FormError message={saveError && !schemaErrors.length ? problemMessage(saveError, t) : null} />
      {general.length > 0 && (
        <ul class="script-issues" data-testid="script-issues">
          {general.map((i, n) => (
            <li key={n} data-code={i.code}>
              {issueText(i, graph, t)}
            </li>
          ))}
        </ul>
      )}

      <div class="script-layout">
        <div class="script-steps">
          <div class="field script-start">
            <label for="script-start">{t('scripts.edit.start')}</label>
            <select id="script-start" data-testid="script-start" value={graph.start} onChange={(e) => edit({ ...graph, start: e.currentTarget.value })}>
              {!graph.steps.some((s) => s.id === graph.start) && <option value={graph.start}>{t('scripts.edit.chooseStep')}</option>}
              {graph.steps.map((s) => (
                <option key={s.id} value={s.id}>
                  {stepLabel(s)}
                </option>
              ))}
            </select>
          </div>
          {graph.steps.map((s, i) => (
            <StepCard
              key={`${i}`}
              step={s}
              index={i}
              graph={graph}
              issues={shown.filter((x) => x.stepIndex === i)}
              onChange={edit}
            />
          ))}
          <div class="script-add" data-testid="script-add">
            {stepKinds.map((k) => (
              <button
                key={k}
                type="button"
                class="btn btn--small"
                data-testid="add-step"
                data-kind={k}
                onClick={() => {
                  const sid = uniqueId(k === 'outcome' ? 'end' : k === 'objection' ? 'objection' : 'step', graph.steps.map((x) => x.id));
                  edit({ ...graph, steps: [...graph.steps, blankStep(k, sid, '')] });
                }}
              >
                + {t(`scripts.add.${k}`)}
              </button>
            ))}
          </div>
        </div>

        <aside class="script-preview" data-testid="script-preview">
          <h3>{t('scripts.preview.title')}</h3>
          <p class="muted small">{t('scripts.preview.lead')}</p>
          <ScriptRunner
            key={graph.start}
            preview
            title={null}
            script={{ scriptId: script.id, name: script.name, version: script.publishedVersion ?? 0, graph }}
            context={sampleContext(t, session.state === 'signed-in' ? session.user.name : '')}
          />
        </aside>
      </div>

      <section class="panel script-versions" data-testid="script-versions">
        <header class="panel__head">
          <h2>{t('scripts.versions.title')}</h2>
        </header>
        {script.versions.length === 0 ? (
          <p class="muted">{t('scripts.versions.none')}</p>
        ) : (
          <ul class="plain">
            {[...script.versions]
              .sort((a, b) => b.version - a.version)
              .map((v) => (
                <li key={v.version} data-testid="version-row" data-version={v.version}>
                  <strong>{t('scripts.versionN', { version: v.version })}</strong>{' '}
                  <span class="muted small">
                    {formatDateTime(v.publishedAt, locale, tz)}
                    {v.publishedBy ? ` · ${v.publishedBy.name}` : ''}
                  </span>{' '}
                  <button type="button" class="btn btn--small btn--ghost" onClick={() => void view(v.version)} data-testid="version-view">
                    {t('scripts.versions.view')}
                  </button>
                </li>
              ))}
          </ul>
        )}
        {viewing && <VersionView version={viewing} onClose={() => setViewing(null)} />}
      </section>

      {script.versions.length > 0 && <ScriptStatsPanel key={statsKey} scriptId={script.id} versions={script.versions.map((v) => v.version)} />}
    </div>
  );
}

function sampleContext(t: Translate, operator: string): ScriptContext {
  return {
    contact: { name: t('scripts.sample.name'), company: t('scripts.sample.company'), email: 'ivan@example.com', phone: '+7 495 123-45-67' },
    fields: {},
    operator: { name: operator },
    campaign: { name: t('scripts.sample.campaign') },
    source: { name: t('scripts.sample.source') },
  };
}

function stepLabel(s: ScriptStep): string {
  return s.title.trim() ? `${s.title} (${s.id})` : s.id;
}

const knownIssues = new Set<string>(issueCodes);

/** An issue in the panel's language, built from its code and the graph; the service's English message otherwise. */
function issueText(i: ShownIssue, graph: ScriptGraph, t: Translate): string {
  if (!knownIssues.has(i.code)) return i.message;
  const step = i.stepIndex !== null ? graph.steps[i.stepIndex] : undefined;
  const oi = /options\.(\d+)/.exec(i.path);
  const fi = /fields\.(\d+)/.exec(i.path);
  const option = oi ? step?.options[Number(oi[1])] : undefined;
  const field = fi ? step?.fields[Number(fi[1])] : undefined;
  const merge = /"(\{\{[^"]*\}\})"/.exec(i.message)?.[1] ?? '';
  return t(`scripts.issue.${i.code}` as 'scripts.issue.dead_end', {
    step: step ? step.title.trim() || step.id : (i.stepId ?? ''),
    id: i.code === 'start_missing' ? graph.start : i.code === 'duplicate_option' ? (option?.id ?? '') : (step?.id ?? i.stepId ?? ''),
    option: option?.label ?? '',
    target: option?.next ?? '',
    key: field?.key ?? '',
    merge,
  });
}

function MetaForm({ script, onSaved }: { script: Script; onSaved: (s: Script) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(script.name);
  const [description, setDescription] = useState(script.description ?? '');
  const [inbound, setInbound] = useState(script.inbound);
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState(false);
  const changed = name.trim() !== script.name || description.trim() !== (script.description ?? '') || inbound !== script.inbound;
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setOk(false);
    try {
      onSaved(await patchScript(script.id, { name: name.trim(), description: description.trim(), inbound }));
      setOk(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="script-meta" onSubmit={submit} noValidate data-testid="script-meta">
      <div class="field field--grow">
        <label for="script-name">{t('scripts.new.name')}</label>
        <input id="script-name" name="name" maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="script-name" />
      </div>
      <div class="field field--grow">
        <label for="script-description">{t('scripts.edit.description')}</label>
        <input id="script-description" name="description" maxLength={2000} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </div>
      <label class="toggle small" title={t('scripts.inboundHint')}>
        <input type="checkbox" name="inbound" checked={inbound} onChange={(e) => setInbound(e.currentTarget.checked)} data-testid="script-inbound" />{' '}
        {t('scripts.inbound')}
      </label>
      <button type="submit" class="btn btn--small" disabled={!changed || !name.trim()} data-testid="script-meta-save">
        {t('scripts.edit.saveMeta')}
      </button>
      <FormError message={error ? problemMessage(error, t) : null} />
      <Notice message={ok && !changed ? t('scripts.edit.metaSaved') : null} />
    </form>
  );
}

function StepCard({
  step,
  index,
  graph,
  issues,
  onChange,
}: {
  step: ScriptStep;
  index: number;
  graph: ScriptGraph;
  issues: ShownIssue[];
  onChange: (g: ScriptGraph) => void;
}) {
  const { t } = useI18n();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const steps = graph.steps;
  const set = (patch: Partial<ScriptStep>) => onChange({ ...graph, steps: steps.map((s, i) => (i === index ? { ...s, ...patch } : s)) });

  const rename = (raw: string) => {
    const next = raw.trim();
    if (!next || next === step.id) return;
    const old = step.id;
    onChange({
      start: graph.start === old ? next : graph.start,
      steps: steps.map((s, i) => ({
        ...(i === index ? { ...s, id: next } : s),
        options: s.options.map((o) => (o.next === old ? { ...o, next } : o)),
      })),
    });
  };
  const setKind = (kind: StepKind) => {
    if (kind === step.kind) return;
    if (kind === 'outcome') set({ kind, fields: [], options: [], outcome: { kind: 'completed' } });
    else set({ kind, outcome: null, options: step.options.length ? step.options : [{ id: 'opt1', label: '', next: '' }] });
  };
  const move = (delta: number) => {
    const to = index + delta;
    if (to < 0 || to >= steps.length) return;
    const copy = [...steps];
    [copy[index], copy[to]] = [copy[to]!, copy[index]!];
    onChange({ ...graph, steps: copy });
  };
  const remove = () => {
    const rest = steps.filter((_, i) => i !== index);
    onChange({
      start: graph.start === step.id ? (rest[0]?.id ?? '') : graph.start,
      // Answers that led here keep pointing at the removed id: the service names them as dangling.
      steps: rest,
    });
  };
  const insert = (name: string) => {
    const token = `{{${name}}}`;
    const el = textRef.current;
    const at = el && document.activeElement === el ? el.selectionStart : (el?.selectionStart ?? step.text.length);
    const end = el ? el.selectionEnd : at;
    const text = step.text.slice(0, at) + token + step.text.slice(end);
    set({ text });
    requestAnimationFrame(() => {
      if (!textRef.current) return;
      textRef.current.focus();
      textRef.current.setSelectionRange(at + token.length, at + token.length);
    });
  };
  const setOption = (i: number, patch: Partial<ScriptOption>) => set({ options: step.options.map((o, n) => (n === i ? { ...o, ...patch } : o)) });
  const setField = (i: number, patch: Partial<ScriptField>) => set({ fields: step.fields.map((f, n) => (n === i ? { ...f, ...patch } : f)) });
  const allKeys = steps.flatMap((s) => s.fields.map((f) => f.key)).filter(Boolean);

  const isStart = graph.start === step.id;
  return (
    <article
      class={`step-card step-card--${step.kind}${issues.length ? ' step-card--issues' : ''}`}
      data-testid="step-card"
      data-step-id={step.id}
      data-index={index}
      aria-label={stepLabel(step)}
    >
      <header class="step-card__head">
        <span class="step-card__num">{index + 1}</span>
        <StepIdInput value={step.id} onCommit={rename} label={t('scripts.step.id')} />
        <select name="kind" aria-label={t('scripts.step.kind')} value={step.kind} onChange={(e) => setKind(e.currentTarget.value as StepKind)}>
          {stepKinds.map((k) => (
            <option key={k} value={k}>
              {t(`scripts.kind.${k}`)}
            </option>
          ))}
        </select>
        {isStart ? (
          <span class="tag tag--active" data-testid="step-start">
            {t('scripts.step.isStart')}
          </span>
        ) : (
          <button type="button" class="btn btn--small btn--ghost" onClick={() => onChange({ ...graph, start: step.id })} data-testid="step-make-start">
            {t('scripts.step.makeStart')}
          </button>
        )}
        <span class="step-card__gap" />
        <button type="button" class="btn btn--small btn--ghost" onClick={() => move(-1)} disabled={index === 0} aria-label={t('scripts.step.up')} data-testid="step-up">
          ↑
        </button>
        <button
          type="button"
          class="btn btn--small btn--ghost"
          onClick={() => move(1)}
          disabled={index === steps.length - 1}
          aria-label={t('scripts.step.down')}
          data-testid="step-down"
        >
          ↓
        </button>
        <button type="button" class="btn btn--small btn--danger" onClick={remove} aria-label={t('scripts.step.remove')} data-testid="step-remove">
          ×
        </button>
      </header>

      {issues.length > 0 && (
        <ul class="step-card__issues" data-testid="step-issues" role="alert">
          {issues.map((i, n) => (
            <li key={n} data-code={i.code}>
              {issueText(i, graph, t)}
            </li>
          ))}
        </ul>
      )}

      <div class="field">
        <label for={`step-${index}-title`}>{t('scripts.step.title')}</label>
        <input id={`step-${index}-title`} name="title" maxLength={120} value={step.title} onInput={(e) => set({ title: e.currentTarget.value })} />
      </div>
      <div class="field">
        <label for={`step-${index}-text`}>{step.kind === 'outcome' ? t('scripts.step.closingText') : t('scripts.step.text')}</label>
        <div class="merge-buttons" role="toolbar" aria-label={t('scripts.step.insert')}>
          <span class="muted small">{t('scripts.step.insert')}:</span>
          {mergeFields.map((m) => (
            <button key={m} type="button" class="btn btn--small btn--ghost" data-testid="merge-insert" data-field={m} onClick={() => insert(m)}>
              {t(`scripts.merge.${m}` as 'scripts.merge.contact.name')}
            </button>
          ))}
          {allKeys.map((k) => (
            <button key={`a-${k}`} type="button" class="btn btn--small btn--ghost" data-testid="merge-insert" data-field={`answers.${k}`} onClick={() => insert(`answers.${k}`)}>
              {t('scripts.merge.answer', { key: k })}
            </button>
          ))}
        </div>
        <textarea
          ref={textRef}
          id={`step-${index}-text`}
          name="text"
          rows={4}
          maxLength={5000}
          value={step.text}
          onInput={(e) => set({ text: e.currentTarget.value })}
        />
        <small class="field__hint">{t('scripts.step.textHint')}</small>
      </div>

      {step.kind === 'outcome' ? (
        <div class="step-card__row">
          <div class="field">
            <label for={`step-${index}-outcome`}>{t('scripts.step.outcome')}</label>
            <select
              id={`step-${index}-outcome`}
              name="outcomeKind"
              value={step.outcome?.kind ?? ''}
              onChange={(e) => set({ outcome: { ...step.outcome, kind: e.currentTarget.value as OutcomeKind } })}
            >
              {!step.outcome && <option value="">{t('scripts.run.choose')}</option>}
              {outcomeKinds.map((k) => (
                <option key={k} value={k}>
                  {t(`scripts.outcome.${k}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field field--grow">
            <label for={`step-${index}-reason`}>{t('scripts.step.reason')}</label>
            <input
              id={`step-${index}-reason`}
              name="outcomeReason"
              maxLength={200}
              value={step.outcome?.reason ?? ''}
              onInput={(e) => {
                const reason = e.currentTarget.value;
                const kind = step.outcome?.kind ?? 'completed';
                set({ outcome: reason ? { kind, reason } : { kind } });
              }}
            />
          </div>
        </div>
      ) : (
        <>
          <h4>{t('scripts.step.fields')}</h4>
          {step.fields.length === 0 && <p class="muted small">{t('scripts.step.noFields')}</p>}
          {step.fields.map((f, i) => (
            <div class="field-row" data-testid="field-row" data-key={f.key} key={i}>
              <input name="key" aria-label={t('scripts.field.key')} placeholder={t('scripts.field.key')} maxLength={40} class="mono" value={f.key} onInput={(e) => setField(i, { key: e.currentTarget.value })} />
              <input name="label" aria-label={t('scripts.field.label')} placeholder={t('scripts.field.label')} maxLength={200} value={f.label} onInput={(e) => setField(i, { label: e.currentTarget.value })} />
              <select name="type" aria-label={t('scripts.field.type')} value={f.type} onChange={(e) => setField(i, { type: e.currentTarget.value as FieldType })}>
                {fieldTypes.map((ft) => (
                  <option key={ft} value={ft}>
                    {t(`scripts.fieldType.${ft}`)}
                  </option>
                ))}
              </select>
              {f.type === 'choice' && (
                <ChoicesInput value={f.choices} onChange={(choices) => setField(i, { choices })} label={t('scripts.field.choices')} />
              )}
              <label class="toggle small">
                <input type="checkbox" name="required" checked={f.required} onChange={(e) => setField(i, { required: e.currentTarget.checked })} /> {t('scripts.field.required')}
              </label>
              <button type="button" class="btn btn--small btn--danger" aria-label={t('scripts.field.remove')} onClick={() => set({ fields: step.fields.filter((_, n) => n !== i) })} data-testid="remove-field">
                ×
              </button>
            </div>
          ))}
          <button
            type="button"
            class="btn btn--small"
            data-testid="add-field"
            onClick={() => set({ fields: [...step.fields, { key: uniqueId('field', allKeys).replace(/^field/, 'field_'), label: '', type: 'text', choices: [], required: false }] })}
          >
            + {t('scripts.field.add')}
          </button>

          <h4>{t('scripts.step.options')}</h4>
          {step.options.map((o, i) => (
            <div class="option-row" data-testid="option-row" data-option-id={o.id} key={i}>
              <input name="label" aria-label={t('scripts.option.label')} placeholder={t('scripts.option.label')} maxLength={200} value={o.label} onInput={(e) => setOption(i, { label: e.currentTarget.value })} />
              <span class="muted small">{t('scripts.option.leadsTo')}</span>
              <select name="next" aria-label={t('scripts.option.leadsTo')} value={o.next} onChange={(e) => setOption(i, { next: e.currentTarget.value })}>
                <option value="">{t('scripts.edit.chooseStep')}</option>
                {o.next && !steps.some((s) => s.id === o.next) && <option value={o.next}>{t('scripts.option.missing', { id: o.next })}</option>}
                {steps
                  .filter((s) => s.id !== step.id)
                  .map((s) => (
                    <option key={s.id} value={s.id}>
                      {stepLabel(s)}
                    </option>
                  ))}
              </select>
              <button type="button" class="btn btn--small btn--danger" aria-label={t('scripts.option.remove')} onClick={() => set({ options: step.options.filter((_, n) => n !== i) })} data-testid="remove-option">
                ×
              </button>
            </div>
          ))}
          <button
            type="button"
            class="btn btn--small"
            data-testid="add-option"
            onClick={() => set({ options: [...step.options, { id: uniqueId('opt', step.options.map((o) => o.id)), label: '', next: '' }] })}
          >
            + {t('scripts.option.add')}
          </button>
        </>
      )}
    </article>
  );
}

/** A step id is renamed when the input is left (every answer leading to it follows). */
function StepIdInput({ value, onCommit, label }: { value: string; onCommit: (v: string) => void; label: string }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return (
    <input
      name="id"
      class="mono step-card__id"
      aria-label={label}
      title={label}
      maxLength={40}
      value={draft}
      onInput={(e) => setDraft(e.currentTarget.value)}
      onChange={(e) => onCommit(e.currentTarget.value)}
      data-testid="step-id"
    />
  );
}

/** Choices typed comma-separated; stored as a list. */
function ChoicesInput({ value, onChange, label }: { value: string[]; onChange: (v: string[]) => void; label: string }) {
  const [draft, setDraft] = useState(value.join(', '));
  const parse = (text: string) =>
    text
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
  useEffect(() => {
    if (parse(draft).join('\n') !== value.join('\n')) setDraft(value.join(', '));
  }, [value]);
  return (
    <input
      name="choices"
      aria-label={label}
      placeholder={label}
      value={draft}
      onInput={(e) => {
        setDraft(e.currentTarget.value);
        onChange(parse(e.currentTarget.value));
      }}
    />
  );
}

/** An old (or the current) published version, read-only. */
function VersionView({ version, onClose }: { version: ScriptVersion; onClose: () => void }) {
  const { t } = useI18n();
  const titles = new Map(version.graph.steps.map((s) => [s.id, s.title || s.id]));
  return (
    <div class="subpanel version-view" data-testid="version-view-panel" data-version={version.version}>
      <div class="subpanel__head">
        <strong>
          {t('scripts.versionN', { version: version.version })} · {t('scripts.versions.readOnly')}
        </strong>
        <button type="button" class="btn btn--small" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </div>
      <ol class="version-steps">
        {version.graph.steps.map((s) => (
          <li key={s.id} data-step-id={s.id}>
            <strong>{s.title || s.id}</strong> <span class="tag">{t(`scripts.kind.${s.kind}`)}</span>
            {version.graph.start === s.id && <span class="tag tag--active"> {t('scripts.step.isStart')}</span>}
            {s.text && <p class="runner__text small">{s.text}</p>}
            {s.fields.length > 0 && (
              <p class="small muted">
                {t('scripts.step.fields')}: {s.fields.map((f) => `${f.label || f.key} (${t(`scripts.fieldType.${f.type}`)}${f.required ? ', *' : ''})`).join('; ')}
              </p>
            )}
            {s.options.length > 0 && (
              <ul class="plain small">
                {s.options.map((o) => (
                  <li key={o.id}>
                    «{o.label}» → {titles.get(o.next) ?? o.next}
                  </li>
                ))}
              </ul>
            )}
            {s.outcome && <p class="small">{t(`scripts.outcome.${s.outcome.kind}`)}{s.outcome.reason ? ` · ${s.outcome.reason}` : ''}</p>}
          </li>
        ))}
      </ol>
    </div>
  );
}
