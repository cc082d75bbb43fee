import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A message as the SMTP server received it. */
export interface ReceivedMail {
  readonly from: string | null;
  readonly to: readonly string[];
  /** The whole message as sent (headers and body, as encoded on the wire). */
  readonly raw: string;
}

export interface SmtpSink {
  readonly port: number;
  readonly url: string;
  /** Every message received so far, in arrival order (across restarts). */
  received(): Promise<ReceivedMail[]>;
  /** Stops the server process (SIGKILL: it goes away like a crashed server). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

const script = fileURLToPath(new URL('../../scripts/smtp-sink.mjs', import.meta.url));

function startProcess(port: number, dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [script, String(port), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (reason: string) => {
      child.kill('SIGKILL');
      reject(new Error(`SMTP sink did not start: ${reason}`));
    };
    const timer = setTimeout(() => fail(`no answer in 10 s; ${output}`), 10_000);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(`exited with ${code}; ${output}`);
    });
  });
}

/**
 * A real SMTP server in a child process (`platform/scripts/smtp-sink.mjs`, the smtp-server
 * package) on a free port of 127.0.0.1, keeping what it receives in a temporary directory.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pt-smtp-'));
  let running: ChildProcess | null = null;
  const started = await startProcess(0, dir);
  running = started.child;
  const stop = async () => {
    const child = running;
    running = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    port: started.port,
    url: `smtp://127.0.0.1:${started.port}`,
    async received() {
      const files = (await readdir(dir)).filter((file) => file.endsWith('.json'));
      const mails = await Promise.all(
        files.map(async (file) => ({
          file,
          at: (await stat(path.join(dir, file))).mtimeMs,
          mail: JSON.parse(await readFile(path.join(dir, file), 'utf8')) as ReceivedMail,
        })),
      );
      // Names start with a per-process counter that a restart resets: order by write time, then name.
      return mails.sort((a, b) => a.at - b.at || a.file.localeCompare(b.file)).map((entry) => entry.mail);
    },
    stop,
    async restart() {
      await stop();
      running = (await startProcess(started.port, dir)).child;
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A received single-part text message, decoded: headers (lower-case names), subject and body. */
export interface DecodedMail {
  readonly headers: Readonly<Record<string, string>>;
  readonly subject: string;
  readonly text: string;
}

const bytesOfQuotedPrintable = (text: string): Buffer => {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const hex = text[i] === '=' ? /^[0-9A-Fa-f]{2}/.exec(text.slice(i + 1, i + 3)) : null;
    if (hex) {
      bytes.push(Number.parseInt(hex[0], 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes);
};

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=` / `?B?`); whitespace between two of them is dropped. */
const decodeWords = (value: string): string =>
  value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, kind: string, data: string) =>
      (kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : bytesOfQuotedPrintable(data.replaceAll('_', ' '))
      ).toString('utf8'),
    );

/** Decodes what `SmtpSink.received()` returns, for assertions on what a person would read. */
export function decodeMail(raw: string): DecodedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  const decoded =
    encoding === 'quoted-printable'
      ? bytesOfQuotedPrintable(body.replace(/=\r\n/g, '')).toString('utf8')
      : encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : body;
  return { headers, subject: decodeWords(headers.subject ?? ''), text: decoded.replace(/\r\n/g, '\n') };
}
