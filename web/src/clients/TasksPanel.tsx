import { useState } from 'preact/hooks';
import type { ClientHandedOver, ClientReassigned, Task } from '../api/types';
import { useI18n } from '../i18n';
import { useSocketEvent } from '../realtime/hooks';
import { Link } from '../router/router';
import { useSession } from '../session/session';
import { Empty, Panel } from '../ui/bits';
import { FormError, Notice } from '../ui/Field';
import { problemMessage, problemOf } from '../ui/errors';
import { formatDateTime } from '../ui/format';
import { completeTask, listOpenTasks } from './api';
import { useLoader } from './useLoader';

/**
 * Open tasks, soonest due first: the user's own, those of absent colleagues they cover, and for the client
 * head the ones nobody is assigned to (a client left without an account manager). Each can be marked done.
 * Re-fetched on `tasks:changed`, handoffs and reassignments.
 */
export function TasksPanel({ title, testId, onDone }: { title: string; testId: string; onDone?: (task: Task) => void }) {
  const { t, locale } = useI18n();
  const session = useSession();
  const tz = session.state === 'signed-in' ? session.user.timezone : undefined;
  const tasks = useLoader(listOpenTasks);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useSocketEvent('tasks:changed', tasks.schedule);
  useSocketEvent<ClientHandedOver>('client:handed-over', tasks.schedule);
  useSocketEvent<ClientReassigned>('client:reassigned', tasks.schedule);

  const label = (task: Task) => t(`tasks.kind.${task.kind}`, { name: task.contact.name });

  const done = async (task: Task) => {
    setBusy(task.id);
    setError(null);
    setNotice(null);
    try {
      await completeTask(task.id);
      tasks.set((prev) => prev && prev.filter((x) => x.id !== task.id));
      setNotice(t('tasks.doneNotice', { title: label(task) }));
      onDone?.(task);
    } catch (err) {
      // Done or gone already: drop it from the list, and say why.
      const status = problemOf(err)?.status;
      if (status === 409 || status === 404) tasks.set((prev) => prev && prev.filter((x) => x.id !== task.id));
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const now = Date.now();
  const list = tasks.data;
  return (
    <Panel title={title} testId={testId}>
      <div aria-live="polite" data-testid="tasks-message">
        <Notice message={notice} />
        <FormError message={error ? problemMessage(error, t) : null} />
      </div>
      <FormError message={tasks.error ? problemMessage(tasks.error, t) : null} />
      {!list && !tasks.error && <p class="muted">{t('common.loading')}</p>}
      {list?.length === 0 && <Empty text={t('tasks.none')} />}
      {list && list.length > 0 && (
        <ul class="task-list">
          {list.map((task) => {
            const overdue = task.dueAt !== null && Date.parse(task.dueAt) < now;
            return (
              <li key={task.id} class={`task task--${task.kind}`} data-testid="task-item" data-task-id={task.id} data-kind={task.kind} data-contact-id={task.contact.id}>
                <div class="task__main">
                  <div class="task__title" data-testid="task-title">
                    <Link href={`/contacts/${encodeURIComponent(task.contact.id)}`}>{label(task)}</Link>
                  </div>
                  <div class="muted small">
                    {task.dueAt && <span class={overdue ? 'task__due task__due--overdue' : 'task__due'}>{t('tasks.due', { time: formatDateTime(task.dueAt, locale, tz) })}</span>}
                    {overdue && <span class="tag tag--abandoned client-badge">{t('tasks.overdue')}</span>}
                    {task.covering && (
                      <span class="tag tag--covering client-badge" title={t('clients.coveringHint')} data-testid="task-covering">
                        {t('tasks.covering')}
                      </span>
                    )}
                    {task.assigneeId === null && <span class="tag tag--warn client-badge">{t('tasks.unassigned')}</span>}
                  </div>
                  {task.kind === 'assign_manager' && <div class="muted small">{t('tasks.assignHint')}</div>}
                </div>
                <button type="button" class="btn btn--small" data-testid="task-done" disabled={busy === task.id} onClick={() => void done(task)}>
                  {t('tasks.done')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
}
