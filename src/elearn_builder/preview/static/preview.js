/* preview.js: the preview page. Follows the server's builds through Server-Sent Events (/events):
 * a good build that changed the package in the frame relaunches it (the learner's record is kept, so it resumes
 * where it was); a failed one shows its diagnostics and keeps the last good build. The side panel
 * shows what the package told the LMS (lms.js) and the xAPI statements it sent to the preview's
 * LRS (/xapi/statements, given to the package in its launch URL). All text goes in as text. */
(function () {
  "use strict";

  const $ = (selector) => document.querySelector(selector);
  const AUTH = `Basic ${btoa("preview:preview")}`; // the preview's LRS accepts anything: the packages need some auth
  const stores = {};
  let state = null;
  let current = "";
  let shown = ""; // the package and digest in the frame: relaunched only when they change

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function fill(parent, nodes) {
    parent.replaceChildren(...nodes);
  }
  const launchInfo = () => (state ? state.launches.find((l) => l.package === current) : null);

  function renderBuild() {
    const title = state.title ? `Preview: ${state.title}` : "elearn preview";
    $("#title").textContent = title;
    document.title = title;
    $("#build").textContent = state.ok ? `Build ${state.generation}: ${state.seconds.toFixed(2)} s`
      : `Build ${state.generation} failed: ${state.diagnostics.length} line(s) below`;
    $("#diagnostics").hidden = state.ok;
    $("#diagnostics-kept").textContent = state.launches.length ? "The frame keeps the last good build."
      : "There is no good build yet to show.";
    fill($("#diagnostic-list"), state.ok ? [] : state.diagnostics.map((line) => el("li", line)));
    $("#notes-box").hidden = !state.notes.length;
    fill($("#notes"), state.notes.map((line) => el("li", line)));
    const select = $("#launch");
    fill(select, state.launches.map((l) => {
      const option = el("option", `${l.stage_title} (${l.label})`);
      option.value = l.package;
      return option;
    }));
    if (!state.launches.some((l) => l.package === current)) current = state.launches.length ? state.launches[0].package : "";
    select.value = current;
    $("#no-package").hidden = !!state.launches.length;
    $("#sco").hidden = !state.launches.length;
  }

  function renderPanel() {
    const info = launchInfo();
    if (!info) return;
    const store = stores[info.package];
    const fmt = info.format;
    const v = (element) => PreviewLms.value(fmt, store, element);
    const shown = PreviewLms.summary(fmt, store);
    $("#lms-session").textContent = `${store.running ? "running" : (store.launches ? "finished" : "not started")}`
      + `, launch ${store.launches}, entry "${shown.entry}"`;
    $("#lms-status").textContent = shown.status;
    $("#lms-score").textContent = shown.score;
    $("#lms-location").textContent = shown.location;
    $("#lms-suspend").textContent = `${v("cmi.suspend_data").length.toLocaleString("en-GB")} of ${info.state_limit.toLocaleString("en-GB")} characters`;
    fill($("#interactions tbody"), PreviewLms.interactions(fmt, store).map((row) => {
      const tr = el("tr");
      [row.id, row.type, row.response, row.result].forEach((cell) => tr.appendChild(el("td", cell)));
      return tr;
    }));
    fill($("#calls"), store.calls.slice(-60).map((c) => el("li", `${c.name}(${c.args.map((a) => JSON.stringify(a)).join(", ")})`
      + ` = ${JSON.stringify(c.result)}${c.error !== "0" ? `  error ${c.error}` : ""}`, c.error !== "0" ? "failed" : "")));
    $("#xapi-note").textContent = info.xapi ? "Sent to the preview's LRS (newest first):"
      : "This build sends no xAPI statements: it found no xAPI profile (xapi_profiles/<programme id>.jsonld).";
  }

  function launch() {
    const info = launchInfo();
    if (!info) return;
    stores[info.package] = stores[info.package] || PreviewLms.newStore();
    PreviewLms.install(window, info.format, stores[info.package], renderPanel, info.state_limit);
    const query = new URLSearchParams({ endpoint: `${window.location.origin}/xapi/`, auth: AUTH, build: String(state.generation) });
    $("#sco").src = `/pkg/${encodeURIComponent(info.package)}/index.html?${query}`;
    shown = `${info.package} ${info.digest}`;
    fetch("/api/focus", { method: "POST", body: info.package }); // rebuilt first after the next edit
    renderPanel();
  }

  async function refresh() {
    const response = await fetch("/api/state", { cache: "no-store" });
    state = await response.json();
    renderBuild();
    const info = launchInfo();
    /* A failed build leaves the frame as it is; a page opened while the sources are broken shows the last good one. */
    if (info && (state.ok || !shown) && `${info.package} ${info.digest}` !== shown) launch();
  }

  async function loadStatements() {
    const response = await fetch("/api/statements", { cache: "no-store" });
    const list = await response.json();
    fill($("#statements"), list.slice(-100).reverse().map((s) => {
      const verb = (s.verb && s.verb.display && (s.verb.display["en-GB"] || Object.values(s.verb.display)[0])) || (s.verb && s.verb.id) || "?";
      const object = (s.object && s.object.definition && s.object.definition.name
        && (s.object.definition.name["en-GB"] || Object.values(s.object.definition.name)[0])) || (s.object && s.object.id) || "?";
      const r = s.result || {};
      const extra = [r.score && r.score.scaled !== undefined ? `score ${r.score.scaled}` : "",
        r.success !== undefined ? (r.success ? "success" : "no success") : "", r.completion ? "completed" : ""].filter(Boolean).join(", ");
      const li = el("li", `${verb} ${object}${extra ? ` (${extra})` : ""} `);
      li.appendChild(el("code", s.object ? s.object.id : ""));
      return li;
    }));
  }

  $("#launch").addEventListener("change", (event) => { current = event.target.value; launch(); });
  $("#reset").addEventListener("click", async () => {
    delete stores[current];
    await fetch("/api/statements", { method: "DELETE" });
    launch();
  });

  const events = new EventSource("/events");
  events.addEventListener("build", () => { refresh(); });
  events.addEventListener("statements", () => { loadStatements(); });
  events.addEventListener("error", () => { $("#build").textContent = "Lost the preview server: is elearn preview still running?"; });
  events.addEventListener("open", () => { if (state) refresh(); });
})();
