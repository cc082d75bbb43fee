// Container health probe without curl (the slim image has none):
//   node infra/docker/healthcheck.mjs [PORT|OPS_PORT|<number>] [/healthz|/readyz]
// The port comes from the same variable the service listens on, with the config schema's default.
const defaults = { PORT: '3000', OPS_PORT: '9464' };
const [portArg = 'PORT', path = '/healthz'] = process.argv.slice(2);
const port = /^\d+$/.test(portArg) ? portArg : process.env[portArg] || defaults[portArg];
if (!port) {
  process.stderr.write(`healthcheck: unknown port ${portArg}\n`);
  process.exit(2);
}
try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
