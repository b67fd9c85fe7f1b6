import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ARI = {
  url: process.env.TEST_ARI_URL ?? 'http://127.0.0.1:8088',
  user: process.env.ARI_USER ?? 'switchboard',
  password: process.env.ARI_PASSWORD ?? 'switchboard',
  app: process.env.ARI_APP ?? 'switchboard',
};
export const SIP_TARGET = process.env.TEST_SIP_TARGET ?? '127.0.0.1:5060';
export const CEL_DATABASE_URL = process.env.TEST_CEL_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
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
  const why = await asteriskUnavailable();
  if (!why) return true;
  if (process.env.SB_REQUIRE_ASTERISK === '1') throw new Error(`Asterisk tests required but cannot run: ${why}`);
  console.warn(`[skip] real-Asterisk tests: ${why}`);
  return false;
}

let nextPort = 20000 + Math.floor(Math.random() * 20000);

/** Runs one SIPp scenario from asterisk/sipp to completion; rejects with SIPp's output on failure. */
export function sipp(scenario: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const port = String(nextPort++);
  const argv = ['-sf', scenarios + scenario, ...args, '-p', port, '-nostdin', '-timeout', String(Math.ceil(timeoutMs / 1000)), '-timeout_error', SIP_TARGET];
  return new Promise((resolve, reject) => {
    execFile('sipp', argv, { timeout: timeoutMs + 5000, cwd: '/tmp' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`sipp ${argv.join(' ')} failed: ${err.message}\n${stdout.slice(-1500)}\n${stderr.slice(-1500)}`));
      else resolve(stdout);
    });
  });
}

export const inboundCall = (did: string, caller: string, holdMs = 500) =>
  sipp('uac-inbound.xml', ['-s', did, '-key', 'caller', caller, '-d', String(holdMs), '-m', '1']);

export const abandonedCall = (did: string, caller: string, cancelMs = 700) =>
  sipp('uac-cancel.xml', ['-s', did, '-key', 'caller', caller, '-set', 'cancel_ms', String(cancelMs), '-m', '1']);

/** A caller number unique to this run, so assertions never meet another test's calls. */
export function uniqueCaller(): string {
  return `7916${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}
