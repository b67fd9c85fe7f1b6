/**
 * npm run bench:import — imports BENCH_ROWS generated CSV rows (default 1,000,000) into a dial list through
 * the real HTTP endpoint of the service (started in its own process, as `npm start` does) on a fresh
 * PostgreSQL database, and compares with a plain COPY of the same rows into a bare table in the same run.
 * Prints rows/s, the service's peak RSS and the ratio.
 * Target: ≤ 60 s and ≤ 300 MB RSS for 1,000,000 rows.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test  (a server where it may create a database)
 */
import { execSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import postgres from 'postgres';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Row i of the file: a name, a company, a unique mobile number in two spellings, a region, a custom field. */
function line(i: number): string {
  const n = String(10_000_000 + i).slice(1);
  return `Контакт ${i},"ООО ""Компания ${i % 5000}""",+7 (916) ${n.slice(0, 3)}-${n.slice(3, 5)}-${n.slice(5)},${i % 7 === 0 ? `8916${n}` : ''},${i % 3 ? 'Москва' : 'Екатеринбург'},${i % 1000}\n`;
}

function* csvChunks(): Generator<Buffer> {
  yield Buffer.from('ФИО,Компания,Телефон,Доп,Регион,Бюджет\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    buf += line(i);
    if (buf.length > 64 * 1024) {
      yield Buffer.from(buf);
      buf = '';
    }
  }
  if (buf) yield Buffer.from(buf);
}

/** Peak and current resident memory of a process, from /proc (kB → MB). */
function memoryOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { peakMb: Math.round(kb('VmHWM') / 1024), nowMb: Math.round(kb('VmRSS') / 1024) };
}

async function main() {
  const dbName = `sb_bench_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const port = 3950 + Math.floor(Math.random() * 40);
  const base = `http://127.0.0.1:${port}`;
  // The service in its own process, built and started as `npm start` does, so that its memory is its own.
  // The node flags come from package.json's start script; BENCH_NODE_FLAGS adds more (e.g. to compare heap settings).
  execSync('npm run --silent build:server', { stdio: 'inherit' });
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  if (start[0] !== 'node') throw new Error(`the start script is not "node …": ${start.join(' ')}`);
  const nodeArgs = [...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : []), ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), ...start.slice(1)];
  console.log(`service: node ${nodeArgs.join(' ')}`);
  const child = spawn(process.execPath, nodeArgs, {
    env: { ...process.env, DATABASE_URL: url.toString(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', TOKEN_SECRET: 'x'.repeat(40), ADMIN_EMAIL: 'admin@bench.local', ADMIN_PASSWORD: 'bench-password-1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stopChild = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });

  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error('the service exited while starting');
      if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
      if (i > 600) throw new Error('the service did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const json = async (path: string, init: RequestInit & { token?: string } = {}) => {
      const res = await fetch(base + path, { ...init, headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), 'content-type': 'application/json', ...(init.headers as object) } });
      return { status: res.status, body: (await res.json()) as any };
    };
    const adminToken = (await json('/api/auth/login', { method: 'POST', body: JSON.stringify({ email: 'admin@bench.local', password: 'bench-password-1' }) })).body.token as string;
    await json('/api/users', { method: 'POST', token: adminToken, body: JSON.stringify({ email: 'cc@bench.local', name: 'Bench', role: 'cc_admin', password: 'bench-password-1' }) });
    const token = (await json('/api/auth/login', { method: 'POST', body: JSON.stringify({ email: 'cc@bench.local', password: 'bench-password-1' }) })).body.token as string;
    const auth = { authorization: `Bearer ${token}` };
    const campaign = (await json('/api/campaigns', { method: 'POST', token, body: JSON.stringify({ name: 'Bench' }) })).body as { id: string };

    console.log(`bench:import — ${rows.toLocaleString('en')} rows through POST /api/campaigns/:id/lists (PostgreSQL; the service in its own process)`);
    const before = memoryOf(child.pid!);
    const started = performance.now();
    const mapping = { name: 'ФИО', company: 'Компания', phones: ['Телефон', 'Доп'], region: 'Регион', fields: { budget: 'Бюджет' } };
    const qs = new URLSearchParams({ name: 'Bench list', mapping: JSON.stringify(mapping) });
    const res = await fetch(`${base}/api/campaigns/${campaign.id}/lists?${qs}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: Readable.toWeb(Readable.from(csvChunks())) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const job = (await res.json()) as { id: string; status: string };
    if (res.status !== 202) throw new Error(`import refused: ${res.status} ${JSON.stringify(job)}`);
    const readSeconds = (performance.now() - started) / 1000;
    let done: { status: string; imported: number; total: number; duplicates: number; invalid: number; error: string | null };
    for (;;) {
      done = (await (await fetch(`${base}/api/imports/${job.id}`, { headers: auth })).json()) as typeof done;
      if (done.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    if (done.status !== 'done') throw new Error(`import failed: ${done.error}`);
    const after = memoryOf(child.pid!);

    // The baseline: the same rows, COPYed into a bare table, no checks.
    const direct = postgres(url.toString(), { max: 1, onnotice: () => {} });
    await direct.unsafe('CREATE TABLE bench_bare (line int, name text, company text, phone text, extra text, region text, budget text)');
    const copyStarted = performance.now();
    const writable = await direct.unsafe('COPY bench_bare (line, name, company, phone, extra, region, budget) FROM STDIN WITH (FORMAT csv)').writable();
    await new Promise<void>((resolve, reject) => {
      const src = Readable.from(
        (function* () {
          let buf = '';
          for (let i = 0; i < rows; i++) {
            buf += `${i + 2},${line(i)}`;
            if (buf.length > 64 * 1024) {
              yield buf;
              buf = '';
            }
          }
          if (buf) yield buf;
        })(),
      );
      src.pipe(writable).on('finish', resolve).on('error', reject);
    });
    const copySeconds = (performance.now() - copyStarted) / 1000;
    await direct.end();

    console.log(`  import: ${done.imported.toLocaleString('en')} imported of ${done.total.toLocaleString('en')} (duplicates ${done.duplicates}, invalid ${done.invalid})`);
    console.log(`  read + staged in ${readSeconds.toFixed(1)} s; done in ${seconds.toFixed(1)} s → ${Math.round(rows / seconds).toLocaleString('en')} rows/s`);
    console.log(`  service RSS: ${before.nowMb} MB before, peak ${after.peakMb} MB`);
    console.log(`  plain COPY of the same rows into a bare table: ${copySeconds.toFixed(1)} s → ${Math.round(rows / copySeconds).toLocaleString('en')} rows/s`);
    console.log(`  ratio import/COPY: ${(seconds / copySeconds).toFixed(1)}×`);
    console.log(`  target ≤ 60 s and ≤ 300 MB: ${seconds <= 60 && after.peakMb <= 300 ? 'OK' : 'OVER TARGET'}`);
  } finally {
    await stopChild();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
