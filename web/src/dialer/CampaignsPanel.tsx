import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { useSocketEvent } from '../realtime/hooks';
import { Empty, LoadMore, Panel } from '../ui/bits';
import { FormError, Notice } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { formatDateTime, formatPhone } from '../ui/format';
import { usePaged } from '../ui/usePaged';
import { getCampaign, listCampaigns, updateCampaign, type Campaign, type CampaignStatus } from './adminApi';
import { CampaignForm } from './CampaignForm';
import { ImportPanel } from './ImportPanel';
import './dialer-admin.css';

/** 'new' is the create form; otherwise a campaign's id. */
type Selection = 'new' | string | null;

/**
 * The call-centre administrator's campaigns: the list (paged as the service pages it), activate/pause in
 * place, a form to create one, and for the campaign opened its lists, entry counts, settings and imports.
 */
export function CampaignsPanel() {
  const { t } = useI18n();
  const [status, setStatus] = useState<CampaignStatus | ''>('');
  const list = usePaged(`campaigns:${status}`, (cursor) => listCampaigns(cursor, status));
  const [selected, setSelected] = useState<Selection>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  const [toggling, setToggling] = useState<string | null>(null);

  // Another administrator changed a campaign: its row is refreshed.
  useSocketEvent<{ id: string }>('campaign:updated', (e) => {
    if (list.items.some((c) => c.id === e.id)) getCampaign(e.id).then((c) => list.upsert(c), () => {});
  });

  const toggle = async (c: Campaign) => {
    setRowError(null);
    setToggling(c.id);
    try {
      list.upsert(await updateCampaign(c.id, { status: c.status === 'active' ? 'paused' : 'active' }));
    } catch (err) {
      setRowError(err);
    } finally {
      setToggling(null);
    }
  };

  return (
    <Panel
      title={t('campaigns.title')}
      testId="campaigns"
      actions={
        <button type="button" class="btn btn--primary btn--small" onClick={() => setSelected('new')} data-testid="campaign-new">
          {t('campaigns.new')}
        </button>
      }
    >
      <div class="filters">
        <div class="field">
          <label for="campaigns-status">{t('campaigns.filter.status')}</label>
          <select id="campaigns-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as CampaignStatus | '')}>
            <option value="">{t('campaigns.filter.all')}</option>
            <option value="active">{t('campaigns.status.active')}</option>
            <option value="paused">{t('campaigns.status.paused')}</option>
          </select>
        </div>
      </div>
      <FormError message={list.error ? problemMessage(list.error, t) : rowError ? problemMessage(rowError, t) : null} />
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="campaigns-table">
            <thead>
              <tr>
                <th scope="col">{t('campaigns.col.name')}</th>
                <th scope="col">{t('campaigns.col.status')}</th>
                <th scope="col" class="num">
                  {t('campaigns.col.priority')}
                </th>
                <th scope="col">{t('campaigns.col.window')}</th>
                <th scope="col" class="num">
                  {t('campaigns.col.operators')}
                </th>
                <th scope="col" class="num">
                  {t('campaigns.col.pending')}
                </th>
                <th scope="col" class="num">
                  {t('campaigns.col.done')}
                </th>
                <th scope="col">
                  <span class="sr-only">{t('campaigns.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr key={c.id} data-testid="campaign-row" data-id={c.id} class={c.status === 'active' ? '' : 'is-inactive'}>
                  <td>{c.name}</td>
                  <td>
                    <label class="toggle">
                      <input
                        type="checkbox"
                        checked={c.status === 'active'}
                        disabled={toggling === c.id}
                        onChange={() => void toggle(c)}
                        data-testid="campaign-active"
                        aria-label={t('campaigns.toggle', { name: c.name })}
                      />
                      <span>{t(`campaigns.status.${c.status}`)}</span>
                    </label>
                  </td>
                  <td class="num">{c.priority}</td>
                  <td class="nowrap">
                    {c.window.start}–{c.window.end}
                  </td>
                  <td class="num">{c.operators.length}</td>
                  <td class="num">{c.entries.pending + c.entries.locked}</td>
                  <td class="num">{c.entries.done}</td>
                  <td>
                    <button type="button" class="btn btn--small" onClick={() => setSelected(c.id)} data-testid="campaign-open" aria-pressed={selected === c.id}>
                      {t('campaigns.open')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!list.loading && !list.error && list.items.length === 0 && <Empty text={t('campaigns.none')} />}
      <LoadMore visible={list.hasMore} loading={list.loading} onClick={list.loadMore} />

      {selected === 'new' && (
        <section class="subpanel campaign-detail" data-testid="campaign-create">
          <div class="subpanel__head">
            <h3 class="section-title">{t('campaigns.form.titleNew')}</h3>
          </div>
          <CampaignForm
            campaign={null}
            onCancel={() => setSelected(null)}
            onSaved={(c) => {
              list.upsert(c, 'end');
              setSelected(c.id);
            }}
          />
        </section>
      )}
      {selected && selected !== 'new' && (
        <CampaignDetail key={selected} id={selected} onChanged={(c) => list.upsert(c)} onClose={() => setSelected(null)} />
      )}
    </Panel>
  );
}

/** One campaign: counts, lists, the settings form and the dial-list import. */
function CampaignDetail({ id, onChanged, onClose }: { id: string; onChanged: (c: Campaign) => void; onClose: () => void }) {
  const { t, locale } = useI18n();
  const [campaign, setCampaign] = useState<Campaign | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [editing, setEditing] = useState(false);

  const reload = () =>
    getCampaign(id).then(
      (c) => {
        setCampaign(c);
        onChanged(c);
        setError(null);
      },
      (err) => setError(err),
    );
  useEffect(() => void reload(), [id]);
  useSocketEvent<{ id: string }>('campaign:updated', (e) => {
    if (e.id === id && !editing) void reload();
  });

  if (!campaign) {
    return (
      <section class="subpanel campaign-detail" data-testid="campaign-detail">
        {error ? <FormError message={problemMessage(error, t)} /> : <p class="muted">{t('common.loading')}</p>}
      </section>
    );
  }
  const c = campaign;
  return (
    <section class="subpanel campaign-detail" data-testid="campaign-detail" data-id={c.id}>
      <div class="subpanel__head">
        <h3 class="section-title" data-testid="campaign-detail-name">
          {c.name} <span class={`tag ${c.status === 'active' ? 'tag--active' : ''}`}>{t(`campaigns.status.${c.status}`)}</span>
        </h3>
        <div class="search-row">
          <button type="button" class="btn btn--small" onClick={() => void reload()} data-testid="campaign-refresh">
            {t('campaigns.refresh')}
          </button>
          <button type="button" class="btn btn--small btn--ghost" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
      </div>
      <FormError message={error ? problemMessage(error, t) : null} />
      <div class="campaign-counts" data-testid="campaign-counts">
        <span>
          {t('campaigns.entries.pending')}: <b data-testid="campaign-pending">{c.entries.pending}</b>
        </span>
        <span>
          {t('campaigns.entries.locked')}: <b data-testid="campaign-locked">{c.entries.locked}</b>
        </span>
        <span>
          {t('campaigns.entries.done')}: <b data-testid="campaign-done">{c.entries.done}</b>
        </span>
        <span class="muted">
          {t('campaigns.summary', {
            callerId: c.callerId ? formatPhone(c.callerId) : '—',
            source: c.source?.name ?? '—',
            operators: c.operators.map((o) => o.name).join(', ') || '—',
          })}
        </span>
      </div>

      <h4 class="section-title">{t('campaigns.lists.title')}</h4>
      {c.lists.length === 0 ? (
        <Empty text={t('campaigns.lists.none')} />
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="campaign-lists">
            <thead>
              <tr>
                <th scope="col">{t('campaigns.lists.name')}</th>
                <th scope="col">{t('campaigns.lists.status')}</th>
                <th scope="col">{t('campaigns.lists.created')}</th>
                <th scope="col">{t('campaigns.lists.rows')}</th>
              </tr>
            </thead>
            <tbody>
              {c.lists.map((l) => (
                <tr key={l.id} data-testid="campaign-list-row">
                  <td>{l.name}</td>
                  <td>
                    <span class={`tag ${l.status === 'ready' ? 'tag--active' : l.status === 'failed' ? 'tag--lost' : 'tag--new'}`}>
                      {l.status === 'ready' || l.status === 'failed' || l.status === 'importing' ? t(`campaigns.lists.status.${l.status}`) : l.status}
                    </span>
                  </td>
                  <td class="nowrap">{formatDateTime(l.createdAt, locale)}</td>
                  <td data-testid="campaign-list-import">
                    {l.import && (
                      <>
                        {t('campaigns.lists.imported', { imported: l.import.imported, total: l.import.total })}
                        {l.import.rejected > 0 && (
                          <>
                            {' · '}
                            <a href={`/api/imports/${encodeURIComponent(l.import.id)}/rejects.csv`} download>
                              {t('campaigns.lists.rejects', { n: l.import.rejected })}
                            </a>
                          </>
                        )}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <ImportPanel campaign={c} onFinished={() => void reload()} />

      <h4 class="section-title">
        <button type="button" class="btn btn--small" aria-expanded={editing} onClick={() => setEditing(!editing)} data-testid="campaign-edit">
          {editing ? t('campaigns.form.hide') : t('campaigns.form.titleEdit')}
        </button>
      </h4>
      <Notice message={saved ? t('campaigns.form.saved', { name: c.name }) : null} />
      {editing && (
        <CampaignForm
          campaign={c}
          onCancel={() => setEditing(false)}
          onSaved={(next) => {
            setCampaign(next);
            onChanged(next);
            setSaved(true);
            setEditing(false);
          }}
        />
      )}
    </section>
  );
}
