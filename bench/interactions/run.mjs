#!/usr/bin/env node
// Interactions benchmark: N interaction events for P campaigns published to JetStream and stored by
// the interactions service; then half the campaigns stopped, their data expired to object storage
// and restored. Baselines in the same run: `psql \copy` of the same rows out to a file (expiry)
// and back in (restore). Prints rates, ratios and the service's peak RSS.
//
//   npm run bench:interactions [-- --events 5000000 --programs 50] [-- --ingest sql]
//
// `--ingest sql` fills the same rows with one INSERT instead, to measure expiry and restore alone.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { databaseUrl, dir, freshDatabase, log, peakRssMb, psql, startSystem, runBench, api } from '../lib/bench.mjs';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '5000000' }, programs: { type: 'string', default: '50' }, ingest: { type: 'string', default: 'jetstream' } },
});
const N = Number(values.events);
const P = Number(values.programs);
const SUBJECT = 'events.messaging.interaction.recorded.v1';
const TYPES = ['received', 'opened', 'clicked', 'converted'];

async function until(what, check, intervalMs = 250) {
  for (;;) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The events are published first (the service's consumer exists, the service is stopped), then the
 * service is started and measured until it has stored and acknowledged every one: the rate into
 * PostgreSQL, without a publisher in the same two cores.
 */
async function ingestFromJetStream(sys, nc, workspace, programs) {
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  await sys.stopApp('interactions');
  const publishStarted = performance.now();
  const base = Date.UTC(2026, 0, 1);
  let inFlight = [];
  for (let i = 0; i < N; i += 1) {
    const id = randomUUID();
    const envelope = {
      id,
      type: 'messaging.interaction.recorded',
      version: 1,
      occurredAt: '2026-11-23T00:00:00.000Z',
      workspaceId: workspace,
      actor: { id: 'sender' },
      origin: 'integration',
      correlationId: id,
      data: {
        programId: programs[i % P],
        variantId: i % 2 ? 'a' : 'b',
        contactId: randomUUID(),
        type: TYPES[i % 4],
        at: new Date(base + i * 1000).toISOString(),
      },
    };
    inFlight.push(js.publish(SUBJECT, JSON.stringify(envelope), { msgID: id }));
    if (inFlight.length >= 512) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  const published = (performance.now() - publishStarted) / 1000;
  const started = performance.now();
  await sys.startApp('interactions');
  await until(
    'all stored',
    async () => {
      const info = await jsm.consumers.info('CUSTODIAN_EVENTS', 'interactions__events_messaging_interaction_recorded_v1').catch(() => null);
      return info && info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.consumer_seq >= N;
    },
    100,
  );
  return { seconds: (performance.now() - started) / 1000, published };
}

async function main() {
  await freshDatabase();
  Object.assign(process.env, { INTERACTIONS_EXPIRE_AFTER: '1s', INTERACTIONS_SWEEP_INTERVAL: '200ms' });
  const sys = await startSystem(['interactions']);
  const nc = await connect({ servers: sys.natsUrl });
  try {
    const workspace = `bench-int-${Date.now().toString(36)}`;
    const token = sys.token(workspace, 'app');
    const programs = [];
    for (let i = 0; i < P; i += 1) {
      const p = await api(sys, token, 'POST', '/v1/campaigns', {
        name: `Campaign ${i}`,
        variants: [
          { id: 'a', name: 'A' },
          { id: 'b', name: 'B' },
        ],
      });
      await api(sys, token, 'POST', `/v1/campaigns/${p.id}/start`);
      programs.push(p.id);
    }

    let ingested = null;
    if (values.ingest === 'sql') {
      // Not through psql: a synchronous child would stall this process's sockets to the gateway.
      const list = programs.map((id) => `'${id}'::uuid`).join(',');
      const db = new pg.Client({ connectionString: databaseUrl });
      await db.connect();
      await db.query(`insert into interactions.interaction (workspace_id, id, program_id, variant_id, contact_id, type, at)
        select '${workspace}', gen_random_uuid(), (array[${list}])[i % ${P} + 1], case when i % 2 = 1 then 'a' else 'b' end, gen_random_uuid(),
          (array['received', 'opened', 'clicked', 'converted'])[i % 4 + 1], timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second'
        from generate_series(0, ${N - 1}) i`);
      await db.end();
    } else {
      ingested = await ingestFromJetStream(sys, nc, workspace, programs);
    }
    const stored = Number(psql(`select count(*) from interactions.interaction where workspace_id = '${workspace}'`));
    if (stored !== N) throw new Error(`stored ${stored} of ${N}`);

    // Vacuumed now, so autovacuum of what ingestion wrote does not run during one measurement and not the other.
    psql('vacuum (analyze) interactions.interaction');

    // Expiry: half the campaigns stopped; measured until every one reports its data expired.
    const half = programs.slice(0, Math.floor(P / 2));
    const rows = Number(psql(`select count(*) from interactions.interaction where program_id in (${half.map((id) => `'${id}'`).join(',')})`));
    const expiryStarted = performance.now();
    await Promise.all(half.map((id) => api(sys, token, 'POST', `/v1/campaigns/${id}/stop`)));
    await until(
      'expired',
      async () =>
        Number(psql(`select count(*) from interactions.program where id in (${half.map((id) => `'${id}'`).join(',')}) and interaction_data = 'expired'`)) ===
        half.length,
    );
    const untilExpired = (performance.now() - expiryStarted) / 1000;
    // The expiry itself: from the first expire job's start to the last one's end (the stop calls,
    // the configured delay and the sweep's interval are policy, not work).
    const expirySeconds = Number(
      psql(`select extract(epoch from max(finished_at) - min(started_at)) from interactions.job where kind = 'expire' and status = 'succeeded'`),
    );

    // Restore: an active canvas names them all by id, so they stay live once back.
    const guard = await api(sys, token, 'POST', '/v1/canvases', { name: 'Guard', retargeting: { programIds: half } });
    await api(sys, token, 'POST', `/v1/canvases/${guard.id}/start`);
    const restoreStarted = performance.now();
    const job = await api(sys, token, 'POST', '/v1/interactions/restores', { programIds: half });
    if (!job.id) throw new Error(`restore refused: ${JSON.stringify(job)}`);
    const done = await until(
      'restored',
      async () => {
        const j = await api(sys, token, 'GET', `/v1/interactions/restores/${job.id}`);
        return ['queued', 'running'].includes(j.status) ? null : j;
      },
      100,
    );
    const restoreSeconds = (performance.now() - restoreStarted) / 1000;
    if (done.status !== 'succeeded' || done.result.rows !== rows) throw new Error(`restore ended ${done.status}: ${JSON.stringify(done.result ?? done.error)}`);
    const rss = peakRssMb(sys.pid('interactions'));

    // Baselines: the same rows \copy'd out to a file and back into a table shaped like the live one.
    const file = join(dir, 'interactions.csv');
    const ids = half.map((id) => `'${id}'`).join(',');
    let t = performance.now();
    psql(
      `\\copy (select workspace_id, id, program_id, step_id, variant_id, control_group, contact_id, type, at from interactions.interaction where program_id in (${ids})) to '${file}' with (format csv, header true)`,
    );
    const outSeconds = (performance.now() - t) / 1000;
    psql('drop table if exists public.bench_interaction; create table public.bench_interaction (like interactions.interaction including all)');
    t = performance.now();
    psql(
      `\\copy public.bench_interaction (workspace_id, id, program_id, step_id, variant_id, control_group, contact_id, type, at) from '${file}' with (format csv, header true)`,
    );
    const inSeconds = (performance.now() - t) / 1000;
    psql('drop table public.bench_interaction');

    const rate = (n, s) => `${(n / s).toFixed(0)}/s`;
    if (ingested) {
      log(
        `ingestion: ${N} events for ${P} campaigns stored in ${ingested.seconds.toFixed(2)} s (service start included) = ${rate(N, ingested.seconds)} (target 20000/s); published beforehand in ${ingested.published.toFixed(2)} s = ${rate(N, ingested.published)}`,
      );
    } else log(`ingestion: not measured (${N} rows for ${P} campaigns inserted with SQL)`);
    log(
      `expiry: ${rows} rows of ${half.length} campaigns in ${expirySeconds.toFixed(2)} s = ${rate(rows, expirySeconds)}; baseline \\copy to a file ${outSeconds.toFixed(2)} s = ${rate(rows, outSeconds)}; ratio ${((100 * outSeconds) / expirySeconds).toFixed(1)}% (target 50%); from the first stop to the last expired ${untilExpired.toFixed(2)} s`,
    );
    log(
      `restore: ${rows} rows in ${restoreSeconds.toFixed(2)} s = ${rate(rows, restoreSeconds)}; baseline \\copy from the file ${inSeconds.toFixed(2)} s = ${rate(rows, inSeconds)}; ratio ${((100 * inSeconds) / restoreSeconds).toFixed(1)}% (target 50%)`,
    );
    log(`peak RSS interactions ${rss.toFixed(0)} MB`);
  } finally {
    await nc.close();
    await sys.stop();
  }
}

runBench(main);
