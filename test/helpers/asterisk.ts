import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ARI = {
  url: process.env.TEST_ARI_URL ?? 'http://127.0.0.1:8088',
  user: process.env.ARI_USER ?? 'switchboard',
  password: process.env.ARI_PASSWORD ?? 'switchboard',
  app: process.env.ARI_APP ?? 'switchboard',
};
export const SIP_TARGET = process.env.TEST_SIP_TARGET ?? '127.0.0.1:5060';
export const CEL_DATABASE_URL = process.env.TEST_CEL_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The second sandbox (`npm run asterisk:b:up`): its own ARI port, SIP port, systemname and CEL table. */
export const ARI_B = { ...ARI, url: process.env.TEST_ARI_URL_B ?? 'http://127.0.0.1:8089' };
export const SIP_TARGET_B = process.env.TEST_SIP_TARGET_B ?? '127.0.0.1:5061';
export const CEL_TABLE_B = process.env.TEST_CEL_TABLE_B ?? 'cel_b';
const scenarios = fileURLToPath(new URL('../../asterisk/sipp/', import.meta.url));

/** Why the real-Asterisk tests cannot run here, or null when they can. */
export async function asteriskUnavailable(): Promise<string | null> {
  try {
    execFileSync('sipp', ['-v'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'SIPp is not installed (apt-get install sip-tester)';
  }
  try {
    const res = await fetch(`${ARI.url}/ari/asterisk/info`, {
      headers: { authorization: `Basic ${Buffer.from(`${ARI.user}:${ARI.password}`).toString('base64')}` },
      signal: AbortSignal.timeout(2000),
    });
    if (!res.ok) return `ARI at ${ARI.url} answered ${res.status}`;
  } catch (err) {
    return `no Asterisk ARI at ${ARI.url} (${(err as Error).message}); run npm run asterisk:up`;
  }
  return null;
}

/** Skips (printing why) or, with SB_REQUIRE_ASTERISK=1, fails when Asterisk is not there. */
export async function requireAsterisk(): Promise<boolean> {
  return required('real-Asterisk tests', await asteriskUnavailable());
}

function required(what: string, why: string | null): boolean {
  if (!why) return true;
  if (process.env.SB_REQUIRE_ASTERISK === '1') throw new Error(`${what} required but cannot run: ${why}`);
  console.warn(`[skip] ${what}: ${why}`);
  return false;
}

/** Asterisk's systemname (ARI /asterisk/info config.name; "" when it has none). */
async function systemNameOf(ari: typeof ARI): Promise<string> {
  const res = await fetch(`${ari.url}/ari/asterisk/info`, {
    headers: { authorization: `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}` },
    signal: AbortSignal.timeout(2000),
  });
  if (!res.ok) throw new Error(`ARI at ${ari.url} answered ${res.status}`);
  return ((await res.json()) as { config?: { name?: string } }).config?.name ?? '';
}

/** Why the two-server tests cannot run here (both sandboxes, told apart by their systemnames), or null. */
export async function secondAsteriskUnavailable(): Promise<string | null> {
  const first = await asteriskUnavailable();
  if (first) return first;
  let a: string, b: string;
  try {
    a = await systemNameOf(ARI);
    b = await systemNameOf(ARI_B);
  } catch (err) {
    return `no second Asterisk at ${ARI_B.url} (${(err as Error).message}); run npm run asterisk:b:up`;
  }
  if (a === b) return `${ARI.url} and ${ARI_B.url} report one systemname ("${a}"): they are one Asterisk, or their uniqueids collide`;
  return null;
}

/** Like requireAsterisk, for the tests that need both sandboxes. */
export async function requireTwoAsterisks(): Promise<boolean> {
  return required('two-Asterisk tests', await secondAsteriskUnavailable());
}

let nextPort = 20000 + Math.floor(Math.random() * 20000);

/** Runs one SIPp scenario from asterisk/sipp to completion; rejects with SIPp's output on failure. */
export function sipp(scenario: string, args: string[], timeoutMs = 60_000, localPort?: number, target = SIP_TARGET): Promise<string> {
  const port = String(localPort ?? nextPort++);
  const argv = ['-sf', scenarios + scenario, ...args, '-p', port, '-nostdin', '-timeout', String(Math.ceil(timeoutMs / 1000)), '-timeout_error', target];
  return new Promise((resolve, reject) => {
    execFile('sipp', argv, { timeout: timeoutMs + 5000, cwd: '/tmp' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`sipp ${argv.join(' ')} failed: ${err.message}\n${stdout.slice(-1500)}\n${stderr.slice(-1500)}`));
      else resolve(stdout);
    });
  });
}

/** A carrier's call to `did` from `caller`, held `holdMs` once answered; `target`: the Asterisk's SIP address. */
export const inboundCall = (did: string, caller: string, holdMs = 500, target = SIP_TARGET) =>
  sipp('uac-inbound.xml', ['-s', did, '-key', 'caller', caller, '-d', String(holdMs), '-m', '1'], 60_000, undefined, target);

export const abandonedCall = (did: string, caller: string, cancelMs = 700) =>
  sipp('uac-cancel.xml', ['-s', did, '-key', 'caller', caller, '-set', 'cancel_ms', String(cancelMs), '-m', '1']);

/** A caller number unique to this run, so assertions never meet another test's calls. */
export function uniqueCaller(): string {
  return `7916${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

const LOCK_DIR = '/tmp/switchboard-asterisk-tests.lock';

/**
 * The sandbox has one ARI app name, and Asterisk gives each app to one connection: test files that
 * connect to it take turns. Returns the release function (a lock left by a dead process is taken over).
 */
export async function holdAsterisk(timeoutMs = 15 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(`${LOCK_DIR}/pid`, String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(`${LOCK_DIR}/pid`, 'utf8'));
    } catch {
      /* being written */
    }
    if (holder && !alive(holder)) rmSync(LOCK_DIR, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`another test run holds the Asterisk sandbox (${LOCK_DIR}, pid ${holder})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An operator's desk phone played by SIPp: registered as op<ext>, answering every call after `ringMs`
 * (a CANCEL while ringing is honoured). `setRing` restarts it with another delay.
 */
export async function startPhone(ext: string, ringMs: number) {
  const port = nextPort++;
  const user = `op${ext}`;
  await sipp('register.xml', ['-s', user, '-au', user, '-ap', OPERATOR_PASSWORD, '-key', 'expires', '3600', '-m', '1'], 15_000, port);
  let child: ChildProcess | null = null;
  const run = (ms: number) => {
    child = spawn('sipp', ['-sf', scenarios + 'uas-answer.xml', '-set', 'ring_ms', String(ms), '-p', String(port), '-l', '20', '-m', '100000', '-nostdin'], {
      cwd: '/tmp',
      stdio: 'ignore',
    });
  };
  run(ringMs);
  await new Promise((r) => setTimeout(r, 300));
  return {
    ext,
    async setRing(ms: number) {
      await stop();
      run(ms);
      await new Promise((r) => setTimeout(r, 300));
    },
    stop,
  };
  async function stop() {
    const c = child as ChildProcess | null;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  }
}

export const OPERATOR_PASSWORD = process.env.SB_OPERATOR_PASSWORD ?? 'switchboard-op';

/** The carrier's far end for outbound calls (SB_TRUNK_HOST, 127.0.0.1:5070): answers after `ringMs`. */
export function startTrunk(ringMs = 300) {
  const child = spawn('sipp', ['-sf', scenarios + 'uas-answer.xml', '-set', 'ring_ms', String(ringMs), '-p', process.env.TEST_TRUNK_PORT ?? '5070', '-l', '20', '-m', '100000', '-nostdin'], {
    cwd: '/tmp',
    stdio: 'ignore',
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** Hangs up, from the PBX side, every channel talking to `digits` (a call the SIPp ends would wait for a BYE). */
export async function hangupCallsWith(digits: string) {
  const auth = { authorization: `Basic ${Buffer.from(`${ARI.user}:${ARI.password}`).toString('base64')}` };
  const list = (await (await fetch(`${ARI.url}/ari/channels`, { headers: auth })).json()) as Array<{
    id: string;
    caller?: { number?: string };
    connected?: { number?: string };
    dialplan?: { exten?: string };
  }>;
  const hits = list.filter((c) => [c.caller?.number, c.connected?.number, c.dialplan?.exten].some((n) => n && n.replace(/\D/g, '').endsWith(digits)));
  for (const c of hits) await fetch(`${ARI.url}/ari/channels/${c.id}`, { method: 'DELETE', headers: auth });
  return hits.length;
}
