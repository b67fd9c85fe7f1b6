import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router/router';
import { useSession } from '../session/session';
import { Empty, LoadMore, Panel } from '../ui/bits';
import { Field, FormError } from '../ui/Field';
import { fieldErrors, problemMessage } from '../ui/errors';
import { formatDateTime } from '../ui/format';
import { usePaged } from '../ui/usePaged';
import { createScript, listScripts } from './api';
import './call-scripts.css';

/** The call-centre administrator's scripts: the list (published version, unpublished draft changes) and a new one. */
export function ScriptsPanel() {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const list = usePaged('call-scripts', (cursor) => listScripts(cursor));
  const [name, setName] = useState('');
  const [inbound, setInbound] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const s = await createScript({ name: name.trim(), inbound });
      navigate(`/scripts/${encodeURIComponent(s.id)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const fe = fieldErrors(error);
  return (
    <Panel title={t('scripts.title')} testId="scripts">
      <FormError message={list.error ? problemMessage(list.error, t) : null} />
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="scripts-table">
            <thead>
              <tr>
                <th scope="col">{t('scripts.col.name')}</th>
                <th scope="col">{t('scripts.col.published')}</th>
                <th scope="col">{t('scripts.col.draft')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((s) => (
                <tr key={s.id} data-testid="script-row" data-script-id={s.id}>
                  <td>
                    <Link href={`/scripts/${encodeURIComponent(s.id)}`} data-testid="script-link">
                      {s.name}
                    </Link>
                    {s.inbound && <span class="tag tag--new"> {t('scripts.inbound')}</span>}
                  </td>
                  <td class="nowrap">
                    {s.publishedVersion !== null ? (
                      <>
                        {t('scripts.versionN', { version: s.publishedVersion })}
                        {s.publishedAt && <span class="muted small"> · {formatDateTime(s.publishedAt, locale, tz)}</span>}
                      </>
                    ) : (
                      <span class="muted">{t('scripts.notPublished')}</span>
                    )}
                  </td>
                  <td>{s.draftChanged ? <span class="tag tag--warn">{t('scripts.draftChanged')}</span> : <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!list.loading && !list.error && list.items.length === 0 && <Empty text={t('scripts.none')} />}
      <LoadMore visible={list.hasMore} loading={list.loading} onClick={list.loadMore} />

      <form class="scripts-new" onSubmit={submit} noValidate data-testid="script-new">
        <Field label={t('scripts.new.name')} error={fe.name} class="field--grow">
          {(a) => <input {...a} name="name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <label class="toggle small" title={t('scripts.inboundHint')}>
          <input type="checkbox" name="inbound" checked={inbound} onChange={(e) => setInbound(e.currentTarget.checked)} /> {t('scripts.inbound')}
        </label>
        <button type="submit" class="btn btn--primary" disabled={busy || !name.trim()} data-testid="script-create">
          {t('scripts.new.submit')}
        </button>
      </form>
      <FormError message={error && !fe.name ? problemMessage(error, t) : null} />
    </Panel>
  );
}

/** `/scripts`: the list on a page of its own (the system administrator's home has no scripts panel). */
export function ScriptsPage() {
  return (
    <div class="scripts-page" data-testid="scripts-page">
      <ScriptsPanel />
    </div>
  );
}
