// The dashboard's HTML shell. Static on purpose: no campaign data is ever interpolated into it,
// so nothing a user names (campaign, candidate) can become markup. The scripts fill it in.

export function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Crucible dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/static/dashboard.css">
<script src="/dashboard/static/plots.js" defer></script>
<script src="/dashboard/static/structure.js" defer></script>
<script src="/dashboard/static/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>Crucible <span class="muted">campaign dashboard</span></h1>
  <span id="conn" class="muted">not signed in</span>
  <form id="login" autocomplete="off">
    <input id="token" type="password" placeholder="API token (chemist, pi or admin)" aria-label="API token">
    <button type="submit" id="signin">Sign in</button>
    <button type="button" id="logout" hidden>Sign out</button>
  </form>
</header>
<main>
  <section id="list-panel" class="panel">
    <h2>Campaigns</h2>
    <table id="campaigns">
      <thead><tr><th>campaign</th><th>state</th><th>iter.</th><th>experiments</th><th>best</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section id="detail" hidden>
    <div class="panel" id="summary-panel">
      <h2 id="detail-title"></h2>
      <div id="summary"></div>
    </div>
    <div class="grid">
      <div class="panel"><h3>Best so far vs experiments</h3>
        <svg id="plot-progress" viewBox="0 0 520 320" role="img" aria-label="best so far"></svg>
        <p class="note" id="progress-note"></p></div>
      <div class="panel"><h3>Parity: predicted vs measured (±1σ)
        <select id="parity-property" aria-label="property whose model is shown" hidden></select></h3>
        <svg id="plot-parity" viewBox="0 0 520 320" role="img" aria-label="parity plot"></svg>
        <p class="note" id="parity-note"></p></div>
      <div class="panel"><h3>Uncertainty calibration <span id="calibration-title" class="muted"></span></h3>
        <svg id="plot-calibration" viewBox="0 0 520 320" role="img" aria-label="calibration"></svg>
        <p class="note" id="calibration-note"></p></div>
      <div class="panel" id="pareto-panel" hidden><h3>Pareto front <span id="pareto-title" class="muted"></span>
        <span id="pareto-axes" hidden><select id="pareto-x" aria-label="objective on the x axis"></select>
        vs <select id="pareto-y" aria-label="objective on the y axis"></select></span></h3>
        <svg id="plot-pareto" viewBox="0 0 520 320" role="img" aria-label="Pareto front"></svg>
        <table id="pareto-front"><thead><tr></tr></thead><tbody></tbody></table>
        <svg id="plot-hypervolume" viewBox="0 0 520 200" role="img" aria-label="hypervolume vs experiments"></svg>
        <p class="note" id="pareto-note"></p></div>
      <div class="panel" id="constraints-panel" hidden><h3>Outcome constraints</h3>
        <table id="constraints"><thead><tr><th>property</th><th>bounds</th><th>satisfied / measured</th></tr></thead><tbody></tbody></table>
        <p class="note" id="constraints-note"></p></div>
      <div class="panel"><h3>Approval queue</h3><div id="approval"></div>
        <h3>Pending experiments</h3>
        <table id="pending"><thead><tr><th>experiment</th><th>candidate</th><th>iter.</th><th>lab</th><th>age</th><th>partials</th><th>pushed</th></tr></thead><tbody></tbody></table>
        <p class="note" id="pending-note"></p></div>
      <div class="panel"><h3>Top measured candidates</h3>
        <table id="top"><thead><tr><th>candidate</th><th>formula</th><th>value</th><th>iter.</th><th>structure</th></tr></thead><tbody></tbody></table>
        <p class="note" id="top-note"></p><p class="note" id="late-note"></p></div>
      <div class="panel" id="structure-panel"><h3>Crystal structure <span id="structure-title" class="muted"></span></h3>
        <canvas id="structure-canvas" tabindex="0" role="img" aria-label="crystal structure viewer" hidden></canvas>
        <p id="structure-info" class="note"></p>
        <p id="structure-note" class="note">Click a candidate (top candidates, pending experiments) to see its crystal structure.</p></div>
      <div class="panel" id="md-panel"><h3>MD jobs</h3>
        <table id="md-runs"><thead><tr><th>candidate</th><th>iter.</th><th>state</th><th>age</th><th>jobs</th><th>log10 σ(300 K), 95 %</th></tr></thead><tbody></tbody></table>
        <p class="note" id="md-note"></p></div>
      <div class="panel" id="notifications-panel"><h3>Notifications</h3>
        <table id="notifications"><thead><tr><th>when</th><th>kind</th><th>message</th><th>delivery</th></tr></thead><tbody></tbody></table>
        <p class="note" id="notifications-note"></p></div>
      <div class="panel" id="decisions-panel"><h3>Approval decisions</h3>
        <table id="decisions"><thead><tr><th>batch</th><th>decision</th><th>kept</th><th>excluded</th><th>by</th><th>when</th><th>reason</th></tr></thead><tbody></tbody></table>
        <p class="note" id="decisions-note"></p></div>
    </div>
  </section>
</main>
</body>
</html>
`;
}
