// A sale by exact seat ids, holds only: C concurrent buyers (keep-alive connections) each pick a
// random group of 1-4 free adjacent seats from their own view of the plan and ask for exactly
// those, until the database agrees nothing is left. Every request is a different buyer (so no
// per-user cap applies), as in bench:seating. Used against the seating service and against the
// bare node:http + pg server (bench/reserve-baseline-server.mjs).
import { keepAliveAgent, request } from './http.mjs';
import { Timeline, round1, summarize, tally } from './stats.mjs';
import { cpuSeconds, sampleRss } from './proc.mjs';

/**
 * @param {{ url: string, pathname: string, eventId: number, runs: number[][], concurrency: number,
 *           headersFor: (userId: number) => Promise<Record<string,string>> | Record<string,string>,
 *           availableSeats: () => Promise<number[]>, serverPid?: number, postgresPids?: () => string[],
 *           deadlineMs?: number, firstUserId?: number }} options
 *   runs: seat ids of each run of adjacent seats, in order (a group never spans two runs)
 */
export async function sellOutByExactIds({ url, pathname, eventId, runs, concurrency, headersFor, availableSeats, serverPid, postgresPids = () => [], deadlineMs = Infinity, firstUserId = 1 }) {
  const order = runs.flat();
  const runOf = new Map();
  runs.forEach((run, i) => run.forEach((id) => runOf.set(id, i)));
  const free = new Set(order);
  const position = new Map(order.map((id, i) => [id, i]));
  const agent = keepAliveAgent(concurrency);
  const latencies = [];
  const codes = [];
  let successes = 0;
  let errors = 0;
  let seatsSold = 0;
  let nextUser = firstUserId;
  let gaveUp = false;
  let timedOut = false;
  const rss = serverPid ? sampleRss(serverPid) : undefined;
  const cpuBefore = { server: serverPid ? cpuSeconds([serverPid]) : 0, postgres: cpuSeconds(postgresPids()) };
  const started = Date.now();
  const timeline = new Timeline(started);

  function pickGroup() {
    if (!free.size) return undefined;
    const size = 1 + Math.floor(Math.random() * 4);
    for (let tries = 0; tries < 20; tries++) {
      const start = Math.floor(Math.random() * order.length);
      const group = [];
      for (let i = start; i < order.length && group.length < size && free.has(order[i]) && runOf.get(order[i]) === runOf.get(order[start]); i++) group.push(order[i]);
      if (group.length) return group;
    }
    // Few seats left: the first free ones, cut at the end of their run.
    const first = [...free].sort((a, b) => position.get(a) - position.get(b));
    const group = [first[0]];
    for (const id of first.slice(1)) {
      if (group.length >= size || runOf.get(id) !== runOf.get(group[0]) || position.get(id) !== position.get(group[group.length - 1]) + 1) break;
      group.push(id);
    }
    return group;
  }

  // A buyer that finds nothing left asks the database once: seats named as taken may have been
  // given back since (an all-or-nothing request that lost part of its group).
  let refilling;
  async function refill() {
    refilling ??= availableSeats().then((ids) => {
      for (const id of ids) free.add(Number(id));
      refilling = undefined;
      return ids.length;
    });
    return refilling;
  }

  async function buyer() {
    for (;;) {
      if (gaveUp) return;
      if (Date.now() > deadlineMs) {
        timedOut = true;
        return;
      }
      let group = pickGroup();
      if (!group && (await refill())) group = pickGroup();
      if (!group) return;
      const userId = nextUser++;
      const headers = await headersFor(userId);
      const t0 = Date.now();
      const res = await request(agent, url + pathname, { method: 'POST', headers, body: { eventId, seatIds: group, userId } });
      const done = Date.now();
      latencies.push(done - t0);
      timeline.sample('hold', done, done - t0);
      if (res.status === 201) {
        successes++;
        seatsSold += group.length;
        timeline.count('holds', done);
        for (const id of group) free.delete(id);
      } else if (res.status === 409) {
        codes.push(res.json?.error ?? '409');
        // Every target names the seats that were taken; the others of the group stay on offer.
        const taken = res.json?.details?.seatIds ?? group;
        for (const id of taken) free.delete(Number(id));
      } else {
        errors++;
        codes.push(String(res.status));
        if (errors <= 3) console.error(`  unexpected ${res.status}: ${(res.text ?? res.error ?? '').slice(0, 200)}`);
        // Something is wrong with the target, not a race: stop this run, report what it got.
        if (errors > 1000) gaveUp = true;
      }
    }
  }

  // Until the database agrees it is sold out: seats given back late go round again.
  do await Promise.all(Array.from({ length: concurrency }, buyer));
  while (!timedOut && !gaveUp && (await refill()));
  const seconds = (Date.now() - started) / 1000;
  const cpu = { server: serverPid ? cpuSeconds([serverPid]) - cpuBefore.server : 0, postgres: cpuSeconds(postgresPids()) - cpuBefore.postgres };
  agent.destroy();
  return {
    holdsPerSecond: Math.round(successes / seconds),
    requestsPerSecond: Math.round(latencies.length / seconds),
    latencyMs: summarize(latencies),
    successes,
    conflicts: tally(codes.filter((c) => !/^\d+$/.test(c) || c === '409')),
    errors,
    seatsSold,
    seconds: round1(seconds),
    timedOut,
    gaveUpAfterErrors: gaveUp,
    peakRssMb: rss?.stop(),
    // Where the work went: CPU milliseconds per successful hold, server process and PostgreSQL.
    serverCpuMsPerHold: successes ? round1((cpu.server * 1000) / successes) : null,
    postgresCpuMsPerHold: successes ? round1((cpu.postgres * 1000) / successes) : null,
    timeline: timeline.series(seconds),
  };
}
