import { useEffect, useState } from 'preact/hooks';
import { roles, type Role, type User } from '../api/types';
import { useI18n } from '../i18n';
import { useSession } from '../session/session';
import { Empty, LoadMore, Panel, StatusBadge } from '../ui/bits';
import { FormError } from '../ui/Field';
import { problemMessage } from '../ui/errors';
import { formatDateTime } from '../ui/format';
import { usePaged } from '../ui/usePaged';
import { AbsencePanel } from './AbsencePanel';
import { listUsers, updateUser } from './api';
import { UserForm } from './UserForm';

/** The admin's user directory: filter, page, create, (de)activate, record absences. */
export function UsersAdmin() {
  const { t, locale } = useI18n();
  const session = useSession();
  const me = session.state === 'signed-in' ? session.user : null;
  const [role, setRole] = useState<Role | ''>('');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [absenceFor, setAbsenceFor] = useState<User | null>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  const [pending, setPending] = useState<string | null>(null);

  // Typing pauses briefly before searching.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(q.trim()), 300);
    return () => clearTimeout(timer);
  }, [q]);

  const list = usePaged(JSON.stringify({ role, query }), (cursor) => listUsers({ role, q: query }, cursor));

  const toggleActive = async (u: User) => {
    setRowError(null);
    setPending(u.id);
    try {
      list.upsert(await updateUser(u.id, { active: !u.active }));
    } catch (err) {
      setRowError(err);
    } finally {
      setPending(null);
    }
  };

  return (
    <>
      <Panel title={t('users.list.title')} testId="users-list">
        <div class="filters">
          <div class="field">
            <label for="users-role">{t('users.filter.role')}</label>
            <select id="users-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role | '')}>
              <option value="">{t('users.filter.allRoles')}</option>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field field--grow">
            <label for="users-q">{t('users.filter.search')}</label>
            <input id="users-q" type="search" value={q} placeholder={t('users.filter.searchPlaceholder')} onInput={(e) => setQ(e.currentTarget.value)} />
          </div>
        </div>
        <FormError message={list.error ? problemMessage(list.error, t) : rowError ? problemMessage(rowError, t) : null} />
        {absenceFor && <AbsencePanel key={absenceFor.id} user={absenceFor} onClose={() => setAbsenceFor(null)} />}
        {list.items.length > 0 && (
          <div class="table-wrap">
            <table class="table" data-testid="users-table">
              <thead>
                <tr>
                  <th scope="col">{t('users.col.name')}</th>
                  <th scope="col">{t('users.col.role')}</th>
                  <th scope="col">{t('users.col.status')}</th>
                  <th scope="col">
                    <span class="sr-only">{t('users.col.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((u) => (
                  <tr key={u.id} data-testid="user-row" class={u.active ? '' : 'is-inactive'}>
                    <td>
                      <div>{u.name}</div>
                      <div class="muted small break">{u.email}</div>
                    </td>
                    <td>
                      <div>{t(`role.${u.role}`)}</div>
                      <div class="muted small" title={t('users.col.lastLogin')}>
                        {u.lastLoginAt ? t('users.lastLogin', { time: formatDateTime(u.lastLoginAt, locale, me?.timezone) }) : t('users.never')}
                      </div>
                    </td>
                    <td>
                      {u.active ? <StatusBadge status={u.status} reason={u.statusReason} /> : <span class="tag tag--lost">{t('users.inactive')}</span>}
                    </td>
                    <td class="actions">
                      <button type="button" class="btn btn--small" onClick={() => setAbsenceFor(u)}>
                        {t('users.absence')}
                      </button>
                      <button
                        type="button"
                        class={`btn btn--small${u.active ? ' btn--danger' : ''}`}
                        disabled={pending === u.id || u.id === me?.id}
                        onClick={() => void toggleActive(u)}
                      >
                        {u.active ? t('users.deactivate') : t('users.activate')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {!list.loading && !list.error && list.items.length === 0 && <Empty text={t('users.none')} />}
        <LoadMore visible={list.hasMore} loading={list.loading} onClick={list.loadMore} />
      </Panel>
      <UserForm
        onCreated={(u) => {
          if ((!role || role === u.role) && !query) list.upsert(u, 'start');
        }}
      />
    </>
  );
}
