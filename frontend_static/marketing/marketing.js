// The marketing console: segments with a live count, consent-clean exports with a progress
// bar, the tag browser, and analytics charts drawn as SVG. Merchant admins see only their
// own analytics. All user text goes in as text nodes, in the language the page was sent in
// (messages.js).
import { apiClient } from "../shared/api.js";
import { staffSession } from "../shared/session.js";
import { el, fromMinor, language, money, toMinor, translatePage, translator } from "../shared/i18n.js";
import { loadReasonNames } from "../shared/claim-reasons.js";
import { MESSAGES } from "./messages.js";

const t = translator(MESSAGES);
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
const status = $("[data-status]");
let me = null;
let tags = [];
let segments = [];

const api = apiClient("/api/v1/", { headers: () => ({ "Accept-Language": language() }) });

translatePage(t);

const results = (page) => (Array.isArray(page) ? page : page.results);
const say = (text, kind = "") => { status.className = `mk-status ${kind}`; status.textContent = text; };
const fail = (error) => say(error.message || String(error), "cd-error");
const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—");
const locale = language() === "zh-hans" ? "zh-CN" : language();
const number = (n) => (n == null ? "—" : new Intl.NumberFormat(locale).format(n));
const pluralRules = new Intl.PluralRules(locale);
// "3 purchases": the noun's form by the language's plural rules (messages.js: key_one...).
const plural = (key, n) => t(`${key}_${pluralRules.select(n)}`, { n: number(n) });
const percent = (x) => (x == null ? "—" : new Intl.NumberFormat(locale, { style: "percent",
  minimumFractionDigits: x < 0.1 ? 1 : 0, maximumFractionDigits: x < 0.1 ? 1 : 0 }).format(x));

const debounce = (fn, ms) => { let timer; return (...a) => { clearTimeout(timer); timer = setTimeout(() => fn(...a), ms); }; };

// --- Session and navigation --------------------------------------------------------------

async function start() {
  await loadReasonNames(MESSAGES);
  try {
    me = await api("crm/session/");
  } catch (error) {
    if (error.status === 401) return showSignIn();
    return fail(error);
  }
  $("[data-signin]").hidden = true;
  $("[data-main]").hidden = false;
  $("[data-tabs]").hidden = false;
  $("[data-signout]").hidden = false;
  const marketing = me.role === "marketing";
  $("[data-who]").textContent = marketing ? me.name : `${me.name} · ${me.merchant}`;
  $("[data-title]").textContent = marketing ? t("marketing") : t("forMerchants");
  for (const tab of $$("[data-tab]")) tab.hidden = !tabsFor(me).includes(tab.dataset.tab);
  $("[data-merchant-filter]").hidden = !marketing;
  $$("[data-marketing-only]").forEach((option) => { option.hidden = !marketing; option.disabled = !marketing; });
  if (marketing) {
    await loadTags();
    await loadSegments();
  }
  route();
}

const showSignIn = staffSession({ api, path: "crm/session/", start: () => start(), say, fail });

const LOADERS = { segments: () => preview(), tags: () => loadTagBrowser(), exports: () => loadExports(),
  analytics: () => loadAnalytics(), settlement: () => loadSettlement() };
// Marketing staff work the segments; a merchant admin sees its own analytics and settlement.
const tabsFor = (who) => (who.role === "marketing" ? ["segments", "tags", "exports", "analytics"] : ["analytics", "settlement"]);

function route() {
  if (!me) return;
  say("");
  const allowed = tabsFor(me);
  const wanted = location.hash.slice(1);
  const tab = allowed.includes(wanted) ? wanted : allowed[0];
  for (const panel of $$("[data-panel]")) panel.hidden = panel.dataset.panel !== tab;
  for (const link of $$("[data-tab]")) {
    if (link.dataset.tab === tab) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  LOADERS[tab]().catch(fail);
}
window.addEventListener("hashchange", route);

// --- Segment builder ---------------------------------------------------------------------

const form = $("[data-definition]");

async function loadTags() {
  tags = await api("crm/tags/");
  for (const select of $$("[data-tag-select]")) {
    const chosen = new Set([...select.selectedOptions].map((o) => o.value));
    select.replaceChildren(...tags.map((tag) => el("option", { value: tag.slug, selected: chosen.has(tag.slug),
      text: `${tag.name} (${number(tag.customers)})` })));
  }
}

async function loadSegments() {
  segments = results(await api("crm/segments/"));
  const select = $("[data-saved]");
  const current = select.value;
  select.replaceChildren(el("option", { value: "", text: t("newSegment") }),
    ...segments.map((s) => el("option", { value: s.id, text: s.name, selected: String(s.id) === current })));
}

function definition() {
  const data = {};
  for (const select of $$("[data-tag-select]", form)) {
    const values = [...select.selectedOptions].map((o) => o.value);
    if (values.length) data[select.name] = values;
  }
  for (const input of $$("[data-list]", form)) {
    const values = input.value.split(",").map((v) => v.trim()).filter(Boolean);
    if (values.length) data[input.name] = values;
  }
  for (const name of ["purchased_from", "purchased_to"]) if (form[name].value) data[name] = form[name].value;
  if (form.ltv_currency.value) {
    data.lifetime_value = { currency: form.ltv_currency.value };
    const currency = form.ltv_currency.value;
    if (form.ltv_min.value !== "") data.lifetime_value.min = toMinor(form.ltv_min.value, currency);
    if (form.ltv_max.value !== "") data.lifetime_value.max = toMinor(form.ltv_max.value, currency);
  }
  return data;
}

function fillForm(def) {
  form.reset();
  for (const select of $$("[data-tag-select]", form)) {
    for (const option of select.options) option.selected = (def[select.name] || []).includes(option.value);
  }
  for (const input of $$("[data-list]", form)) input.value = (def[input.name] || []).join(", ");
  for (const name of ["purchased_from", "purchased_to"]) form[name].value = def[name] || "";
  form.ltv_currency.value = def.lifetime_value?.currency || "";
  const ltv = def.lifetime_value;
  form.ltv_min.value = ltv?.min != null ? fromMinor(ltv.min, ltv.currency) : "";
  form.ltv_max.value = ltv?.max != null ? fromMinor(ltv.max, ltv.currency) : "";
}

function showDefinitionErrors(error) {
  const box = $("[data-definition-errors]");
  $$("[aria-invalid]", form).forEach((node) => node.removeAttribute("aria-invalid"));
  if (!error) { box.textContent = ""; return; }
  const fields = error.fields?.definition || error.fields || {};
  const lines = [];
  for (const [name, messages] of Object.entries(fields)) {
    const target = form.elements[name] || form.elements[name.replace("lifetime_value", "ltv_currency")];
    target?.setAttribute?.("aria-invalid", "true");
    lines.push(`${name}: ${[].concat(messages).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ")}`);
  }
  box.textContent = lines.length ? lines.join(" · ") : error.message;
}

let previewSeq = 0;
async function preview() {
  const seq = ++previewSeq;
  try {
    const result = await api("crm/segments/preview/", { method: "POST", body: { definition: definition() } });
    if (seq !== previewSeq) return; // a newer edit is on its way
    showDefinitionErrors(null);
    $("[data-count]").textContent = number(result.count);
    $("[data-reach-email]").textContent = number(result.reachable.email);
    $("[data-reach-sms]").textContent = number(result.reachable.sms);
    $("[data-sample]").replaceChildren(...result.sample.map((c) => el("tr", {},
      el("td", { class: "email", text: c.email }), el("td", { class: "name", text: c.name }),
      el("td", {}, c.tags.map((t) => el("span", { class: "chip", text: t }))))));
  } catch (error) {
    if (seq !== previewSeq) return;
    $("[data-count]").textContent = "—";
    showDefinitionErrors(error);
  }
}

form.addEventListener("input", debounce(preview, 250));
form.addEventListener("change", debounce(preview, 250));
form.addEventListener("submit", (event) => event.preventDefault());

$("[data-saved]").addEventListener("change", (event) => {
  const segment = segments.find((s) => String(s.id) === event.target.value);
  fillForm(segment?.definition || {});
  form.name.value = segment?.name || "";
  preview();
});

$("[data-save]").addEventListener("click", async () => {
  const id = $("[data-saved]").value;
  const body = { name: form.name.value.trim() || t("untitled"), definition: definition() };
  try {
    const saved = await api(id ? `crm/segments/${id}/` : "crm/segments/", { method: id ? "PUT" : "POST", body });
    await loadSegments();
    $("[data-saved]").value = saved.id;
    say(t("saved", { name: saved.name }), "cd-ok");
  } catch (error) { showDefinitionErrors(error); fail(error); }
});

// --- Export with a progress bar ----------------------------------------------------------

$("[data-export]").addEventListener("click", async () => {
  const button = $("[data-export]");
  const box = $("[data-job]");
  const bar = $("[data-job-progress]");
  const label = $("[data-job-label]");
  const result = $("[data-job-result]");
  const id = $("[data-saved]").value;
  const body = { format: $("[data-format]").value, channel: $("[data-channel]").value,
    ...(id ? { segment: Number(id) } : { definition: definition() }) };
  button.disabled = true;
  box.hidden = false;
  bar.value = 0;
  label.textContent = t("queued");
  result.replaceChildren();
  try {
    let job = await api("crm/exports/", { method: "POST", body });
    while (job.state === "queued" || job.state === "running") {
      await new Promise((r) => setTimeout(r, 400));
      job = await api(`crm/exports/${job.id}/`);
      bar.value = job.progress ?? 0;
      label.textContent = job.state === "running"
        ? t("exportingRows", { written: number(job.rows_written), total: number(job.total_rows) }) : t("queued");
    }
    if (job.state !== "done") throw new Error(job.error || t("exportState", { state: job.state }));
    bar.value = 1;
    label.textContent = t("doneRows", { rows: number(job.rows_written) });
    result.replaceChildren(el("a", { href: job.download_url, "data-download": "", download: "",
      text: t("download", { id: job.id }) }), " ",
    el("span", { class: "cd-muted mono", title: t("sha"), text: job.sha256.slice(0, 16) + "…" }));
  } catch (error) {
    label.textContent = t("exportFailed");
    result.replaceChildren(el("span", { class: "cd-error", text: error.message }));
  } finally {
    button.disabled = false;
  }
});

// --- Tags ----------------------------------------------------------------------------------

async function loadTagBrowser() {
  await loadTags();
  const list = $("[data-tags]");
  list.replaceChildren(...tags.map((tag) => el("li", {}, el("button", { type: "button", "aria-pressed": "false",
    onclick: (event) => showTag(tag, event.currentTarget) },
  el("span", { text: tag.name }), el("span", { class: "cd-muted", text: number(tag.customers) })))));
  const rules = await api("crm/rules/");
  $("[data-rules]").replaceChildren(...results(rules).map((rule) => el("li", {},
    el("strong", { text: rule.name }), " → ", el("span", { class: "chip", text: rule.tag }),
    rule.expires_after_days ? el("span", { class: "cd-muted", text: t("forDays", { days: rule.expires_after_days }) }) : null,
    rule.active ? null : el("span", { class: "cd-muted", text: t("off") }))));
  if (!results(rules).length) $("[data-rules]").append(el("li", { class: "cd-muted", text: t("noRules") }));
  const busiest = tags.reduce((best, tag, i) => (tag.customers > tags[best].customers ? i : best), 0);
  if (tags.length) await showTag(tags[busiest], list.querySelectorAll("button")[busiest]);
}

async function showTag(tag, button) {
  $$("[data-tags] button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
  $("[data-tag-title]").textContent = t("taggedTitle", { tag: tag.name });
  const customers = await api(`crm/customers/?tag=${encodeURIComponent(tag.slug)}`);
  const consent = (c) => [c.marketing_email && t("consentEmail"), c.marketing_sms && t("consentSms"),
    c.do_not_sell && t("consentDns")].filter(Boolean).join(", ") || t("consentNone");
  $("[data-tag-customers]").replaceChildren(...customers.map((c) => el("tr", {},
    el("td", { text: c.email }), el("td", { text: c.name }), el("td", { text: consent(c) }),
    el("td", {}, c.tags.map((t) => el("span", { class: "chip", text: t }))))));
  if (!customers.length) {
    $("[data-tag-customers]").append(el("tr", {}, el("td", { colspan: 4, class: "cd-muted", text: t("noTagged") })));
  }
}

// --- Exports (the audit list) -------------------------------------------------------------

async function loadExports() {
  const jobs = results(await api("crm/exports/"));
  $("[data-exports]").replaceChildren(...jobs.map((job) => el("tr", {},
    el("td", { class: "num", text: String(job.id) }), el("td", { text: when(job.created_at) }),
    el("td", { text: job.requested_by || "—" }), el("td", { text: `${job.format} · ${job.channel}` }),
    el("td", { text: job.state }), el("td", { class: "num", text: number(job.rows_written) }),
    el("td", { class: "mono", text: job.sha256 ? `${job.sha256.slice(0, 12)}…` : "—" }),
    el("td", {}, job.download_url ? el("a", { href: job.download_url, text: t("downloadShort") }) : "—"))));
}

// --- Analytics charts (SVG) -----------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) if (value != null) node.setAttribute(name, value);
  for (const child of children.flat()) if (child != null) node.append(child instanceof Node ? child : document.createTextNode(child));
  return node;
}
const COLORS = ["#0b5cad", "#e07b00", "#116329", "#a40e26"];
const truncate = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
// A label in lines of at most n characters, broken between words (Chinese anywhere), at most
// `most` lines; only a label longer than that is shortened, and its full text is its title.
function wrap(text, n, most = 2) {
  const words = /\s/.test(text) ? text.split(/\s+/) : Array.from(text);
  const joiner = /\s/.test(text) ? " " : "";
  const lines = [];
  let line = "";
  for (const word of words) {
    const next = line ? `${line}${joiner}${word}` : word;
    if (next.length > n && line) { lines.push(line); line = word; } else line = next;
  }
  if (line) lines.push(line);
  if (lines.length > most) lines.splice(most - 1, lines.length, truncate(lines.slice(most - 1).join(joiner), n));
  return lines.map((l) => truncate(l, n));
}

// Horizontal bars: rows of {label, values: [..]}, one bar per series, each labelled.
function barChart(rows, series, { format = number, max, labels } = {}) {
  if (!rows.length) return el("p", { class: "cd-muted", text: t("nothing") });
  const labelWidth = 190, width = 560, barH = 14, gap = 4, lineH = 14;
  const labelled = rows.map((row) => wrap(row.label, 27));
  const rowHeights = labelled.map((lines) => Math.max(series.length * (barH + gap), lines.length * lineH + 2) + 10);
  const offsets = rowHeights.map((_, i) => rowHeights.slice(0, i).reduce((a, b) => a + b, 0));
  const top = Math.max(max ?? 0, ...rows.flatMap((r) => r.values.map((v) => v ?? 0))) || 1;
  const scale = (v) => ((width - labelWidth - 70) * (v ?? 0)) / top;
  const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${rowHeights.reduce((a, b) => a + b, 0) + 4}`, role: "img",
    "aria-label": rows.map((r) => `${r.label}: ${r.values.map((v, i) => `${series[i]} ${format(v)}`).join(", ")}`).join("; ") });
  rows.forEach((row, i) => {
    const y = offsets[i] + 4;
    chart.append(svg("text", { class: "label", x: 0, y: y + barH, "font-weight": 600 },
      svg("title", {}, row.label),
      labelled[i].map((line, n) => svg("tspan", { x: 0, dy: n ? lineH : 0 }, line))));
    row.values.forEach((value, s) => {
      const by = y + s * (barH + gap);
      chart.append(svg("rect", { x: labelWidth, y: by, width: Math.max(scale(value), 1), height: barH, rx: 2, fill: COLORS[s] },
        svg("title", {}, `${row.label} · ${series[s]}: ${format(value)}`)));
      const text = labels?.[s] ? labels[s](row) : format(value);
      // After the bar when it fits (about 6.5 px a character), else inside its end.
      const end = labelWidth + scale(value);
      const fits = end + 6 + text.length * 6.5 <= width;
      chart.append(svg("text", fits ? { class: "value", x: end + 6, y: by + barH - 3 }
        : { class: "value inside", x: end - 6, y: by + barH - 3, "text-anchor": "end" }, text));
    });
  });
  return chart;
}

function legend(series) {
  return el("ul", { class: "legend" }, series.map((name, i) => el("li", {}, el("i", { style: `background:${COLORS[i]}` }), name)));
}

// Columns of claims filed per week, with the breach rate as a line on its own scale.
function slaChart(weeks) {
  const width = 520, height = 190, left = 30, bottom = 24, top = 10;
  const plotH = height - bottom - top;
  const maxFiled = Math.max(1, ...weeks.map((w) => w.filed));
  const step = (width - left - 10) / weeks.length;
  const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": weeks.map((w) => t("weekOf", { week: w.week, filed: w.filed, rate: percent(w.breach_rate) })).join("; ") });
  chart.append(svg("line", { class: "axis", x1: left, x2: width - 10, y1: top + plotH, y2: top + plotH }));
  chart.append(svg("text", { class: "value", x: 0, y: top + 8 }, String(maxFiled)));
  const points = [];
  weeks.forEach((week, i) => {
    const x = left + i * step;
    const h = (plotH * week.filed) / maxFiled;
    chart.append(svg("rect", { x: x + 3, y: top + plotH - h, width: step - 6, height: Math.max(h, week.filed ? 1 : 0), fill: COLORS[0], rx: 2 },
      svg("title", {}, t("weekTitle", { week: week.week, filed: week.filed, breached: week.breached,
        first: week.median_first_response_hours ?? "—", decision: week.median_decision_hours ?? "—" }))));
    if (i % 2 === 0 || weeks.length <= 8) {
      chart.append(svg("text", { class: "value", x: x + step / 2, y: height - 6, "text-anchor": "middle" }, week.week.slice(5)));
    }
    if (week.breach_rate != null) points.push(`${x + step / 2},${top + plotH - plotH * week.breach_rate}`);
  });
  if (points.length) {
    chart.append(svg("polyline", { points: points.join(" "), fill: "none", stroke: COLORS[3], "stroke-width": 2 }));
    for (const point of points) {
      const [cx, cy] = point.split(",");
      chart.append(svg("circle", { cx, cy, r: 3, fill: COLORS[3] }));
    }
  }
  return chart;
}

function analyticsQuery() {
  const data = new FormData($("[data-period]"));
  const params = new URLSearchParams();
  for (const name of ["since", "until", "merchant"]) if (data.get(name)) params.set(name, data.get(name));
  return params;
}

async function loadAnalytics() {
  const period = $("[data-period]");
  if (!period.since.value) {  // a year by default: claims come months after the sale
    const since = new Date(Date.now() - 364 * 86400e3);
    period.since.value = since.toISOString().slice(0, 10);
  }
  const params = analyticsQuery();
  const by = $("#by").value;
  const [offers, claims, loss, sla] = await Promise.all([
    api(`analytics/offers/?${params}`),
    api(`analytics/claims/?${params}&by=${by}`),
    api(`analytics/loss-ratio/?${params}`),
    api(`analytics/sla/?${new URLSearchParams({ weeks: "12", ...(params.get("merchant") ? { merchant: params.get("merchant") } : {}) })}`),
  ]);
  const form = $("[data-period]");
  form.since.value = offers.since;
  form.until.value = offers.until;
  const chart = (name, ...nodes) => $(`[data-chart="${name}"]`).replaceChildren(...nodes);
  const offerSeries = [t("shown"), t("bought")];
  chart("offers", barChart(offers.plans.slice(0, 8).map((p) => ({ label: p.plan_name || p.plan_code,
    values: [p.impressions, p.units], rate: p.conversion_rate })), offerSeries,
  { labels: [null, (row) => row.rate == null ? number(row.values[1]) : t("ofViews", { n: number(row.values[1]), rate: percent(row.rate) })] }), legend(offerSeries));
  const l = offers.leads;
  $("[data-leads]").textContent = t("leads", { leads: plural("purchase", l.leads), offered: number(l.offered),
    converted: number(l.converted), bought: number(l.units_bought), units: plural("unit", l.units) });
  $("[data-by-label]").textContent = t("per")[by] || by;
  chart("claims", barChart(claims.groups.slice(0, 10).map((g) => ({
    label: `${g.key || "—"} (${g.claims}/${g.contracts})`, values: [g.claim_rate] })), [t("claimRate")], { format: percent }),
  el("p", { class: "cd-muted" }, claims.groups.slice(0, 3).map((g) => `${g.key}: ` +
    Object.entries(g.reasons).map(([reason, n]) => `${t("reasons")[reason] || reason.replaceAll("_", " ")} ${n}`).join(", ")).join(" · ")));
  chart("loss", barChart(loss.plans.slice(0, 10).map((p) => ({ label: `${p.plan_name} ${p.currency}`,
    values: [p.loss_ratio] })), [t("lossRatio")], { format: percent }),
  el("p", { class: "cd-muted" }, loss.plans.slice(0, 3).map((p) => t("lossLine", { plan: p.plan_name,
    paid: money(p.claims_paid, p.currency), earned: money(p.earned_premiums, p.currency),
    kept: money(p.premiums, p.currency) })).join(" · ")));
  chart("sla", slaChart(sla.weeks), el("ul", { class: "legend" },
    el("li", {}, el("i", { style: `background:${COLORS[0]}` }), t("claimsFiled")),
    el("li", {}, el("i", { style: `background:${COLORS[3]}` }), t("breachShare"))));
}

$("[data-period]").addEventListener("submit", (event) => {
  event.preventDefault();
  loadAnalytics().catch(fail);
});

// --- Settlement (merchant admins) ----------------------------------------------------------

const day = (iso) => new Date(`${iso}T00:00:00Z`).toLocaleDateString(locale, { dateStyle: "medium", timeZone: "UTC" });
// A period is [start, end): shown with its last day.
const lastDay = (iso) => new Date(Date.parse(`${iso}T00:00:00Z`) - 86400e3).toISOString().slice(0, 10);
const cell = (text, cls) => el("td", { class: cls, text });

async function loadSettlement(refresh = false) {
  const [summary, statements, payouts] = await Promise.all([
    api(`settlement/${refresh ? "?refresh=1" : ""}`), api("statements/?page_size=500"), api("payouts/?page_size=100"),
  ]);
  const period = summary.current_period;
  $("[data-period-note]").textContent = t("periodNote", { start: day(period.start), end: day(lastDay(period.end)),
    cadence: t(summary.cadence) });
  const balances = summary.balances.flatMap((b) => [
    el("dt", { text: `${t("owedNow")} (${b.currency})` }),
    el("dd", {}, el("strong", { class: b.balance < 0 ? "negative" : "", text: money(b.balance, b.currency) }),
      b.payouts_due ? el("span", { class: "cd-muted", text: ` · ${t("payoutsDueNote", { amount: money(b.payouts_due, b.currency) })}` }) : null),
  ]);
  $("[data-balances]").replaceChildren(...(balances.length ? balances : [el("dd", { class: "cd-muted", text: t("noBalance") })]));
  const account = summary.payout_account.state;
  $("[data-account-state]").textContent = t(`account_${account}`);
  $("[data-account-state]").className = account === "active" ? "ok" : "";
  const onboard = $("[data-onboard]");
  onboard.hidden = account === "active";
  onboard.textContent = account === "pending" ? t("continueSetup") : t("setUpPayouts");

  // Periods with nothing in them are statements too (their balance carries on); they are
  // folded away unless asked for, the newest always shown.
  const all = results(statements);
  const shown = showAllPeriods ? all : all.filter((s, i) => i === 0 || s.lines_count > 0);
  const toggle = $("[data-all-periods]");
  toggle.hidden = shown.length === all.length && !showAllPeriods;
  toggle.textContent = showAllPeriods ? t("activePeriods") : t("allPeriods", { n: number(all.length) });
  const rows = shown.map((s) => el("tr", {},
    cell(s.number), cell(`${day(s.period_start)} – ${day(lastDay(s.period_end))}`),
    cell(money(s.commission, s.currency), "num"), cell(money(s.clawbacks, s.currency), "num"),
    cell(money(s.adjustments, s.currency), "num"), cell(money(s.payouts, s.currency), "num"),
    el("td", { class: "num" }, el("strong", { text: money(s.closing_balance, s.currency) })),
    el("td", {}, el("a", { href: `/api/v1/statements/${s.id}/pdf/`, text: "PDF" }), " · ",
      el("a", { href: `/api/v1/statements/${s.id}/csv/`, text: "CSV" }))));
  $("[data-statements]").replaceChildren(...(rows.length ? rows
    : [el("tr", {}, el("td", { colspan: 8, class: "cd-muted", text: t("noStatements") }))]));

  const paid = results(payouts).map((p) => el("tr", {},
    cell(String(p.id)), cell(when(p.paid_at || p.created_at)), cell(money(p.amount, p.currency), "num"),
    el("td", {}, el("span", { class: `pill ${p.state}`, text: t(`payout_${p.state}`) })),
    cell(p.state === "paid" ? t("paidVia", { id: p.stripe_transfer_id })
      : [p.failure_message, p.attempts ? t("tries", { n: p.attempts }) : ""].filter(Boolean).join(" · "))));
  $("[data-payouts]").replaceChildren(...(paid.length ? paid
    : [el("tr", {}, el("td", { colspan: 5, class: "cd-muted", text: t("noPayouts") }))]));
}

$("[data-onboard]").addEventListener("click", async () => {
  try {
    const { url } = await api("settlement/onboarding/", { method: "POST" });
    location.assign(url);
  } catch (error) { fail(error); }
});
$("[data-account-refresh]").addEventListener("click", () => loadSettlement(true).catch(fail));
let showAllPeriods = false;
$("[data-all-periods]").addEventListener("click", () => {
  showAllPeriods = !showAllPeriods;
  loadSettlement().catch(fail);
});

start();
