// The merchant console: a merchant admin's go-live checklist and support contact, API keys,
// webhook endpoints with their delivery log (test events, resends), the plans offered and
// their order, the widget's snippet, allowed sites and a live preview, the customers'
// claims, the analytics charts (shared/analytics.js), statements and payouts. A new admin
// arrives from an e-mailed invite (#invite=<token>). User text goes in as text nodes, in
// the page's language (messages.js).
import { analytics, number } from "../shared/analytics.js";
import { apiClient } from "../shared/api.js";
import { loadReasonNames } from "../shared/claim-reasons.js";
import { el, language, money, translatePage, translator } from "../shared/i18n.js";
import { staffSession } from "../shared/session.js";
import { MESSAGES } from "./messages.js";

const t = translator(MESSAGES);
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
const status = $("[data-status]");
const api = apiClient("/api/v1/", { headers: () => ({ "Accept-Language": language() }) });
const locale = language() === "zh-hans" ? "zh-CN" : language();
const when = (iso) => (iso ? new Date(iso).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" }) : "—");
const say = (text, kind = "") => { status.className = `mc-status ${kind}`; status.textContent = text; };
const fail = (error) => say(error.message || String(error), "cd-error");
const results = (page) => (Array.isArray(page) ? page : page.results);
const pill = (state, text) => el("span", { class: `state ${state}`, text });
const emptyRow = (columns, text) => el("tr", {}, el("td", { colspan: columns, class: "cd-muted", text }));
const button = (text, onclick, cls = "cd-btn secondary small") => el("button", { class: cls, type: "button", text, onclick });
const EVENT_TYPES = ["contract.activated", "contract.cancelled", "contract.expired", "contract.voided",
  "claim.filed", "claim.info_requested", "claim.approved", "claim.denied", "claim.fulfilled", "claim.closed"];
const CLAIM_STATES = ["submitted", "in_review", "awaiting_customer", "pending_approval", "approved", "denied",
  "appealed", "in_fulfillment", "resolved", "closed", "withdrawn"];
let me = null;

translatePage(t);

// --- Session, invite and navigation --------------------------------------------------------

async function start() {
  await loadReasonNames(MESSAGES);
  const invite = new URLSearchParams(location.hash.slice(1)).get("invite");
  if (invite) return showInvite(invite);
  try {
    me = await api("merchant/session/");
  } catch (error) {
    if (error.status === 401) return showSignIn();
    return fail(error);
  }
  for (const name of ["[data-signin]", "[data-invite]"]) $(name).hidden = true;
  for (const name of ["[data-main]", "[data-tabs]", "[data-signout]"]) $(name).hidden = false;
  $("[data-who]").textContent = `${me.name} · ${me.merchant}`;
  route();
}

const showSignIn = staffSession({ api, path: "merchant/session/", start: () => start(), say, fail });

async function showInvite(token) {
  for (const name of ["[data-signin]", "[data-main]", "[data-tabs]"]) $(name).hidden = true;
  const section = $("[data-invite]");
  section.hidden = false;
  try {
    await api("merchant/session/").catch(() => null);  // the CSRF cookie
    const invite = await api("merchant/invites/check/", { method: "POST", body: { token } });
    $("[data-invite-for]").textContent = t("inviteFor", { merchant: invite.merchant, email: invite.email });
  } catch (error) {
    $("[data-invite-form]").hidden = true;
    $("[data-invite-for]").textContent = error.message;
    $("[data-invite-for]").className = "cd-error";
    section.append(el("p", {}, el("a", { href: "/merchant/", text: t("goToSignIn") })));
    return;
  }
  $("#invite-username").focus();
}

// Bound once, so that a form sent before the invite is checked is not sent by the browser.
$("[data-invite-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = new URLSearchParams(location.hash.slice(1)).get("invite");
  const data = Object.fromEntries(new FormData(event.target));
  try {
    await api("merchant/invites/accept/", { method: "POST", body: { token, ...data } });
    history.replaceState(null, "", "/merchant/#overview");  // the token is spent: drop it
    say(t("welcome"), "cd-ok");
    await start();
  } catch (error) { fail(error); }
});

const loadAnalytics = analytics({ api, t, fail });
const LOADERS = { overview: () => loadOverview(), keys: () => loadKeys(), webhooks: () => loadEndpoints(),
  plans: () => loadPlans(), widget: () => loadWidget(), claims: () => loadClaims(),
  analytics: () => loadAnalytics(), statements: () => loadSettlement() };
const TABS = Object.keys(LOADERS);

function route() {
  if (!me) return;
  const wanted = location.hash.slice(1);
  const tab = TABS.includes(wanted) ? wanted : TABS[0];
  for (const panel of $$("[data-panel]")) panel.hidden = panel.dataset.panel !== tab;
  for (const link of $$("[data-tab]")) {
    if (link.dataset.tab === tab) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  LOADERS[tab]().catch(fail);
}
window.addEventListener("hashchange", () => {
  say("");
  if (location.hash.startsWith("#invite=")) start();  // an invite link opened in this tab
  else route();
});

// --- Overview: the go-live checklist and the support contact ---------------------------------

async function loadOverview() {
  const [checklist, merchant] = await Promise.all([api("merchant/checklist/"), api("merchant/")]);
  const left = checklist.steps.filter((s) => s.required && !s.done).length;
  const ready = $("[data-ready]");
  ready.textContent = checklist.ready ? t("readyToGo") : t("stepsLeft", { n: number(left) });
  ready.className = checklist.ready ? "ok" : "";
  $("[data-checklist]").replaceChildren(...checklist.steps.map((step) => el("li", { class: step.done ? "done" : "" },
    el("span", { class: "mark", "aria-hidden": "true", text: step.done ? "✓" : "" }),
    el("span", { class: "what" }, el("strong", { text: t(`step_${step.code}`) }),
      el("small", { text: `${step.done ? t("done") : step.required ? t("toDo") : t("advised")} · ${t(`stepHelp_${step.code}`)}` })),
    step.done ? null : el("a", { href: `#${step.tab}`, text: t("doIt") }))));
  const form = $("[data-contact-form]");
  form.support_email.value = merchant.support_email;
  form.website.value = merchant.website;
}

$("[data-contact-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    await api("merchant/", { method: "PATCH", body: { support_email: form.support_email.value, website: form.website.value } });
    say(t("saved"), "cd-ok");
    await loadOverview();
  } catch (error) { fail(error); }
});

// --- API keys --------------------------------------------------------------------------------

async function loadKeys() {
  const keys = results(await api("merchant/api-keys/"));
  $("[data-keys]").replaceChildren(...(keys.length ? keys.map((key) => el("tr", {},
    el("td", { text: key.name }), el("td", {}, el("code", { text: key.prefix })),
    el("td", { text: when(key.created) }), el("td", { text: key.last_used_at ? when(key.last_used_at) : t("never") }),
    el("td", {}, pill(key.revoked ? "revoked" : "active", key.revoked ? t("revoked") : t("active"))),
    el("td", {}, key.revoked ? null : button(t("revoke"), () => revokeKey(key)))))
    : [emptyRow(6, t("noKeys"))]));
}

async function revokeKey(key) {
  if (!confirm(t("revokeConfirm", { name: key.name }))) return;
  try {
    await api(`merchant/api-keys/${encodeURIComponent(key.id)}/revoke/`, { method: "POST" });
    say(t("keyRevoked", { name: key.name }), "cd-ok");
    await loadKeys();
  } catch (error) { fail(error); }
}

$("[data-key-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    const created = await api("merchant/api-keys/", { method: "POST", body: { name: form.name.value } });
    $("[data-new-key-value]").textContent = created.key;
    $("[data-new-key]").hidden = false;
    form.reset();
    await loadKeys();
  } catch (error) { fail(error); }
});

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    say(t("copied"), "cd-ok");
  } catch {
    say(t("copyByHand"));
  }
}
$("[data-copy-key]").addEventListener("click", () => copy($("[data-new-key-value]").textContent));

// --- Webhook endpoints and their deliveries ----------------------------------------------------

$("[data-event-types]").replaceChildren(...EVENT_TYPES.map((type) => el("label", {},
  el("input", { type: "checkbox", name: "event_types", value: type }), el("code", { text: type }))));

let openEndpoint = null;

async function loadEndpoints() {
  const endpoints = results(await api("webhook-endpoints/"));
  $("[data-endpoints]").replaceChildren(...(endpoints.length ? endpoints.map((endpoint) => el("tr", {
    "aria-selected": String(openEndpoint?.id === endpoint.id) },
  el("td", {}, el("code", { text: endpoint.url })),
  el("td", { text: endpoint.event_types.length ? endpoint.event_types.join(", ") : t("allEvents") }),
  el("td", { text: when(endpoint.created_at) }),
  el("td", { class: "num" }, button(t("deliveries"), () => showDeliveries(endpoint)),
    button(t("sendTest"), () => sendTest(endpoint)), button(t("remove"), () => removeEndpoint(endpoint)))))
    : [emptyRow(4, t("noEndpoints"))]));
  if (openEndpoint && !endpoints.some((e) => e.id === openEndpoint.id)) openEndpoint = null;
  $("[data-deliveries-card]").hidden = !openEndpoint;
  if (openEndpoint) await loadDeliveries();
}

async function showDeliveries(endpoint) {
  openEndpoint = endpoint;
  await loadEndpoints().catch(fail);
}

async function loadDeliveries() {
  const endpoint = openEndpoint;
  $("[data-deliveries-title]").textContent = t("deliveriesTo", { url: endpoint.url });
  const deliveries = results(await api(`webhook-endpoints/${endpoint.id}/deliveries/`));
  $("[data-deliveries]").replaceChildren(...(deliveries.length ? deliveries.map((d) => el("tr", {},
    el("td", { text: when(d.delivered_at || d.created_at) }), el("td", {}, el("code", { text: d.event_type })),
    el("td", {}, pill(d.state, t(`delivery_${d.state}`))), el("td", { class: "num", text: number(d.attempts) }),
    el("td", {}, d.last_status_code ? el("span", { text: `HTTP ${d.last_status_code} ` }) : null,
      d.last_error ? el("span", { class: "error-text", text: d.last_error }) : null,
      d.state === "retrying" ? el("span", { class: "cd-muted", text: ` ${t("nextTry", { at: when(d.next_attempt_at) })}` }) : null),
    el("td", { class: "num" }, d.state === "pending" ? null : button(t("resend"), () => resend(endpoint, d)))))
    : [emptyRow(6, t("noDeliveries"))]));
}

// A delivery is sent by a worker: the log is read again once it has had time to answer.
const settle = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
async function refreshDeliveriesSoon() {
  for (const wait of [400, 1200, 3000]) {
    await settle(wait);
    if (!openEndpoint) return;
    await loadDeliveries();
    if (!$$("[data-deliveries] .state.pending").length) return;
  }
}

async function sendTest(endpoint) {
  try {
    openEndpoint = endpoint;
    await api(`webhook-endpoints/${endpoint.id}/test/`, { method: "POST" });
    say(t("testSent", { url: endpoint.url }), "cd-ok");
    await loadEndpoints();
    await refreshDeliveriesSoon();
  } catch (error) { fail(error); }
}

async function resend(endpoint, delivery) {
  try {
    await api(`webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}/resend/`, { method: "POST" });
    say(t("resent", { event: delivery.event_type }), "cd-ok");
    await loadDeliveries();
    await refreshDeliveriesSoon();
  } catch (error) { fail(error); }
}

async function removeEndpoint(endpoint) {
  if (!confirm(t("removeConfirm", { url: endpoint.url }))) return;
  try {
    await api(`webhook-endpoints/${endpoint.id}/`, { method: "DELETE" });
    say(t("removed", { url: endpoint.url }), "cd-ok");
    await loadEndpoints();
  } catch (error) { fail(error); }
}

$("[data-endpoint-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const types = $$("input[name=event_types]:checked", form).map((box) => box.value);
  try {
    const created = await api("webhook-endpoints/", { method: "POST", body: { url: form.url.value, event_types: types } });
    $("[data-new-secret-value]").textContent = created.secret;
    $("[data-new-secret]").hidden = false;
    form.reset();
    openEndpoint = created;
    say(t("endpointAdded"), "cd-ok");
    await loadEndpoints();
  } catch (error) { fail(error); }
});

// --- Plans offered ---------------------------------------------------------------------------

async function loadPlans() {
  const plans = await api("merchant/plans/");
  const move = async (index, by) => {
    const codes = plans.map((p) => p.code);
    [codes[index], codes[index + by]] = [codes[index + by], codes[index]];
    try {
      await api("merchant/plans/order/", { method: "PUT", body: { codes } });
      await loadPlans();
    } catch (error) { fail(error); }
  };
  $("[data-plans]").replaceChildren(...(plans.length ? plans.map((plan, i) => el("tr", {},
    el("td", { class: "num" }, el("span", { text: `${i + 1}. ` }),
      el("button", { class: "cd-btn secondary small", type: "button", text: "↑", disabled: i === 0,
        "aria-label": t("moveUp", { plan: plan.name }), onclick: () => move(i, -1) }), " ",
      el("button", { class: "cd-btn secondary small", type: "button", text: "↓", disabled: i === plans.length - 1,
        "aria-label": t("moveDown", { plan: plan.name }), onclick: () => move(i, 1) })),
    el("td", {}, el("strong", { text: plan.name }), el("br"), el("span", { class: "cd-muted", text: plan.summary })),
    el("td", { text: plan.provider }),
    el("td", { class: "term", text: t("months", { n: number(plan.term_months) }) }),
    el("td", {}, el("label", { class: "switch" },
      el("input", { type: "checkbox", checked: plan.is_active, onchange: async (event) => {
        try {
          await api(`merchant/plans/${encodeURIComponent(plan.code)}/`, { method: "PATCH", body: { is_active: event.target.checked } });
          say(event.target.checked ? t("planOn", { plan: plan.name }) : t("planOff", { plan: plan.name }), "cd-ok");
        } catch (error) { event.target.checked = !event.target.checked; fail(error); }
      } }), el("span", { text: t("offered") })))))
    : [emptyRow(5, t("noPlans"))]));
}

// --- Widget: the snippet, the allowed sites, the preview ----------------------------------------

async function loadWidget() {
  const [widget, merchant] = await Promise.all([api("merchant/widget/"), api("merchant/")]);
  const tag = `<script type="module" src="${location.origin}/static/app/widget/coverdesk.js"\n        data-coverdesk-key="${widget.publishable_key}"></script>`;
  $("[data-snippet]").textContent = tag;
  $("[data-offers-snippet]").textContent = `<div data-coverdesk-offers data-sku="…" data-title="…" data-category="…"\n     data-price="49999" data-currency="${merchant.default_currency}" data-warranty-months="12"></div>`;
  $("[data-copy-snippet]").onclick = () => copy(tag);
  $("#origins").value = widget.widget_origins.join("\n");
  const frame = $("[data-preview]");
  if (!frame.getAttribute("src")) frame.src = "/merchant/preview/";
}

$("[data-origins-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const origins = $("#origins").value.split(/\s+/).map((line) => line.trim()).filter(Boolean);
  try {
    const saved = await api("merchant/widget/", { method: "PATCH", body: { widget_origins: origins } });
    $("#origins").value = saved.widget_origins.join("\n");
    say(t("saved"), "cd-ok");
  } catch (error) {
    const detail = error.fields?.widget_origins;
    fail(detail ? { message: `${error.message} ${JSON.stringify(detail)}` } : error);
  }
});

// --- Claims (read only) ----------------------------------------------------------------------

$("[data-claim-states]").replaceChildren(el("option", { value: "", text: t("allStates") }),
  ...CLAIM_STATES.map((state) => el("option", { value: state, text: t(`claim_${state}`) })));
let claimsNext = null;

async function loadClaims(more = false) {
  const state = $("[data-claim-states]").value;
  const page = more ? claimsNext : `claims/?page_size=50${state ? `&state=${state}` : ""}`;
  const data = await api(page.replace(/^.*\/api\/v1\//, ""));
  claimsNext = data.next;
  const rows = data.results.map((c) => el("tr", {},
    el("td", {}, el("code", { text: c.number })), el("td", { text: when(c.filed_at) }),
    el("td", { text: c.customer_email }), el("td", { text: c.product?.title || c.product?.sku || "—" }),
    el("td", { text: t("reasons")[c.reason] || c.reason.replaceAll("_", " ") }),
    el("td", {}, pill(c.state, t(`claim_${c.state}`))),
    el("td", { class: "num", text: c.approved_amount == null ? "—" : money(c.approved_amount, c.currency) })));
  if (more) $("[data-claims]").append(...rows);
  else $("[data-claims]").replaceChildren(...(rows.length ? rows : [emptyRow(7, t("noClaims"))]));
  $("[data-more-claims]").hidden = !claimsNext;
}
$("[data-claim-states]").addEventListener("change", () => loadClaims().catch(fail));
$("[data-more-claims]").addEventListener("click", () => loadClaims(true).catch(fail));

// --- Statements and payouts ------------------------------------------------------------------

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
