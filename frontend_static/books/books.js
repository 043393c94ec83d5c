// The books console: an obligor's closed months (a chart of earned premium and the loss
// ratio, the totals) and its reports to download; for finance staff, any obligor's, and
// the month's close, the reconciliation with Stripe, merchants' payouts and the claims'
// payment files. User text goes in as text nodes, in the page's language (messages.js).
import { apiClient } from "../shared/api.js";
import { staffSession } from "../shared/session.js";
import { el, fromMinor, language, minorDigits, money, toMinor, translatePage, translator } from "../shared/i18n.js";
import { MESSAGES } from "./messages.js";

const t = translator(MESSAGES);
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
const status = $("[data-status]");
const api = apiClient("/api/v1/", { headers: () => ({ "Accept-Language": language() }) });
const locale = language() === "zh-hans" ? "zh-CN" : language();
const percent = (x) => (x == null ? "—" : new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(x));
const when = (iso) => (iso ? new Date(iso).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" }) : "—");
const say = (text, kind = "") => { status.className = `bk-status ${kind}`; status.textContent = text; };
const fail = (error) => say(error.message || String(error), "cd-error");
const results = (page) => (Array.isArray(page) ? page : page.results);
const cell = (text, cls) => el("td", { class: cls, text: text ?? "—" });
const REPORTS = ["premium-bordereau", "claims-bordereau", "reserve", "loss-run", "remittance", "texas-quarterly"];
let me = null;
let months = [];

translatePage(t);

const TABS = { obligor: ["months", "reports"], finance: ["months", "reports", "close", "reconciliation", "payouts", "tax"] };
const LOADERS = { months: () => loadMonths(), reports: () => loadReports(), close: async () => {},
  reconciliation: () => loadReconciliation(), payouts: () => loadPayouts(), tax: () => loadTax() };

async function start() {
  try {
    me = await api("obligor/session/");
  } catch (error) {
    if (error.status === 401) return showSignIn();
    return fail(error);
  }
  $("[data-signin]").hidden = true;
  for (const name of ["[data-main]", "[data-tabs]", "[data-signout]"]) $(name).hidden = false;
  $("[data-who]").textContent = me.role === "finance" ? me.name : `${me.name} · ${me.provider_name}`;
  $("[data-title]").textContent = me.role === "finance" ? t("finance") : t("forObligors");
  for (const tab of $$("[data-tab]")) tab.hidden = !TABS[me.role].includes(tab.dataset.tab);
  if (me.role === "finance") {
    const providers = await api("finance/providers/");
    $("[data-provider]").replaceChildren(...providers.map((p) => el("option", { value: p.id, text: p.name })));
  }
  route();
}

const showSignIn = staffSession({ api, path: "obligor/session/", start: () => start(), say, fail });

function route() {
  if (!me) return;
  say("");
  const allowed = TABS[me.role];
  const tab = allowed.includes(location.hash.slice(1)) ? location.hash.slice(1) : allowed[0];
  for (const panel of $$("[data-panel]")) panel.hidden = panel.dataset.panel !== tab;
  for (const link of $$("[data-tab]")) {
    if (link.dataset.tab === tab) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  $("[data-provider-picker]").hidden = !(me.role === "finance" && ["months", "reports"].includes(tab));
  LOADERS[tab]().catch(fail);
}
window.addEventListener("hashchange", route);
$("[data-provider]").addEventListener("change", route);

const providerQuery = () => (me.role === "finance" ? `?provider=${$("[data-provider]").value}` : "");

// --- Months: the chart and the totals -------------------------------------------------------

const svgNS = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(svgNS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children.flat()) if (child != null) node.append(child instanceof Node ? child : document.createTextNode(child));
  return node;
}

// Columns of earned premium per month (one currency), the loss ratio as a line on its own scale.
function monthsChart(rows, currency) {
  if (!rows.length) return el("p", { class: "cd-muted", text: t("noMonths") });
  const width = 640, height = 200, left = 10, bottom = 24, top = 12, plotH = height - top - bottom;
  const top1 = Math.max(1, ...rows.map((r) => r.earned));
  const topRatio = Math.max(1, ...rows.map((r) => r.loss_ratio ?? 0));
  const step = Math.min((width - left - 10) / rows.length, 64);  // one month is no wall
  const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": rows.map((r) => t("chartRow", { month: r.month, earned: money(r.earned, currency), ratio: percent(r.loss_ratio) })).join("; ") });
  chart.append(svg("line", { class: "axis", x1: left, x2: width - 10, y1: top + plotH, y2: top + plotH }));
  const points = [];
  rows.forEach((row, i) => {
    const x = left + i * step;
    const h = (plotH * Math.max(row.earned, 0)) / top1;
    chart.append(svg("rect", { x: x + 4, y: top + plotH - h, width: Math.max(step - 8, 2), height: h, fill: "#0b5cad", rx: 2 },
      svg("title", {}, `${row.month}: ${money(row.earned, currency)}`)));
    chart.append(svg("text", { x: x + step / 2, y: height - 6, "text-anchor": "middle" }, row.month));
    if (rows.length <= 12) {
      chart.append(svg("text", { x: x + step / 2, y: Math.max(top + plotH - h - 4, top + 8), "text-anchor": "middle" },
        money(row.earned, currency)));
    }
    if (row.loss_ratio != null) points.push([x + step / 2, top + plotH - (plotH * row.loss_ratio) / topRatio, row]);
  });
  if (points.length) {
    chart.append(svg("polyline", { points: points.map(([x, y]) => `${x},${y}`).join(" "), fill: "none", stroke: "#a40e26", "stroke-width": 2 }));
    for (const [cx, cy, row] of points) {
      chart.append(svg("circle", { cx, cy, r: 3, fill: "#a40e26" }, svg("title", {}, `${row.month}: ${percent(row.loss_ratio)}`)));
      chart.append(svg("text", { class: "ratio", x: cx + 6, y: cy - 4 }, percent(row.loss_ratio)));
    }
  }
  return chart;
}

async function loadMonths() {
  months = await api(`obligor/months/${providerQuery()}`);
  const rows = months.flatMap((m) => m.totals.map((total) => ({ month: m.month, ...total })));
  const currency = rows[0]?.currency;
  const series = rows.filter((r) => r.currency === currency).reverse();
  $("[data-chart]").replaceChildren(monthsChart(series, currency), el("ul", { class: "legend" },
    el("li", {}, el("i", { style: "background:#0b5cad" }), t("earned")),
    el("li", {}, el("i", { style: "background:#a40e26" }), t("lossRatio"))));
  $("[data-months]").replaceChildren(...(rows.length ? rows.map((r) => el("tr", {},
    cell(r.month), cell(r.currency), cell(money(r.written_net, r.currency), "num"), cell(money(r.earned, r.currency), "num"),
    cell(money(r.unearned, r.currency), "num"), cell(money(r.claims_paid, r.currency), "num"),
    cell(money(r.claims_reserved, r.currency), "num"), cell(money(r.ibnr, r.currency), "num"),
    cell(percent(r.loss_ratio), "num"), cell(money(r.remittance, r.currency), "num")))
    : [el("tr", {}, el("td", { colspan: 10, class: "cd-muted", text: t("noMonths") }))]));
}

// --- Reports of a closed month ---------------------------------------------------------------

async function loadReports() {
  months = await api(`obligor/months/${providerQuery()}`);
  const select = $("[data-report-month]");
  const chosen = select.value;
  select.replaceChildren(...months.map((m) => el("option", { value: m.month, text: m.month, selected: m.month === chosen })));
  showReports();
}

function showReports() {
  const month = $("[data-report-month]").value;
  if (!month) {
    $("[data-reports]").replaceChildren(el("tr", {}, el("td", { colspan: 2, class: "cd-muted", text: t("noMonths") })));
    return;
  }
  const query = providerQuery();
  $("[data-reports]").replaceChildren(...REPORTS.map((report) => el("tr", {}, cell(t(report === "remittance" ? "remittance_report" : report)),
    el("td", {}, ...["csv", "xlsx"].flatMap((ext, i) => [i ? " · " : "",
      el("a", { href: `/api/v1/obligor/months/${month}/${report}.${ext}${query}`, text: ext.toUpperCase() })])))));
}
$("[data-report-month]").addEventListener("change", showReports);

// --- Finance: the month's close ---------------------------------------------------------------

const closeForm = $("[data-close-form]");
const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1));
closeForm.month.value = lastMonth.toISOString().slice(0, 7);
closeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const closed = await api(`finance/months/${closeForm.month.value}/close/`, { method: "POST" });
    say(t("closed", { month: closed.month, plans: closed.plans }), "ok");
  } catch (error) { fail(error); }
});

// --- Finance: tax by jurisdiction -------------------------------------------------------------

async function loadTax() {
  // Months close for every obligor at once: any provider's list is the list of closed months.
  months = await api(`obligor/months/${providerQuery()}`);
  const select = $("[data-tax-month]");
  const chosen = select.value;
  select.replaceChildren(...months.map((m) => el("option", { value: m.month, text: m.month, selected: m.month === chosen })));
  await showTax();
}

async function showTax() {
  const month = $("[data-tax-month]").value;
  $("[data-tax-files]").replaceChildren(...(month ? ["csv", "xlsx"].flatMap((ext, i) => [i ? " · " : "",
    el("a", { href: `/api/v1/finance/months/${month}/tax.${ext}`, text: ext.toUpperCase() })]) : []));
  const rows = month ? (await api(`finance/months/${month}/tax/`)).rows : [];
  $("[data-tax]").replaceChildren(...(rows.length ? rows.map((r) => el("tr", {}, cell(`${r.place} (${r.jurisdiction})`),
    cell(r.taxes || "—"), cell(String(r.contracts), "num"), ...["taxable_sales", "collected", "refunded", "charged_back", "net", "payable"]
      .map((name) => cell(money(r[name], r.currency), "num")), el("td", {}, remittance(month, r))))
    : [el("tr", {}, el("td", { colspan: 10, class: "cd-muted", text: month ? t("noTax") : t("noMonths") }))]));
}

// What was paid to the state for the month, or the form to record the payment (the amount
// payable at the month's end, in the currency's major units, by default).
function remittance(month, row) {
  if (row.remitted) return el("span", { class: "pill paid", text: money(row.remitted, row.currency) });
  if (row.payable <= 0) return el("span", { class: "cd-muted", text: "—" });
  const digits = minorDigits(row.currency);
  const form = el("form", { class: "inline remit" },
    el("input", { name: "amount", type: "number", min: 0, step: 1 / 10 ** digits, required: true, value: fromMinor(row.payable, row.currency).toFixed(digits),
      "aria-label": t("amount") }),
    el("input", { name: "reference", required: true, maxlength: 100, placeholder: t("paymentReference"), "aria-label": t("paymentReference") }),
    el("input", { name: "paid_on", type: "date", required: true, value: new Date().toISOString().slice(0, 10), "aria-label": t("paidOn") }),
    el("button", { class: "cd-btn secondary small", type: "submit", text: t("recordPayment") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api(`finance/months/${month}/tax/remittances/`, { method: "POST", body: {
        jurisdiction: row.jurisdiction, currency: row.currency, reference: form.reference.value, paid_on: form.paid_on.value,
        amount: toMinor(form.amount.value, row.currency) } });
      say(t("paymentRecorded", { place: row.place }), "ok");
      await showTax();
    } catch (error) { fail(error); }
  });
  return form;
}
$("[data-tax-month]").addEventListener("change", () => showTax().catch(fail));

// --- Finance: reconciliation -------------------------------------------------------------------

async function loadReconciliation() {
  const overview = await api("finance/reconciliation/");
  $("[data-differences]").replaceChildren(...(overview.open.length ? overview.open.map((d) => {
    const form = el("form", {}, el("input", { type: "text", name: "note", required: true, maxlength: 300,
      "aria-label": t("resolutionNote"), placeholder: t("resolutionNote") }),
    el("button", { class: "cd-btn secondary small", type: "submit", text: t("resolve") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api(`finance/reconciliation/differences/${d.id}/resolve/`, { method: "POST", body: { note: form.note.value } });
        await loadReconciliation();
      } catch (error) { fail(error); }
    });
    return el("tr", {}, cell(d.day), cell(t(d.kind)), cell(d.what), cell(d.reference),
      cell(d.stripe_amount == null ? "—" : money(d.stripe_amount, d.currency), "num"),
      cell(d.ledger_amount == null ? "—" : money(d.ledger_amount, d.currency), "num"), el("td", {}, form));
  }) : [el("tr", {}, el("td", { colspan: 7, class: "cd-muted", text: t("noDifferences") }))]));
  $("[data-days]").replaceChildren(...(overview.days.length ? overview.days.map((d) => el("tr", {}, cell(d.day),
    cell(String(d.stripe_entries), "num"), cell(String(d.matched), "num"), cell(String(d.fees_posted), "num"),
    cell(String(d.open_differences), "num"))) : [el("tr", {}, el("td", { colspan: 5, class: "cd-muted", text: t("noDays") }))]));
}

// --- Finance: payouts and payment files ---------------------------------------------------------

async function loadPayouts() {
  const [payouts, files] = await Promise.all([api("finance/payouts/?page_size=200"), api("finance/payout-files/")]);
  const due = results(payouts);
  $("[data-merchant-payouts]").replaceChildren(...(due.length ? due.map((p) => el("tr", {}, cell(String(p.id)), cell(p.merchant),
    cell(money(p.amount, p.currency), "num"), cell(p.failure_message || t("notTried")),
    el("td", {}, el("button", { class: "cd-btn secondary small", type: "button", text: t("retry"), onclick: async () => {
      try {
        const after = await api(`finance/payouts/${p.id}/retry/`, { method: "POST" });
        say(after.state === "paid" ? t("paidNow") : after.failure_message, after.state === "paid" ? "ok" : "cd-error");
        await loadPayouts();
      } catch (error) { fail(error); }
    } })))) : [el("tr", {}, el("td", { colspan: 5, class: "cd-muted", text: t("noPayoutsDue") }))]));
  const list = results(files);
  $("[data-files]").replaceChildren(...(list.length ? list.map((f) => {
    const upload = el("form", {}, el("input", { type: "file", name: "report", required: true, "aria-label": t("bankAnswer") }),
      el("button", { class: "cd-btn secondary small", type: "submit", text: t("readBack") }));
    upload.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const counts = await api(`finance/payout-files/${f.id}/status/`, { method: "POST", form: new FormData(upload) });
        say(t("readBackDone", counts), "ok");
        await loadPayouts();
      } catch (error) { fail(error); }
    });
    return el("tr", {}, el("td", {}, el("a", { href: `/api/v1/finance/payout-files/${f.id}/download/`, text: f.reference })),
      cell(when(f.created_at)), cell(String(f.count), "num"), cell(money(f.total, f.currency), "num"),
      el("td", {}, el("span", { class: `pill ${f.state}`, text: t(`file_${f.state}`) })), el("td", {}, upload));
  }) : [el("tr", {}, el("td", { colspan: 6, class: "cd-muted", text: t("noFiles") }))]));
}

$("[data-file-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const file = await api("finance/payout-files/", { method: "POST", body: { currency: event.target.currency.value } });
    say(t("fileMade", { reference: file.reference, count: file.count }), "ok");
    await loadPayouts();
  } catch (error) { fail(error); }
});

start();
