/* global document, window, fetch, sessionStorage, history, location, setTimeout, clearTimeout, URLSearchParams */
// The dashboard page: signs in with a bearer token (from the URL fragment or the login box),
// polls the JSON endpoints every 2 s and redraws. Every string from the server is set with
// textContent, never parsed as HTML.
'use strict';
(function () {
  const POLL_MS = 2000;
  const TOKEN_KEY = 'crucible_dashboard_token';
  const P = window.CruciblePlots;
  const $ = (id) => document.getElementById(id);
  let token = null;
  let selected = null;
  let timer = null;
  let polls = 0;
  let clockSkewMs = 0; // server time − browser time, so pending ages do not depend on the PI's clock
  let viewing = null; // {campaign, candidate} shown in the structure viewer
  let viewer = null;
  let viewRequest = 0;
  let lastView = null; // the campaign last drawn, redrawn at once when another property is chosen

  // A token in the fragment (#token=...&campaign=...) is moved to sessionStorage and removed
  // from the address bar, so it is not left in history or shared by copying the URL.
  function readFragment() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    if (params.get('token')) sessionStorage.setItem(TOKEN_KEY, params.get('token'));
    if (params.get('campaign')) selected = params.get('campaign');
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
    token = sessionStorage.getItem(TOKEN_KEY);
  }

  async function api(method, url, body) {
    const res = await fetch(url, {
      method,
      headers: Object.assign(
        { authorization: `Bearer ${token}` },
        body === undefined ? {} : { 'content-type': 'application/json' },
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error(json.message || `HTTP ${res.status}`);
      err.status = res.status;
      throw err;
    }
    return json;
  }

  function setConn(text, bad) {
    $('conn').textContent = text;
    $('conn').className = bad ? 'bad' : 'muted';
  }

  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '–' : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function renderList(rows) {
    const tbody = $('campaigns').querySelector('tbody');
    tbody.replaceChildren();
    if (!selected && rows.length) selected = rows[0].campaign_id;
    for (const r of rows) {
      const tr = document.createElement('tr');
      tr.dataset.campaign = r.campaign_id;
      if (r.campaign_id === selected) tr.className = 'selected';
      cell(tr, r.campaign_id, 'id');
      cell(tr, r.state.replace(/_/g, ' '), `state state-${r.state}`); // spaces let it wrap
      cell(tr, r.iteration);
      cell(tr, r.experiments_used === null ? null : `${r.experiments_used}/${r.experiments_max}`);
      cell(tr, r.best === null ? null : P.fmt(r.best));
      tr.addEventListener('click', () => {
        selected = r.campaign_id;
        history.replaceState(null, '', `#campaign=${encodeURIComponent(selected)}`);
        pollNow();
      });
      tbody.appendChild(tr);
    }
    if (!rows.length) {
      const tr = document.createElement('tr');
      cell(tr, 'no campaigns yet').colSpan = 5;
      tbody.appendChild(tr);
    }
  }

  function renderSummary(v) {
    $('detail-title').textContent = `${v.name} — ${v.campaign_id}`;
    const s = v.status;
    const box = $('summary');
    box.replaceChildren();
    const add = (label, value, cls) => {
      const span = document.createElement('span');
      span.className = `kv ${cls || ''}`;
      const b = document.createElement('b');
      b.textContent = label;
      span.append(b, ` ${value}`);
      box.appendChild(span);
    };
    add('objective', `${v.objective.direction} ${v.objective.property}`);
    if (!s) return add('state', 'importing');
    add('state', s.state, `state state-${s.state}`);
    add('iteration', `${s.iteration}/${s.budget.iterations_max}`);
    add('experiments', `${s.budget.experiments_used}/${s.budget.experiments_max}`);
    add('failed', s.failed_experiments);
    add('best', s.best ? `${P.fmt(s.best.value)} (${s.best.candidate_id})` : '–');
    if (s.stop_reason) add('stopped', s.stop_reason);
  }

  function renderProgress(v) {
    const m = v.progress.measured;
    const measured = m.map((y, i) => ({ x: i + 1, y })).filter((p) => p.y !== null);
    const best = v.progress.best.map((y, i) => [i + 1, y]);
    const random = v.progress.random_expected;
    const kMax = Math.max(m.length, v.status ? v.status.budget.experiments_max : 1, 1);
    const ys = m.concat(random || []);
    const layers = [
      { type: 'points', cls: 'measured-point', label: 'measured', r: 3, points: measured },
      { type: 'step', cls: 'best-line', label: 'best so far', points: best },
    ];
    if (random)
      layers.push({
        type: 'line',
        cls: 'random-line',
        label: 'random search (expected)',
        points: random.map((y, i) => [i + 1, y]),
      });
    P.chart($('plot-progress'), {
      x: { label: 'experiments', domain: [0, kMax + 0.5] },
      y: { label: v.objective.property, domain: P.extent(ys) },
      layers,
      empty: measured.length ? undefined : 'no measurements yet',
    });
    $('progress-note').textContent = random
      ? `Dashed: ${v.progress.random_note}.`
      : `No random-search curve: ${v.progress.random_note}.`;
  }

  /**
   * Parity and calibration of one property's model. A plain campaign has only its objective
   * (v.model_quality null: selector hidden, the page as before); a multi-objective or constrained
   * campaign can show each objective and constraint property, the primary objective first.
   */
  function renderModels(v) {
    const models = v.model_quality || [];
    const select = $('parity-property');
    const key = models.map((m) => m.property).join('|');
    if (select.dataset.key !== key) {
      // Rebuilt only when the properties change, so an open drop-down survives the 2 s poll.
      select.dataset.key = key;
      select.replaceChildren();
      for (const m of models) {
        const option = document.createElement('option');
        option.value = m.property;
        option.textContent = m.role === 'objective' ? objectiveLabel(m) : `${m.property} (constraint)`;
        select.appendChild(option);
      }
    }
    select.hidden = models.length < 2;
    const chosen = models.find((m) => m.property === select.value) || models[0];
    if (chosen) select.value = chosen.property;
    const model = chosen || { property: v.objective.property, parity: v.parity, calibration: v.calibration };
    $('calibration-title').textContent =
      models.length < 2 ? '' : `— ${select.options[select.selectedIndex].text}`;
    renderParity(model, Boolean(v.outcomes) && v.outcomes.objectives.length > 1);
    renderCalibration(model, models.length > 1);
  }

  function renderParity(model, parEgo) {
    const pts = model.parity.map((p) => ({
      x: p.measured,
      y: p.predicted,
      yErr: p.std,
      xErr: p.uncertainty || 0,
      late: p.late,
      title:
        `${p.candidate_id} (iteration ${p.iteration}): measured ${P.fmt(p.measured)}, predicted ${P.fmt(p.predicted)} ± ${P.fmt(p.std)}` +
        (p.late ? ' — LATE: arrived after the experiment timed out or was cancelled' : ''),
    }));
    const dom = P.extent(pts.flatMap((p) => [p.x, p.y - p.yErr, p.y + p.yErr]));
    P.chart($('plot-parity'), {
      x: { label: `measured ${model.property}`, domain: dom },
      y: { label: `predicted ${model.property}`, domain: dom },
      layers: [
        { type: 'diagonal', cls: 'diagonal', label: 'y = x' },
        {
          type: 'points',
          cls: 'parity-point',
          label: 'measured candidate',
          points: pts.filter((p) => !p.late),
        },
      ].concat(
        // Late results (after a timeout or cancel) are drawn apart: recorded, but not learned from.
        pts.some((p) => p.late)
          ? [
              {
                type: 'points',
                cls: 'parity-point late-point',
                label: 'late result',
                points: pts.filter((p) => p.late),
              },
            ]
          : [],
      ),
      empty: pts.length ? undefined : 'no model predictions measured yet',
    });
    $('parity-note').textContent =
      `${pts.length} measured candidates picked by the model (seed experiments have no prediction). ` +
      'Bars: the surrogate’s ±1σ at pick time.' +
      (parEgo
        ? ' ParEGO picks on a scalarization; each objective here has its own model, fitted at pick time.'
        : '');
  }

  function renderCalibration(model, perProperty) {
    const c = model.calibration;
    P.chart($('plot-calibration'), {
      x: { label: 'k (standard deviations)', domain: [0, 3] },
      y: { label: 'fraction within k·σ', domain: [0, 1.02] },
      layers: [
        {
          type: 'line',
          cls: 'expected-line',
          label: 'expected (Gaussian)',
          points: c.points.map((p) => [p.k, p.expected]),
        },
        {
          type: 'step',
          cls: 'observed-line',
          label: `observed (n = ${c.n})`,
          points: c.n ? c.points.map((p) => [p.k, p.observed]) : [],
        },
      ],
      empty: c.n ? undefined : 'no predictions to calibrate yet',
    });
    $('calibration-note').textContent =
      'Observed below expected: the model is overconfident; above: underconfident. σ includes the lab’s reported uncertainty' +
      (perProperty ? ' (reported for the primary objective only).' : '.');
  }

  /** `y (maximize)`: an objective's property and which way is better, for axes and headers. */
  function objectiveLabel(o) {
    return `${o.property} (${o.direction})`;
  }

  /**
   * Multi-objective or constrained campaigns only (v.outcomes null: both panels hidden, the page
   * as before). Two or more objectives: every measured point, infeasible ones apart, the
   * feasible Pareto front marked and listed. Constraints: how many measurements satisfy each.
   */
  function renderOutcomes(v) {
    const o = v.outcomes;
    const multi = Boolean(o) && o.objectives.length >= 2;
    $('pareto-panel').hidden = !multi;
    $('constraints-panel').hidden = !o || !o.constraints.length;
    if (multi) {
      renderPareto(v, o);
      renderHypervolume(o);
    }
    if (o && o.constraints.length) renderConstraints(o);
  }

  /**
   * The two objectives the Pareto plot shows: with three or more, the axis selectors choose
   * (first two by default; rebuilt only when the objectives change, so a choice survives the poll).
   */
  function paretoAxes(o) {
    const many = o.objectives.length > 2;
    $('pareto-axes').hidden = !many;
    const xs = $('pareto-x');
    const ys = $('pareto-y');
    const key = o.objectives.map((x) => x.property).join('|');
    if (xs.dataset.key !== key) {
      xs.dataset.key = key;
      for (const [select, initial] of [
        [xs, 0],
        [ys, 1],
      ]) {
        select.replaceChildren();
        for (const x of o.objectives) {
          const option = document.createElement('option');
          option.value = x.property;
          option.textContent = objectiveLabel(x);
          select.appendChild(option);
        }
        select.value = o.objectives[initial].property;
      }
    }
    const find = (select, fallback) => o.objectives.find((x) => x.property === select.value) || fallback;
    return [find(xs, o.objectives[0]), find(ys, o.objectives[1])];
  }

  function renderPareto(v, o) {
    const [a, b] = paretoAxes(o);
    // With more than two objectives the front is non-dominated in all of them: in a 2-D view its
    // points are marked, not joined (the projection is not a curve).
    const joined = o.objectives.length === 2;
    const onFront = new Set(o.pareto_front.map((p) => p.experiment_id));
    const point = (p) => ({
      x: p.values[a.property],
      y: p.values[b.property],
      title:
        `${p.candidate_id}: ${a.property} ${P.fmt(p.values[a.property])}, ${b.property} ${P.fmt(p.values[b.property])}` +
        (p.feasible ? '' : ' — INFEASIBLE: fails an outcome constraint') +
        (onFront.has(p.experiment_id) ? ' — on the Pareto front' : ''),
    });
    const feasible = o.points.filter((p) => p.feasible && !onFront.has(p.experiment_id)).map(point);
    const infeasible = o.points.filter((p) => !p.feasible).map(point);
    const front = o.pareto_front.map(point).sort((p, q) => p.x - q.x || p.y - q.y);
    const all = o.points.map(point);
    const layers = [{ type: 'points', cls: 'outcome-point', label: 'feasible', r: 3, points: feasible }];
    if (infeasible.length)
      layers.push({
        type: 'points',
        cls: 'infeasible-point',
        label: 'infeasible (constraint)',
        r: 3.5,
        points: infeasible,
      });
    if (joined) layers.push({ type: 'line', cls: 'front-line', points: front.map((p) => [p.x, p.y]) });
    layers.push({
      type: 'points',
      cls: 'front-point',
      label: joined ? 'Pareto front' : `Pareto front (all ${o.objectives.length} objectives)`,
      r: 5,
      points: front,
    });
    P.chart($('plot-pareto'), {
      x: { label: objectiveLabel(a), domain: P.extent(all.map((p) => p.x)) },
      y: { label: objectiveLabel(b), domain: P.extent(all.map((p) => p.y)) },
      layers,
      empty: all.length ? undefined : 'no measurements with every objective yet',
    });
    $('pareto-title').textContent = joined
      ? `— ${a.direction} ${a.property}, ${b.direction} ${b.property}`
      : `— ${o.objectives.length} objectives:`;

    const head = $('pareto-front').querySelector('thead tr');
    head.replaceChildren();
    for (const h of ['candidate', ...o.objectives.map(objectiveLabel), 'experiment']) {
      const th = document.createElement('th');
      th.textContent = h;
      head.appendChild(th);
    }
    const tbody = $('pareto-front').querySelector('tbody');
    tbody.replaceChildren();
    for (const p of o.pareto_front) {
      const tr = document.createElement('tr');
      tr.className = 'front-row';
      cell(tr, p.candidate_id, 'id');
      for (const x of o.objectives) cell(tr, P.fmt(p.values[x.property]));
      cell(tr, p.experiment_id, 'id muted');
      candidateLink(tr, v.campaign_id, p.candidate_id);
      tbody.appendChild(tr);
    }
    $('pareto-note').textContent =
      `${o.pareto_front.length} on the front of ${o.feasible} feasible, ${o.measured} measured with ${joined ? 'both objectives' : 'every objective'}` +
      (o.measured > o.feasible ? `; ${o.measured - o.feasible} infeasible (hollow red)` : '') +
      '. The front is the non-dominated feasible points, best first in the first objective.' +
      (o.hypervolume
        ? ` Hypervolume ${P.fmt(o.hypervolume.value)} above ${o.objectives
            .map((x, j) => `${x.property} ${P.fmt(o.hypervolume.reference_point[j])}`)
            .join(
              ', ',
            )} (${o.hypervolume.reference === 'spec' ? "the spec's reference point" : 'reference point inferred from the front, so it moves as the front grows'}).`
        : '');
  }

  /** The front's hypervolume after each measurement (one reference point throughout). */
  function renderHypervolume(o) {
    const trace = o.hypervolume_trace || [];
    P.chart($('plot-hypervolume'), {
      x: { label: 'measurements with every objective', domain: [0, Math.max(trace.length, 1) + 0.5] },
      y: { label: 'hypervolume', domain: P.extent(trace.concat([0])) },
      layers: [
        {
          type: 'step',
          cls: 'hypervolume-line',
          label: 'hypervolume',
          points: trace.map((h, i) => [i + 1, h]),
        },
      ],
      legend: false,
      empty: trace.length ? undefined : 'no feasible point yet',
    });
  }

  function renderConstraints(o) {
    const tbody = $('constraints').querySelector('tbody');
    tbody.replaceChildren();
    for (const c of o.constraints) {
      const tr = document.createElement('tr');
      tr.className = 'constraint-row';
      tr.dataset.property = c.property;
      cell(tr, c.property, 'id');
      const bounds =
        c.min !== null && c.max !== null
          ? `${P.fmt(c.min)} ≤ ${c.property} ≤ ${P.fmt(c.max)}`
          : c.min !== null
            ? `${c.property} ≥ ${P.fmt(c.min)}`
            : `${c.property} ≤ ${P.fmt(c.max)}`;
      cell(tr, bounds);
      cell(tr, `${c.satisfied} / ${c.measured}`, 'counts');
      tbody.appendChild(tr);
    }
    $('constraints-note').textContent =
      `${o.feasible} of ${o.measured} measured points satisfy every constraint.` +
      (o.excluded_elements.length ? ` Excluded elements: ${o.excluded_elements.join(', ')}.` : '');
  }

  function age(iso) {
    const s = Math.max(0, Math.round((Date.now() + clockSkewMs - Date.parse(iso)) / 1000));
    if (s < 120) return `${s} s`;
    if (s < 7200) return `${Math.round(s / 60)} min`;
    if (s < 172800) return `${Math.round(s / 3600)} h`;
    return `${Math.round(s / 86400)} d`;
  }

  function renderPending(v) {
    const tbody = $('pending').querySelector('tbody');
    tbody.replaceChildren();
    for (const e of v.pending) {
      const tr = document.createElement('tr');
      tr.className = 'pending-row';
      cell(tr, e.experiment_id, 'id');
      candidateLink(cell(tr, e.candidate_id + (e.has_structure ? ' ◆' : '')), v.campaign_id, e.candidate_id);
      cell(tr, e.iteration);
      cell(tr, e.lab_id);
      cell(tr, age(e.requested_at), 'age');
      const partials = cell(tr, e.partial_results, e.partial_results ? 'partials' : 'partials muted');
      if (e.last_partial_at) partials.title = `last partial result ${age(e.last_partial_at)} ago`;
      const pushed = cell(tr, e.pushed_at ? 'yes' : 'no', e.pushed_at ? 'pushed' : 'pushed muted');
      pushed.title = e.pushed_at
        ? `delivered to the lab's webhook ${age(e.pushed_at)} ago`
        : 'not pushed: the lab pulls it (no webhook registered, or delivery still pending)';
      tbody.appendChild(tr);
    }
    $('pending-note').textContent = v.pending.length
      ? 'Age: since the request. Partials: intermediate readings posted so far. Pushed: delivered to the lab’s webhook.'
      : 'No experiments waiting for a lab.';
  }

  function interval(iv) {
    return iv ? ` [${P.fmt(iv[0])}, ${P.fmt(iv[1])}]` : '';
  }

  function renderMd(v) {
    const tbody = $('md-runs').querySelector('tbody');
    tbody.replaceChildren();
    for (const r of v.md_runs) {
      const tr = document.createElement('tr');
      tr.className = 'md-row';
      tr.dataset.run = r.run_id;
      candidateLink(cell(tr, r.candidate_id), v.campaign_id, r.candidate_id);
      cell(tr, r.iteration);
      cell(tr, r.status, `state md-${r.status}`);
      const a = cell(tr, age(r.created_at), 'age');
      a.title = r.finished_at
        ? `started ${r.created_at}, finished ${r.finished_at}`
        : `started ${r.created_at}`;
      const jobs = cell(tr, '');
      jobs.className = 'md-jobs';
      if (!r.jobs.length) jobs.textContent = 'no job submitted yet';
      for (const j of r.jobs) {
        const div = document.createElement('div');
        div.className = `md-job md-${j.phase}`;
        div.dataset.temperature = String(j.temperature_K);
        div.textContent =
          `${j.temperature_K} K${j.attempt > 1 ? ` (attempt ${j.attempt})` : ''}: ${j.phase}` +
          `${j.job_id ? ` · job ${j.job_id}` : ''}` +
          `${j.created_at ? ` · submitted ${age(j.created_at)} ago` : ''} · updated ${age(j.updated_at)} ago` +
          (j.log10_sigma === null ? '' : ` · log10 σ ${P.fmt(j.log10_sigma)}`);
        div.title = j.detail;
        jobs.appendChild(div);
      }
      const result =
        r.status === 'running'
          ? '–'
          : r.log10_sigma_300K === null
            ? r.failure_reason || 'no result'
            : `${P.fmt(r.log10_sigma_300K)}${interval(r.log10_sigma_300K_interval)}`;
      cell(tr, result, r.log10_sigma_300K === null ? 'md-result muted' : 'md-result');
      tbody.appendChild(tr);
    }
    $('md-note').textContent = v.md_runs.length
      ? 'Age: since the candidate’s MD run began. Job times are their last recorded update.'
      : 'No MD runs for this campaign (its spec has no md stage, or none has started).';
  }

  function renderNotifications(v) {
    const tbody = $('notifications').querySelector('tbody');
    tbody.replaceChildren();
    for (const n of v.notifications.items) {
      const tr = document.createElement('tr');
      tr.className = 'notification-row';
      tr.dataset.kind = n.kind;
      const when = cell(tr, `${age(n.created_at)} ago`, 'age');
      when.title = n.created_at;
      cell(tr, n.kind.replace(/_/g, ' '), `kind kind-${n.kind}`);
      cell(tr, n.message);
      const d = cell(tr, '');
      d.className = 'delivery';
      if (!n.channels.length) d.textContent = 'recorded (no channel configured)';
      for (const c of n.channels) {
        const div = document.createElement('div');
        div.className = c.delivered_at ? 'channel delivered' : 'channel failed bad';
        div.dataset.channel = c.channel;
        div.textContent = c.delivered_at
          ? `${c.channel}: delivered ${age(c.delivered_at)} ago`
          : `${c.channel}: ${c.error}`;
        if (c.delivered_at) div.title = c.delivered_at;
        d.appendChild(div);
      }
      tbody.appendChild(tr);
    }
    const shown = v.notifications.items.length;
    $('notifications-note').textContent = !shown
      ? 'No notifications for this campaign yet.'
      : v.notifications.total > shown
        ? `Newest ${shown} of ${v.notifications.total}.`
        : '';
  }

  /** The audit log: who approved, trimmed or rejected which batch, when and why. */
  function renderDecisions(v) {
    const tbody = $('decisions').querySelector('tbody');
    tbody.replaceChildren();
    for (const d of v.decisions) {
      const tr = document.createElement('tr');
      tr.className = 'decision-row';
      tr.dataset.decision = d.decision;
      cell(tr, String(d.iteration));
      cell(tr, d.decision, `kind decision-${d.decision}`);
      cell(tr, String(d.kept_candidate_ids.length)).title = d.kept_candidate_ids.join(', ');
      cell(tr, String(d.excluded_candidate_ids.length)).title = d.excluded_candidate_ids.join(', ');
      cell(tr, d.decided_by);
      cell(tr, `${age(d.decided_at)} ago`, 'age').title = d.decided_at;
      cell(tr, d.reason ?? '');
      tbody.appendChild(tr);
    }
    $('decisions-note').textContent = v.decisions.length ? '' : 'No approval decisions for this campaign.';
  }

  /** Makes `el` open the candidate's crystal structure in the viewer (click or Enter). */
  function candidateLink(el, campaignId, candidateId) {
    el.classList.add('candidate-link');
    el.tabIndex = 0;
    el.title = `show the crystal structure of ${candidateId}`;
    el.dataset.candidate = candidateId;
    if (viewing && viewing.campaign === campaignId && viewing.candidate === candidateId)
      el.classList.add('viewing');
    const open = () => showStructure(campaignId, candidateId);
    el.addEventListener('click', open);
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') open();
    });
  }

  function renderTop(v) {
    const tbody = $('top').querySelector('tbody');
    tbody.replaceChildren();
    for (const c of v.top_candidates) {
      const tr = document.createElement('tr');
      tr.className = 'top-row';
      cell(tr, c.candidate_id, 'id');
      cell(tr, c.formula);
      const value = cell(tr, P.fmt(c.value) + (c.late ? ' (late)' : ''));
      if (c.late) {
        tr.classList.add('late');
        value.title =
          'arrived after its experiment timed out or was cancelled: recorded, not used by the campaign';
      }
      cell(tr, c.iteration);
      cell(tr, c.has_structure ? '◆ yes' : 'none', c.has_structure ? 'has-structure' : 'muted');
      candidateLink(tr, v.campaign_id, c.candidate_id);
      tbody.appendChild(tr);
    }
    const n = v.structures.count;
    $('top-note').textContent =
      (v.top_candidates.length ? '' : 'No succeeded measurements yet. ') +
      (n
        ? `${n} candidates of this pool have a crystal structure (◆). Click a row to view it.`
        : 'This pool has no crystal structures (a table without CIFs); `crucible import` can add them.');
    const late = v.measurements.late;
    $('late-note').textContent = late
      ? `${late} of ${v.measurements.total} measurements arrived late (after their experiment timed out or was cancelled): recorded and marked “late”, not learned from.`
      : '';
  }

  function resetViewer(text) {
    if (viewer) viewer.destroy();
    viewer = null;
    $('structure-canvas').hidden = true;
    $('structure-title').textContent = '';
    $('structure-info').textContent = '';
    $('structure-note').className = 'note';
    $('structure-note').textContent = text;
  }

  async function showStructure(campaignId, candidateId) {
    viewing = { campaign: campaignId, candidate: candidateId };
    document.querySelectorAll('.candidate-link').forEach((el) => {
      el.classList.toggle('viewing', el.dataset.candidate === candidateId);
    });
    const request = ++viewRequest;
    resetViewer(`loading ${candidateId}…`);
    document.body.dataset.structure = 'loading';
    $('structure-title').textContent = `— ${candidateId}`;
    try {
      const url = `/campaigns/${encodeURIComponent(campaignId)}/candidates/${encodeURIComponent(candidateId)}/structure`;
      const r = await api('GET', url);
      if (request !== viewRequest) return; // a later click won
      if (!r.structure) {
        resetViewer(`No structure to show: ${r.reason}`);
        $('structure-title').textContent = `— ${candidateId}${r.formula ? ` (${r.formula})` : ''}`;
        document.body.dataset.structure = 'none';
        return;
      }
      const s = r.structure;
      $('structure-note').textContent =
        'Drag to rotate, wheel to zoom, double-click to reset. ' +
        (s.is_ordered ? '' : 'Pies: partially occupied sites, one wedge per species (white: vacant share).');
      $('structure-title').textContent = `— ${candidateId} (${r.formula || s.formula})`;
      $('structure-info').textContent =
        `${s.formula} · space group ${s.space_group.symbol} (${s.space_group.number})` +
        `${s.matches_stated_space_group === false ? ', differs from the CIF’s' : ''} · ${s.num_sites} sites` +
        `${s.is_ordered ? '' : ' · partial occupancies'}`;
      const canvas = $('structure-canvas');
      canvas.hidden = false;
      viewer = window.CrucibleStructure.create(canvas, s);
      document.body.dataset.structure = 'drawn';
    } catch (err) {
      if (request !== viewRequest) return;
      resetViewer(`Cannot load the structure of ${candidateId}: ${err.message}`);
      $('structure-note').className = 'bad';
      document.body.dataset.structure = 'error';
    }
  }

  function renderApproval(v) {
    const box = $('approval');
    const a = v.approval;
    // Rebuild only when the batch awaiting approval changes: a PI may be unticking candidates or
    // typing a reason, and the 2 s poll must not wipe that (or the message of a decision in flight).
    const key = a ? `${v.campaign_id}|${a.iteration}|${a.candidate_ids.join(',')}` : `${v.campaign_id}|none`;
    if (box.dataset.key === key || box.dataset.busy === '1') {
      if (a) $('approval-head').textContent = approvalHead(a);
      return;
    }
    box.dataset.key = key;
    box.replaceChildren();
    if (!a) {
      const p = document.createElement('p');
      p.className = 'note';
      p.textContent = 'No batch is waiting for approval.';
      box.appendChild(p);
      return;
    }
    const head = document.createElement('p');
    head.id = 'approval-head';
    head.textContent = approvalHead(a);
    const list = document.createElement('ul');
    list.id = 'approval-candidates';
    const boxes = a.candidates.map((c) => {
      const li = document.createElement('li');
      const label = document.createElement('label');
      const tick = document.createElement('input');
      tick.type = 'checkbox';
      tick.checked = true;
      tick.value = c.candidate_id;
      label.append(
        tick,
        c.mean === null
          ? ` ${c.candidate_id}`
          : ` ${c.candidate_id}: predicted ${P.fmt(c.mean)} ± ${P.fmt(c.std)}`,
      );
      li.appendChild(label);
      list.appendChild(li);
      return tick;
    });
    const reason = document.createElement('input');
    reason.placeholder = 'reason (optional)';
    reason.id = 'decision-reason';
    const msg = document.createElement('p');
    msg.id = 'decision-message';
    const button = (label, id, choose) => {
      const b = document.createElement('button');
      b.textContent = label;
      b.id = id;
      b.addEventListener('click', () => decide(v.campaign_id, a.iteration, choose(), reason.value, msg, box));
      return b;
    };
    // Approve with some candidates unticked is a trim to the ticked ones.
    const approveChoice = () => {
      const kept = boxes.filter((b) => b.checked).map((b) => b.value);
      if (kept.length === boxes.length) return { decision: 'approve' };
      if (kept.length === 0) return { decision: 'reject' };
      return { decision: 'trim', candidate_ids: kept };
    };
    box.append(
      head,
      list,
      reason,
      button('Approve', 'approve-button', approveChoice),
      button('Reject', 'reject-button', () => ({ decision: 'reject' })),
      msg,
    );
  }

  function approvalHead(a) {
    return `Iteration ${a.iteration}: ${a.candidate_ids.length} candidates proposed, waiting ${age(a.requested_at)}. Untick candidates to trim the batch.`;
  }

  async function decide(campaignId, iteration, choice, reason, msg, box) {
    box.dataset.busy = '1';
    msg.className = '';
    msg.textContent = `sending ${choice.decision}…`;
    try {
      const body = Object.assign({ iteration }, choice);
      if (reason) body.reason = reason;
      await api('POST', `/campaigns/${encodeURIComponent(campaignId)}/decision`, body);
      msg.textContent = `${choice.decision} sent for iteration ${iteration}.`;
    } catch (err) {
      msg.className = 'bad';
      msg.textContent =
        err.status === 404 && /route/i.test(err.message)
          ? 'this server has no decision route yet'
          : `${choice.decision} failed: ${err.message}`;
    } finally {
      setTimeout(() => {
        delete box.dataset.busy;
      }, POLL_MS);
    }
  }

  async function poll() {
    if (!token) return;
    try {
      const t0 = Date.now();
      const list = await api('GET', '/dashboard/api/campaigns');
      clockSkewMs = Date.parse(list.server_time) - (t0 + Date.now()) / 2;
      renderList(list.campaigns);
      if (selected) {
        const v = await api('GET', `/dashboard/api/campaigns/${encodeURIComponent(selected)}`);
        $('detail').hidden = false;
        renderSummary(v);
        renderProgress(v);
        lastView = v;
        renderModels(v);
        renderOutcomes(v);
        renderPending(v);
        renderTop(v);
        renderApproval(v);
        renderMd(v);
        renderNotifications(v);
        renderDecisions(v);
        if (viewing && viewing.campaign !== v.campaign_id) {
          viewing = null;
          viewRequest += 1;
          resetViewer(
            'Click a candidate (top candidates, pending experiments) to see its crystal structure.',
          );
        }
        document.body.dataset.campaign = v.campaign_id;
        document.body.dataset.state = v.status ? v.status.state : 'importing';
      }
      polls += 1;
      document.body.dataset.polls = String(polls); // lets tests (and curious PIs) see it is live
      setConn(`signed in · updated ${new Date().toLocaleTimeString()}`);
    } catch (err) {
      if (err.status === 401 || err.status === 403) {
        signOut(err.status === 401 ? 'token refused: sign in again' : 'this token may not read campaigns');
        return;
      }
      setConn(`update failed: ${err.message}`, true);
    }
    timer = setTimeout(poll, POLL_MS);
  }

  function pollNow() {
    clearTimeout(timer);
    poll();
  }

  function signOut(message) {
    clearTimeout(timer);
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $('logout').hidden = true;
    $('token').hidden = false;
    $('signin').hidden = false;
    setConn(message || 'not signed in', Boolean(message));
  }

  function signedIn() {
    $('logout').hidden = false;
    $('token').hidden = true;
    $('signin').hidden = true;
    pollNow();
  }

  document.addEventListener('DOMContentLoaded', () => {
    readFragment();
    $('login').addEventListener('submit', (e) => {
      e.preventDefault();
      token = $('token').value.trim();
      $('token').value = '';
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      signedIn();
    });
    $('logout').addEventListener('click', () => signOut());
    $('parity-property').addEventListener('change', () => lastView && renderModels(lastView));
    for (const id of ['pareto-x', 'pareto-y'])
      $(id).addEventListener(
        'change',
        () => lastView && lastView.outcomes && renderPareto(lastView, lastView.outcomes),
      );
    if (token) signedIn();
  });
})();
