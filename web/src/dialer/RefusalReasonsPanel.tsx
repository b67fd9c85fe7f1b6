import { useEffect, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { useI18n } from '../i18n';
import { Empty, Panel } from '../ui/bits';
import { Field, FormError } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { createRefusalReason, listAllRefusalReasons, updateRefusalReason, type RefusalReason } from './adminApi';

const byOrder = (a: RefusalReason, b: RefusalReason) => a.position - b.position || a.label.localeCompare(b.label);

/** The refusal reasons operators choose from with "not interested": add, rename, reorder, retire. */
export function RefusalReasonsPanel() {
  const { t } = useI18n();
  const [items, setItems] = useState<RefusalReason[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [label, setLabel] = useState('');
  const [position, setPosition] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<{ id: string; label: string; position: string } | null>(null);
  const [editError, setEditError] = useState<unknown>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  const [pending, setPending] = useState<string | null>(null);

  useEffect(() => {
    listAllRefusalReasons().then((r) => setItems([...r].sort(byOrder)), setLoadError);
  }, []);
  const put = (r: RefusalReason) => setItems((prev) => [...(prev ?? []).filter((x) => x.id !== r.id), r].sort(byOrder));

  const add = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const pos = position.trim() === '' ? Math.min(1000, (items?.reduce((m, r) => Math.max(m, r.position), -10) ?? -10) + 10) : Number(position);
      put(await createRefusalReason({ label: label.trim(), position: pos }));
      setLabel('');
      setPosition('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const save = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!editing) return;
    setEditError(null);
    setPending(editing.id);
    try {
      put(await updateRefusalReason(editing.id, { label: editing.label.trim(), position: Number(editing.position) }));
      setEditing(null);
    } catch (err) {
      setEditError(err);
    } finally {
      setPending(null);
    }
  };

  const toggle = async (r: RefusalReason) => {
    setRowError(null);
    setPending(r.id);
    try {
      put(await updateRefusalReason(r.id, { active: !r.active }));
    } catch (err) {
      setRowError(err);
    } finally {
      setPending(null);
    }
  };

  const fe = fieldErrors(error);
  const ee = fieldErrors(editError);
  return (
    <Panel title={t('refusals.title')} testId="refusal-reasons">
      <p class="muted small">{t('refusals.lead')}</p>
      <FormError message={loadError ? problemMessage(loadError, t) : rowError ? problemMessage(rowError, t) : null} />
      {items && items.length === 0 && <Empty text={t('refusals.none')} />}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="refusals-table">
            <thead>
              <tr>
                <th scope="col">{t('refusals.col.label')}</th>
                <th scope="col" class="num">
                  {t('refusals.col.position')}
                </th>
                <th scope="col">{t('refusals.col.active')}</th>
                <th scope="col">
                  <span class="sr-only">{t('refusals.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) =>
                editing?.id === r.id ? (
                  <tr key={r.id} data-testid="refusal-row">
                    <td colSpan={4}>
                      <form class="form-grid" onSubmit={save} noValidate data-testid="refusal-edit">
                        <Field label={t('refusals.form.label')} error={ee.label}>
                          {(a) => (
                            <input {...a} name="label" maxLength={60} value={editing.label} onInput={(e) => setEditing({ ...editing, label: e.currentTarget.value })} />
                          )}
                        </Field>
                        <Field label={t('refusals.form.position')} error={ee.position}>
                          {(a) => (
                            <input
                              {...a}
                              name="position"
                              type="number"
                              min={0}
                              max={1000}
                              value={editing.position}
                              onInput={(e) => setEditing({ ...editing, position: e.currentTarget.value })}
                            />
                          )}
                        </Field>
                        <div class="form-actions">
                          <FormError message={editError && !ee.label && !ee.position ? problemMessage(editError, t) : null} />
                          <div class="search-row">
                            <button type="submit" class="btn btn--primary btn--small" disabled={pending === r.id}>
                              {t('refusals.form.save')}
                            </button>
                            <button type="button" class="btn btn--small" onClick={() => setEditing(null)}>
                              {t('common.cancel')}
                            </button>
                          </div>
                        </div>
                      </form>
                    </td>
                  </tr>
                ) : (
                  <tr key={r.id} data-testid="refusal-row" class={r.active ? '' : 'is-inactive'}>
                    <td>{r.label}</td>
                    <td class="num">{r.position}</td>
                    <td>
                      <label class="toggle">
                        <input
                          type="checkbox"
                          checked={r.active}
                          disabled={pending === r.id}
                          onChange={() => void toggle(r)}
                          aria-label={t('refusals.toggle', { label: r.label })}
                          data-testid="refusal-active"
                        />
                        <span>{r.active ? t('common.yes') : t('common.no')}</span>
                      </label>
                    </td>
                    <td>
                      <button
                        type="button"
                        class="btn btn--small"
                        onClick={() => {
                          setEditError(null);
                          setEditing({ id: r.id, label: r.label, position: String(r.position) });
                        }}
                      >
                        {t('refusals.edit')}
                      </button>
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}

      <h3 class="section-title">{t('refusals.form.title')}</h3>
      <form class="form-grid" onSubmit={add} noValidate data-testid="refusal-form">
        <Field label={t('refusals.form.label')} error={fe.label}>
          {(a) => <input {...a} name="label" required maxLength={60} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />}
        </Field>
        <Field label={t('refusals.form.position')} hint={t('refusals.form.positionHint')} error={fe.position}>
          {(a) => <input {...a} name="position" type="number" min={0} max={1000} value={position} onInput={(e) => setPosition(e.currentTarget.value)} />}
        </Field>
        <div class="form-actions">
          <FormError message={error && !fe.label && !fe.position ? problemMessage(error, t) : null} />
          <button type="submit" class="btn btn--primary" disabled={busy} data-testid="refusal-add">
            {busy ? t('common.saving') : t('refusals.form.submit')}
          </button>
        </div>
      </form>
    </Panel>
  );
}
