// A real SMTP server for tests (smtp-server): accepts every message and writes each one to
// <dir>/<n>.json as { from, to, raw }. Usage: node smtp-sink.mjs <port|0> <dir>. Prints
// "listening <port>" once ready; SIGTERM closes it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

const [portArg = '0', dir] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: smtp-sink.mjs <port> <dir>\n');
  process.exit(2);
}
let received = 0;

const server = new SMTPServer({
  // Plain SMTP on localhost: no TLS upgrade, no login.
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      received += 1;
      const message = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        to: session.envelope.rcptTo.map((recipient) => recipient.address),
        raw: Buffer.concat(chunks).toString('utf8'),
      };
      writeFileSync(
        path.join(dir, `${String(received).padStart(6, '0')}-${process.pid}.json`),
        JSON.stringify(message),
      );
      callback();
    });
  },
});

server.listen(Number(portArg), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
