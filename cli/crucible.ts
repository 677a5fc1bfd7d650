/**
 * `npm run crucible -- <command>`: the command line for chemists and lab operators. Talks to
 * Temporal and MongoDB directly (TEMPORAL_ADDRESS, MONGODB_URI); `--json` prints machine output.
 *
 *   campaign start <spec.json> [--id ID]     campaign list     campaign status <id>
 *   campaign pause|resume|cancel <id>        approve <id> [--keep a,b | --reject] [--reason TEXT]
 *   lab pending <lab_id>     lab submit <result.json>
 *   lab register <lab_id> --webhook URL --secret-env VAR     lab unregister <lab_id>   (MongoDB only)
 *   token create --role admin|chemist|pi|lab [--lab LAB_ID] [--name NAME]
 *   import <pool.csv | obelix | cif-folder | cifs.tar.gz> [...]   (MongoDB only, no Temporal)
 */
import { Client, Connection } from '@temporalio/client';
import * as fs from 'node:fs';
import type { Db, MongoClient } from 'mongodb';
import {
  campaignStatus,
  campaignSummaries,
  decideBatch,
  signalCampaign,
  startCampaign,
} from '../api/campaigns';
import { submitLabResult } from '../api/labResults';
import type { CampaignOutcomes, ModelQualitySummary } from '../schemas';
import { getCampaign } from '../store/campaigns';
import { connectMongo } from '../store/db';
import { NotificationDoc, campaignNotifications } from '../store/approvals';
import { campaignMeasurements, pendingExperiments } from '../store/experiments';
import { getLab, registerLab } from '../store/labs';
import { ROLES, Role, issueToken } from '../store/tokens';
import { temporalAddress, temporalNamespace } from '../workers/env';
import { ImportReport, ImportSource, importPool } from './importPool';
import { createProgress } from './progress';
import { bestSoFar, sparkline } from './sparkline';

interface Ctx {
  client: Client;
  db: Db;
  json: boolean;
}

const USAGE = `usage: crucible <campaign|approve|lab|token|import> ... [--json]
  campaign start <spec.json> [--id ID] | list | status <id> | pause <id> | resume <id> | cancel <id>
  approve <id> [--keep ID,ID | --reject] [--reason TEXT]
  lab pending <lab_id> | submit <result.json>
  lab register <lab_id> --webhook URL --secret-env VAR    (the HMAC secret is read from $VAR)
  lab unregister <lab_id>                                 (no more pushes; the lab pulls)
  token create --role ${ROLES.join('|')} [--lab LAB_ID] [--name NAME]
  import <pool.csv> [--id-column id] [--target COL] [--features A,B] [--cifs DIR|TGZ]
  import obelix [--dir DIR] [--cifs DIR|TGZ | --no-cifs]
  import <cif-folder | cifs.tar.gz>      (--skip-unreadable: import the readable CIFs)`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function readJson(file: string | undefined, what: string): unknown {
  if (!file) throw new Error(`${what}: a file path is required\n${USAGE}`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

const out = (ctx: { json: boolean }, data: unknown, text: string) =>
  console.log(ctx.json ? JSON.stringify(data) : text);

/** Objectives, constraints and the Pareto front of a multi-objective or constrained campaign. */
function outcomeLines(o: CampaignOutcomes): string[] {
  const bound = (c: CampaignOutcomes['constraints'][number]) =>
    c.min !== null && c.max !== null
      ? `${c.min} ≤ ${c.property} ≤ ${c.max}`
      : c.min !== null
        ? `${c.property} ≥ ${c.min}`
        : `${c.property} ≤ ${c.max}`;
  const shown = [...o.objectives.map((x) => x.property), ...o.constraints.map((c) => c.property)];
  return [
    `  objectives ${o.objectives.map((x) => `${x.property} (${x.direction})`).join(', ')}` +
      (o.excluded_elements.length ? `   excluded elements ${o.excluded_elements.join(' ')}` : ''),
    ...o.constraints.map(
      (c) => `  constraint ${bound(c)}: ${c.satisfied} of ${c.measured} measured satisfy it`,
    ),
    ...(o.hypervolume
      ? [
          `  hypervolume ${o.hypervolume.value.toPrecision(4)} above ${o.objectives.map((x, j) => `${x.property} ${o.hypervolume?.reference_point[j].toPrecision(4)}`).join(', ')}` +
            ` (${o.hypervolume.reference === 'spec' ? "the spec's reference point" : 'reference inferred from the front'})`,
        ]
      : []),
    `  ${o.objectives.length > 1 ? 'Pareto front' : 'best feasible'} (${o.pareto_front.length} of ${o.feasible} feasible, ${o.measured} measured):`,
    ...o.pareto_front.map(
      (p) =>
        `    ${p.candidate_id.padEnd(12)} ${shown.map((k) => `${k} ${p.values[k] === undefined ? '–' : p.values[k].toFixed(3)}`).join('  ')}`,
    ),
  ];
}

/**
 * One line per property: the pick-time predictions' error against the measurements and the
 * coverage of their intervals (a calibrated model: 68 % / 95 %).
 */
export function modelQualityLines(quality: readonly ModelQualitySummary[]): string[] {
  const pct = (x: number | null) => (x === null ? '–' : `${Math.round(100 * x)} %`);
  return [
    '  model (pick-time predictions vs measurements):',
    ...quality.map((q) =>
      q.n === 0
        ? `    ${q.property.padEnd(12)} no measurement with a prediction yet`
        : `    ${q.property.padEnd(12)} n ${q.n}  MAE ${q.mae?.toPrecision(3)}  RMSE ${q.rmse?.toPrecision(3)}` +
          `  within ±σ ${pct(q.coverage_68)}  ±1.96σ ${pct(q.coverage_95)}  mean σ ${q.mean_std?.toPrecision(3)}`,
    ),
  ];
}

/** How many of a campaign's notifications `campaign status` shows (the newest). */
const STATUS_NOTIFICATIONS = 5;

/** One line per channel outcome: `webhook delivered 2026-…`, `email failed: …`. */
function deliveryText(n: NotificationDoc): string {
  const channels = [...new Set([...Object.keys(n.delivered ?? {}), ...Object.keys(n.delivery_errors ?? {})])]
    .sort()
    .map((c) => {
      const key = c as keyof NonNullable<NotificationDoc['delivered']>;
      const at = n.delivered?.[key];
      return at ? `${c} delivered ${at}` : `${c} failed: ${n.delivery_errors?.[key]}`;
    });
  return channels.length ? channels.join('; ') : 'recorded (no channel configured)';
}

/** The minimum the API asks of a webhook secret (PUT /labs/:lab_id). */
const MIN_SECRET_LENGTH = 32;

/**
 * `lab register` and `lab unregister`: MongoDB only. The webhook secret comes from the
 * environment variable `--secret-env` names, never from the command line (argv is visible to
 * every user of the machine in `ps` and lands in shell history), and is never printed.
 */
async function runLab(db: Db, args: string[], json: boolean): Promise<void> {
  const [, command, labId] = args;
  if (args.includes('--secret')) {
    throw new Error(
      `lab ${command}: a secret is never taken from the command line; put it in an environment variable and pass --secret-env VAR`,
    );
  }
  if (!labId || labId.startsWith('--')) throw new Error(`lab ${command}: a lab id is required\n${USAGE}`);
  if (command === 'register') {
    const url = option(args, '--webhook');
    const variable = option(args, '--secret-env');
    if (!url || url.startsWith('--')) throw new Error(`lab register: --webhook URL is required\n${USAGE}`);
    if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url))
      throw new Error(`lab register: --webhook must be an http(s) URL, got "${url}"`);
    if (!variable || variable.startsWith('--'))
      throw new Error(`lab register: --secret-env VAR is required (the variable holding the webhook secret)`);
    const secret = process.env[variable];
    if (!secret) throw new Error(`lab register: environment variable ${variable} is not set or empty`);
    if (secret.length < MIN_SECRET_LENGTH)
      throw new Error(
        `lab register: the secret in ${variable} is ${secret.length} characters; at least ${MIN_SECRET_LENGTH} are required`,
      );
    const info = await registerLab(db, labId, { url, secret });
    return out(
      { json },
      info,
      `registered ${info.lab_id}: requests are pushed to ${info.webhook_url}, signed with the secret from $${variable}`,
    );
  }
  if (command === 'unregister') {
    const existing = await getLab(db, labId);
    if (!existing?.webhook_url) throw new Error(`lab unregister: lab ${labId} has no webhook registered`);
    const info = await registerLab(db, labId, null);
    return out(
      { json },
      info,
      `unregistered ${info.lab_id}'s webhook (was ${existing.webhook_url}): its requests are no longer pushed; it pulls them`,
    );
  }
  throw new Error(USAGE);
}

async function run(ctx: Ctx, args: string[]): Promise<void> {
  const [group, command, arg] = args;
  const key = `${group} ${command}`;
  if (key === 'campaign start') {
    const r = await startCampaign(ctx, readJson(arg, 'campaign spec'), option(args, '--id'));
    return out(ctx, { campaign_id: r.campaign_id }, `started ${r.campaign_id}`);
  }
  if (key === 'campaign list') {
    const list = await campaignSummaries(ctx);
    const lines = list.map(
      (c) =>
        `${c.campaign_id.padEnd(48)} ${(c.last_status?.state ?? 'running').padEnd(10)} ` +
        `${c.last_status?.budget.experiments_used ?? 0}/${c.last_status?.budget.experiments_max ?? '?'} experiments`,
    );
    return out(ctx, list, lines.join('\n') || 'no campaigns');
  }
  if (key === 'campaign status') {
    if (!arg) throw new Error(`campaign status: an id is required\n${USAGE}`);
    const status = await campaignStatus(ctx, arg);
    const direction = (await getCampaign(ctx.db, arg))?.spec.objective.direction ?? 'maximize';
    const values = (await campaignMeasurements(ctx.db, arg))
      .sort((a, b) => a.recorded_at.localeCompare(b.recorded_at))
      .filter((m) => m.value !== null)
      .map((m) => m.value as number);
    const trace = bestSoFar(values, direction);
    const b = status.budget;
    const all = await campaignNotifications(ctx.db, arg);
    const latest = all.slice(-STATUS_NOTIFICATIONS).reverse();
    const notificationLines = latest.length
      ? [
          `  notifications (newest ${latest.length} of ${all.length}):`,
          ...latest.map((n) => `    ${n.created_at}  ${n.kind}  ${n.message}  [${deliveryText(n)}]`),
        ]
      : ['  notifications: none'];
    return out(
      ctx,
      {
        ...status,
        best_so_far: trace,
        notifications: latest.map((n) => ({
          id: n._id,
          kind: n.kind,
          message: n.message,
          created_at: n.created_at,
          delivered: n.delivered ?? {},
          delivery_errors: n.delivery_errors ?? {},
        })),
        notifications_total: all.length,
      },
      [
        `${status.campaign_id}  ${status.state}${status.stop_reason ? ` (${status.stop_reason})` : ''}`,
        `  iteration ${b.iterations_used}/${b.iterations_max}   experiments ${b.experiments_used}/${b.experiments_max}` +
          `   failed ${status.failed_experiments}   pending ${status.pending_experiments.length}`,
        `  best ${status.best ? `${status.best.value.toFixed(3)} (${status.best.candidate_id})` : '–'}   ${sparkline(trace)}`,
        ...(status.outcomes ? outcomeLines(status.outcomes) : []),
        ...(status.model_quality ? modelQualityLines(status.model_quality) : []),
        ...notificationLines,
      ].join('\n'),
    );
  }
  if (group === 'campaign' && (command === 'pause' || command === 'resume' || command === 'cancel')) {
    if (!arg) throw new Error(`campaign ${command}: an id is required\n${USAGE}`);
    await signalCampaign(ctx, arg, command);
    return out(ctx, { campaign_id: arg, action: command }, `${command} sent to ${arg}`);
  }
  if (group === 'approve') {
    const id = command;
    if (!id) throw new Error(`approve: a campaign id is required\n${USAGE}`);
    const status = await campaignStatus(ctx, id);
    if (!status.awaiting_approval) throw new Error(`campaign ${id} has no batch awaiting approval`);
    const keep = option(args, '--keep')?.split(',');
    const decision = args.includes('--reject') ? 'reject' : keep ? 'trim' : 'approve';
    const ack = await decideBatch(
      ctx,
      id,
      {
        iteration: status.awaiting_approval.iteration,
        decision,
        candidate_ids: keep,
        reason: option(args, '--reason'),
      },
      `cli:${process.env.USER ?? 'unknown'}`,
    );
    return out(ctx, { ...ack, decision }, `${decision} recorded for batch ${ack.iteration} of ${id}`);
  }
  if (key === 'lab pending') {
    if (!arg) throw new Error(`lab pending: a lab id is required\n${USAGE}`);
    const docs = await pendingExperiments(ctx.db, arg, 1000);
    const rows = docs.map((d) => ({
      experiment_id: d.experiment_id,
      candidate_id: d.candidate_id,
      property: d.property,
      requested_at: d.requested_at,
    }));
    return out(
      ctx,
      rows,
      rows.map((r) => `${r.experiment_id}  ${r.property}  since ${r.requested_at}`).join('\n') ||
        'none pending',
    );
  }
  if (key === 'lab submit') {
    const ack = await submitLabResult(ctx, readJson(arg, 'lab result'));
    return out(
      ctx,
      ack,
      `${ack.experiment_id}: ${ack.duplicate ? 'already recorded (duplicate)' : 'recorded'}`,
    );
  }
  if (key === 'token create') {
    const role = option(args, '--role') as Role;
    if (!ROLES.includes(role)) throw new Error(`token create: --role must be one of ${ROLES.join(', ')}`);
    const { token, doc } = await issueToken(ctx.db, {
      role,
      lab_id: option(args, '--lab'),
      name: option(args, '--name') ?? role,
    });
    return out(
      ctx,
      { token, role: doc.role, lab_id: doc.lab_id },
      `${token}\n(shown once; only its hash is stored)`,
    );
  }
  throw new Error(USAGE);
}

/** What `import <source>` means: OBELiX by name, a folder or .tar.gz of CIFs, else a CSV table. */
function importSource(args: string[]): ImportSource {
  const source = args[1];
  if (!source) throw new Error(`import: a source is required\n${USAGE}`);
  if (source === 'obelix') return { kind: 'obelix', dir: option(args, '--dir') };
  if (!fs.existsSync(source)) throw new Error(`import: ${source} does not exist`);
  if (fs.statSync(source).isDirectory() || /\.(tar\.gz|tgz)$/.test(source))
    return { kind: 'cifs', path: source };
  return {
    kind: 'csv',
    path: source,
    id_column: option(args, '--id-column') ?? 'id',
    target_column: option(args, '--target'),
    feature_columns: option(args, '--features')?.split(','),
  };
}

async function runImport(db: Db, args: string[], json: boolean): Promise<void> {
  const source = importSource(args);
  if (source.kind === 'cifs' && option(args, '--cifs')) {
    throw new Error(
      'import: --cifs attaches structures to a CSV or OBELiX pool; a CIF source brings its own',
    );
  }
  const progress = createProgress(process.stderr);
  let report: ImportReport;
  try {
    report = await importPool(db, source, {
      cifs: args.includes('--no-cifs') ? null : option(args, '--cifs'),
      skipUnreadable: args.includes('--skip-unreadable'),
      onProgress: (phase, done, total) => progress.update(phase, done, total),
    });
  } finally {
    progress.finish();
  }
  const r = report;
  const lines = [
    `pool ${r.pool_id}: ${r.size} candidates from ${r.origin}${r.labelled ? ' (with hidden labels)' : ''}`,
    `  candidates: ${r.inserted} inserted, ${r.already_present} already present`,
    `  structures: ${r.structures} stored (${r.structures_inserted} inserted, ${r.structures_already_present} already present)`,
    ...r.unreadable.map((u) => `  skipped unreadable ${u.message}`),
  ];
  console.log(json ? JSON.stringify(r) : lines.join('\n'));
}

async function main() {
  const args = process.argv.slice(2).filter((a) => a !== '--json');
  const json = process.argv.includes('--json');
  if (args.length === 0 || args[0] === '--help') {
    console.log(USAGE);
    return;
  }
  const { client: mongo, db }: { client: MongoClient; db: Db } = await connectMongo();
  if (args[0] === 'import' || (args[0] === 'lab' && (args[1] === 'register' || args[1] === 'unregister'))) {
    try {
      return args[0] === 'import' ? await runImport(db, args, json) : await runLab(db, args, json);
    } finally {
      await mongo.close();
    }
  }
  const connection = await Connection.connect({ address: temporalAddress() });
  try {
    await run({ client: new Client({ connection, namespace: temporalNamespace() }), db, json }, args);
  } finally {
    await connection.close();
    await mongo.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
