import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { ServiceSpec } from './supervisor.js';

interface Waiting {
  readonly spec: ServiceSpec;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly output: { text: string };
  readonly timeoutMs: number;
}

const connects = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = net.connect({ host: hostname, port: Number(port) }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * Collects the child's output (echoed with its name when asked) and resolves to the service's URL
 * once it is up: the ready JSON log line's `url`/`ops`, or the spec's readyUrl once it accepts
 * connections. Rejects when the child exits first or the timeout passes.
 */
export function waitForReady({ spec, child, exited, output, timeoutMs }: Waiting): Promise<string> {
  let pending = '';
  return new Promise<string>((resolve, reject) => {
    let done = false;
    const finish = (error: Error | null, url = '') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(url);
    };
    const timer = setTimeout(
      () => finish(new Error(`${spec.name} did not start in ${timeoutMs} ms:\n${output.text.slice(-4000)}`)),
      timeoutMs,
    );
    const onLine = (line: string) => {
      if (spec.echo) process.stdout.write(`${spec.name.padEnd(12)} ${line}\n`);
      if (spec.readyUrl || !line.includes(spec.readyMessage)) return;
      try {
        const parsed = JSON.parse(line) as { url?: string; ops?: string; msg?: string };
        if (parsed.msg === spec.readyMessage) finish(null, parsed.url ?? parsed.ops ?? '');
      } catch {
        // not a JSON log line
      }
    };
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output.text += text;
      if (output.text.length > 2_000_000) output.text = output.text.slice(-1_000_000);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code, signal }) =>
      finish(new Error(`${spec.name} exited with ${code ?? signal} before it was ready:\n${output.text.slice(-4000)}`)),
    );
    const readyUrl = spec.readyUrl;
    if (readyUrl) {
      const poll = async () => {
        while (!done) {
          if (await connects(readyUrl)) return finish(null, readyUrl);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      void poll();
    }
  });
}
