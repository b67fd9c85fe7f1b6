import type { User } from '../api/types';
import { CallPage } from '../calls/CallPage';
import { ScriptEditorPage } from '../call-scripts/ScriptEditorPage';
import { ScriptsPage } from '../call-scripts/ScriptsPanel';
import { ContactPage } from '../contacts/ContactPage';
import { HomePage } from '../homes/HomePage';
import { useI18n } from '../i18n';
import { RoutingLogPage } from '../meetings/RoutingLogPage';
import { ReportsPage } from '../reports/ReportsPage';
import { WallboardPage } from '../reports/WallboardPage';
import { Link, match, usePath } from '../router/router';
import { Header } from './Header';

/** The signed-in layout: header and the page for the current path. */
export function Shell({ user }: { user: User }) {
  const path = usePath();
  return (
    <div class="shell">
      <Header user={user} />
      {/* The wallboard is meant for a wall screen: it takes the whole width. */}
      <main class={`content${path === '/wallboard' ? ' content--full' : ''}`}>{route(path, user)}</main>
    </div>
  );
}

function route(path: string, user: User) {
  if (path === '/' || path === '/login') return <HomePage user={user} />;
  const contact = match('/contacts/:id', path);
  if (contact) return <ContactPage id={contact.id!} />;
  const call = match('/calls/:id', path);
  if (call) return <CallPage id={call.id!} />;
  if (path === '/scripts') return <ScriptsPage />;
  const script = match('/scripts/:id', path);
  if (script) return <ScriptEditorPage id={script.id!} />;
  const routing = match('/meetings/:id/routing', path);
  if (routing) return <RoutingLogPage id={routing.id!} />;
  if (path === '/reports') return <ReportsPage user={user} />;
  if (path === '/wallboard') return <WallboardPage user={user} />;
  return <NotFound />;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <section class="panel" data-testid="not-found">
      <h1>{t('notFound.title')}</h1>
      <p>
        <Link href="/">{t('notFound.home')}</Link>
      </p>
    </section>
  );
}
