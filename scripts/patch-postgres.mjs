// Runs after `npm install`: guards postgres-js 3.4.x against a socket that closed with a small write
// still queued (porsager/postgres#1154, #1208; no release carries a fix yet). Unpatched, the queued write
// fires on a null socket and throws from a timer, which ends the process; and the connection keeps a
// stale write timer and half a message, so it never flushes again. It happens when PostgreSQL drops
// connections under load (restart, failover, pg_terminate_backend). Idempotent; fails the install when
// the driver's code no longer looks as expected, so that the guard is never silently lost.
import console from 'node:console';
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MARK = '/* switchboard: closed-socket guard */';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres');

const edits = [
  {
    // A write queued for a socket that has closed meanwhile: settle the waiting queries instead.
    from: "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)",
    to: `  function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  },
  {
    // Tearing down forgets what was queued for the old socket.
    from: '    terminated = true\n    if (stream || query || initial || sent.length)\n      error(Errors.connection(\'CONNECTION_DESTROYED\', options))\n\n    clearImmediate(nextWriteTimer)',
    to: "    terminated = true\n    if (stream || query || initial || sent.length)\n      error(Errors.connection('CONNECTION_DESTROYED', options))\n\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null",
  },
  {
    from: '    incomings = null\n    clearImmediate(nextWriteTimer)\n    socket.removeListener',
    to: '    incomings = null\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener',
  },
  {
    // The array types fetched on each (re)connect: when the connection drops meanwhile, the rejection had
    // no handler (an unhandled rejection). The connection's own close handles the failure, and the types
    // are fetched again on reconnect.
    from: '        return fetchArrayTypes()\n',
    to: '        return fetchArrayTypes().catch(() => {})\n',
  },
];

for (const file of ['src/connection.js', 'cjs/src/connection.js']) {
  const path = join(root, file);
  let text = readFileSync(path, 'utf8');
  if (text.includes(MARK) && text.includes('fetchArrayTypes().catch(')) continue;
  if (text.includes(MARK)) {
    console.error(`patch-postgres: ${path} carries an older version of this guard; reinstall postgres (npm ci)`);
    process.exit(1);
  }
  for (const { from, to } of edits) {
    if (!text.includes(from)) {
      console.error(`patch-postgres: ${path} does not contain the code this guard patches; review scripts/patch-postgres.mjs for this postgres version`);
      process.exit(1);
    }
    text = text.replace(from, to);
  }
  writeFileSync(path, text);
  console.log(`patch-postgres: guarded ${file} against writes to a closed socket`);
}
