// The buyers' side of bench:signups, in a worker thread of its own: /health every 50 ms and logins
// one after another, timed on an event loop that is not also sending and reading the 100 sign-ups
// (on the benchmark's own loop, that work showed as up to 0.7 s of /health latency that the service
// never had: a separate prober saw a quarter of it at the same moment).
import { parentPort, workerData } from 'node:worker_threads';
import { keepAliveAgent, request } from './http.mjs';

const { base, username, password } = workerData;
const agent = keepAliveAgent(4);
let stopped = false;
parentPort.on('message', (m) => {
  if (m === 'stop') stopped = true;
});

const timed = async (fn) => {
  const t0 = process.hrtime.bigint();
  const res = await fn();
  // For /health: how long its own database check took, as the service measured it.
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status: res.status, dbMs: res.json?.components?.db?.latencyMs };
};
const started = Date.now();
const health = [];
const login = [];
await Promise.all([
  (async () => {
    while (!stopped) {
      health.push({ ...(await timed(() => request(agent, `${base}/health`, { timeoutMs: 30_000 }))), at: Date.now() - started });
      await new Promise((r) => setTimeout(r, 50));
    }
  })(),
  (async () => {
    while (!stopped) login.push(await timed(() => request(agent, `${base}/v1/users/login`, { method: 'POST', body: { username, password }, timeoutMs: 60_000 })));
  })(),
]);
parentPort.postMessage({ health, login });
