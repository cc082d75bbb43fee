import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unusedPort } from '@primetrade/platform';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prepareNginx } from './nginx/nginxProcess.js';
import { localTarget } from './nginx/targets.js';
import { startStatusServer, type StatusServer } from './statusServer.js';
import { repoRoot, startService, type ServiceProcess, type ServiceSpec } from './supervisor.js';

/** A real process that says it is ready like our services do, and crashes when told. */
const script = `
const http = require('node:http');
if (process.env.PID_FILE) require('node:fs').writeFileSync(process.env.PID_FILE, String(process.pid));
const server = http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', () => setTimeout(() => {
  console.log(JSON.stringify({ msg: 'fake node running', url: 'http://127.0.0.1:' + server.address().port }));
  if (process.env.CRASH_AT_ONCE === 'true') process.exit(3);
}, Number(process.env.READY_AFTER_MS ?? 0)));`;
const spec = (env: Record<string, string> = {}): ServiceSpec => ({
  name: 'fake-1',
  command: process.execPath,
  args: ['-e', script],
  env,
  readyMessage: 'fake node running',
});

describe('the supervisor', () => {
  const logged: { msg: string; fields: Record<string, unknown> }[] = [];
  const log = (msg: string, fields: Record<string, unknown>) => logged.push({ msg, fields });
  const started: ServiceProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((service) => service.stop()));
    logged.length = 0;
  });

  it('restarts a SIGKILLed service and logs the exit and the restart', async () => {
    const service = await startService(spec(), { log });
    started.push(service);
    const firstPid = service.pid();
    const next = service.nextStart();
    await service.kill();
    expect(service.status()).toMatchObject({ state: 'backoff', lastExit: { code: null, signal: 'SIGKILL' } });
    await next;
    expect(service.pid()).not.toBe(firstPid);
    expect(service.status()).toMatchObject({ name: 'fake-1', state: 'running', restarts: 1 });
    expect((await fetch(service.url())).status).toBe(200);
    expect(logged.map((line) => line.msg)).toEqual(['service exited', 'restarting service in N ms']);
    expect(logged[0]?.fields).toMatchObject({
      service: 'fake-1',
      servicePid: firstPid,
      signal: 'SIGKILL',
      restarts: 0,
    });
    expect(logged[1]?.fields).toMatchObject({ service: 'fake-1', delayMs: 250, restarts: 1 });
  });

  it('backs off exponentially while a service keeps crashing', async () => {
    const service = await startService(spec(), { log, backoff: { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 } });
    started.push(service);
    await service.stop();
    await service.restart({ CRASH_AT_ONCE: 'true' });
    const deadline = Date.now() + 10_000;
    while (logged.filter((line) => line.msg === 'restarting service in N ms').length < 4 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const delays = logged
      .filter((line) => line.msg === 'restarting service in N ms')
      .map((line) => line.fields.delayMs);
    expect(delays.slice(0, 4)).toEqual([100, 200, 400, 400]);
    expect(service.status().restarts).toBeGreaterThanOrEqual(3);
  });

  it('stops a service that is starting again, so nothing outlives the stop', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pt-pid-'));
    const pidFile = path.join(dir, 'pid');
    const service = await startService(spec({ PID_FILE: pidFile }), {
      log,
      backoff: { initialMs: 10, maxMs: 10, resetAfterMs: 60_000 },
    });
    started.push(service);
    await service.stop();
    await service.restart({ READY_AFTER_MS: '2000' });
    const first = Number(await readFile(pidFile, 'utf8'));
    await service.kill();
    // The next start is under way: its process exists, its ready line is 2 s away. The file may be
    // read between the new process's truncation and its write: an empty read is not a pid (0 would
    // name this process's own group below).
    const pidIn = async () => Number(await readFile(pidFile, 'utf8'));
    const deadline = Date.now() + 5_000;
    let starting = await pidIn();
    while ((starting === first || !(starting > 0)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      starting = await pidIn();
    }
    expect(starting).toBeGreaterThan(0);
    expect(starting).not.toBe(first);
    expect(service.status().state).toBe('starting');
    await service.stop();
    expect(() => process.kill(starting, 0)).toThrow();
    await rm(dir, { recursive: true, force: true });
  });

  it('never restarts a service stopped on purpose', async () => {
    const service = await startService(spec(), { log });
    started.push(service);
    await service.stop();
    await new Promise((r) => setTimeout(r, 600));
    expect(service.running()).toBe(false);
    expect(service.status().state).toBe('stopped');
    expect(logged).toEqual([]);
  });

  it('restarts with another entry point when asked (a fault test build), and with its own after that', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pt-entry-'));
    const entryNamed = async (variant: string) => {
      const file = path.join(dir, `${variant}.cjs`);
      await writeFile(file, `console.log(JSON.stringify({ msg: 'entry ${variant}' }));\n${script}`);
      return path.relative(repoRoot, file);
    };
    const service = await startService(
      { name: 'fake-1', entry: await entryNamed('own'), env: {}, readyMessage: 'fake node running' },
      { log },
    );
    started.push(service);
    const launches = () => [...service.output().matchAll(/entry (own|crashing)/g)].map((match) => match[1]);
    await service.stop();
    await service.restart({}, { entry: await entryNamed('crashing') });
    await service.stop();
    await service.restart();
    expect(launches()).toEqual(['own', 'crashing', 'own']);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('the supervisor with nginx in front', () => {
  let dir: string;
  let web: string;
  let status: StatusServer;
  let nginx: ServiceProcess;
  let node: ServiceProcess;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pt-supervised-'));
    web = await mkdtemp(path.join(tmpdir(), 'pt-web-'));
    await chmod(web, 0o755);
    await writeFile(path.join(web, 'index.html'), 'app');
    node = await startService(spec(), { backoff: { initialMs: 1_500, maxMs: 1_500, resetAfterMs: 60_000 } });
    status = await startStatusServer(() => [node.status(), nginx.status()]);
    const port = await unusedPort();
    const target = localTarget({
      port,
      host: '127.0.0.1',
      api: ['127.0.0.1:1'],
      realtime: ['127.0.0.1:1'],
      prefix: dir,
      webRoot: web,
      statusServer: status.address,
    });
    nginx = await startService(await prepareNginx(target, dir), { timeoutMs: 10_000 });
    url = `http://127.0.0.1:${port}`;
  }, 30_000);

  afterAll(async () => {
    await nginx?.stop();
    await node?.stop();
    await status?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says on /readyz that a crashed service is down, and ready again once restarted', async () => {
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const next = node.nextStart();
    await node.kill();
    const down = await fetch(`${url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: 'unavailable',
      notRunning: [{ name: 'fake-1', state: 'backoff', restarts: 0 }],
    });
    await next;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const all = (await (await fetch(`${url}/cluster/status`)).json()) as {
      services: { name: string; restarts: number }[];
    };
    expect(all.services.find((service) => service.name === 'fake-1')?.restarts).toBe(1);
  });

  it('restarts nginx itself after a SIGKILL, workers and all', async () => {
    const next = nginx.nextStart();
    await nginx.kill();
    await next;
    expect(nginx.status()).toMatchObject({ state: 'running', restarts: 1 });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
