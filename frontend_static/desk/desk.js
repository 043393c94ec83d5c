// The warranty desk: queues, take next, one claim on screen with everything needed to
// decide it, and keyboard shortcuts for the common actions. All text goes in as text nodes,
// in the language the page was sent in (messages.js).
import { apiClient } from "../shared/api.js";
import { staffSession } from "../shared/session.js";
import { el, language, money, translatePage, translator } from "../shared/i18n.js";
import { loadReasonNames } from "../shared/claim-reasons.js";
import { MESSAGES } from "./messages.js";

const t = translator(MESSAGES);
const $ = (selector, root = document) => root.querySelector(selector);
const status = $("[data-status]");
// A code the catalogue has no word for is shown as it is, underscores as spaces.
const word = (group, code) => t(group)[code] || String(code).replaceAll("_", " ");
const BUILT_IN_QUEUES = [
  { id: "open", params: {} },
  { id: "mine", params: { assignee: "me" } },
  { id: "unassigned", params: { assignee: "unassigned" } },
  { id: "approval", params: { state: "pending_approval" } },
  { id: "breached", params: { sla_breached: "true" } },
  { id: "flagged", params: { flagged: "true" } },
].map((q) => ({ ...q, name: t("queues")[q.id] }));

translatePage(t);
let me = null;
let queues = [];
let rows = [];
let cursor = null;
let current = null;
let partners = null;

const api = apiClient("/api/v1/desk/", { headers: () => ({ "Accept-Language": language() }) });

function say(text, kind = "") {
  status.className = `desk-status ${kind}`;
  status.textContent = text;
}

function fail(error) {
  say(error.message || String(error), "cd-error");
}

const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—");
const amount = (minor, currency) => (minor == null ? "—" : money(minor, currency));

// --- Sign in --------------------------------------------------------------------------------

async function start() {
  await loadReasonNames(MESSAGES);
  try {
    me = await api("session/");
  } catch (error) {
    if (error.status === 401) return showSignIn();
    return fail(error);
  }
  $("[data-signin]").hidden = true;
  $("[data-desk]").hidden = false;
  $("[data-signout]").hidden = false;
  $("[data-who]").textContent = `${me.name} (${word("levels", me.level)})`;
  await loadQueues();
  await Promise.all([loadRows(), loadMetrics()]);
  const wanted = location.hash.match(/^#claim\/([\w-]+)$/);
  if (wanted) await openClaim(wanted[1]);
}

const showSignIn = staffSession({ api, path: "session/", start: () => start(), say, fail, main: "[data-desk]" });

// --- Queue ----------------------------------------------------------------------------------

async function loadQueues() {
  const saved = await api("queues/");
  queues = [...BUILT_IN_QUEUES, ...saved.map((q) => ({ id: `q${q.id}`, name: q.name, params: { queue: q.id }, saved: q.id }))];
  const select = $("[data-queue]");
  select.replaceChildren(...queues.map((q) => el("option", { value: q.id, text: q.name })));
  select.onchange = () => loadRows();
}

function queueParams() {
  return queues.find((q) => q.id === $("[data-queue]").value)?.params || {};
}

async function loadRows(more = false) {
  const params = new URLSearchParams({ ...queueParams(), page_size: "50" });
  if (more && cursor) params.set("cursor", cursor);
  try {
    const page = await api(`claims/?${params}`);
    rows = more ? [...rows, ...page.results] : page.results;
    cursor = page.next_cursor;
    renderRows();
  } catch (error) { fail(error); }
}

function renderRows() {
  const list = $("[data-rows]");
  list.replaceChildren(...rows.map((row) => el("li", { "aria-current": current?.number === row.number ? "true" : "false" },
    el("button", { type: "button", onclick: () => openClaim(row.number), "data-number": row.number },
      el("span", { class: "num", text: row.number }),
      el("span", { class: `pri pri-${row.priority}`, text: t("priorities")[row.priority] }),
      el("span", { class: "sub" },
        `${row.product} · ${word("reasons", row.reason)} · `,
        el("span", { class: `cd-badge ${row.state}`, text: row.state_display }),
        row.sla_breached_at ? el("span", { class: "breach", text: t("rowBreached") }) : null,
        row.flags.length ? ` · ⚑ ${row.flags.length}` : null,
        row.assignee ? ` · ${row.assignee}` : t("rowUnassigned"))))));
  if (!rows.length) list.append(el("li", { class: "cd-muted", style: "padding:.75rem", text: t("noClaims") }));
  $("[data-more]").hidden = !cursor;
}
$("[data-more]").addEventListener("click", () => loadRows(true));

async function loadMetrics() {
  try {
    const m = await api("metrics/");
    const first = m.median_hours_to_first_response;
    $("[data-metrics]").textContent = t("metrics", { open: m.open, breached: m.sla_breached_open,
      first: first == null ? "—" : t("hours", { n: first }) });
  } catch { /* the header is a nicety */ }
}

$("[data-take-next]").addEventListener("click", takeNext);

async function takeNext() {
  const queue = queues.find((q) => q.id === $("[data-queue]").value);
  try {
    const claim = await api("claims/take-next/", { method: "POST", body: queue?.saved ? { queue: queue.saved } : {} });
    if (!claim) return say(t("queueEmpty"), "cd-ok");
    say(t("youHave", { number: claim.number }), "cd-ok");
    show(claim);
    loadRows();
  } catch (error) { fail(error); }
}

// --- One claim ------------------------------------------------------------------------------

async function openClaim(number) {
  try { show(await api(`claims/${number}/`)); } catch (error) { fail(error); }
}

function field(label, value) {
  return [el("dt", { text: label }), el("dd", {}, value ?? "—")];
}

function show(claim) {
  current = claim;
  history.replaceState(null, "", `#claim/${claim.number}`);
  renderRows();
  const c = claim.contract_detail;
  const view = $("[data-claim]");
  const mineOrFree = !claim.assignee || claim.assignee === me.username || me.level === "supervisor";
  view.replaceChildren(...[
    el("div", { class: "claim-head" },
      el("h1", { text: t("claimTitle", { number: claim.number }) }),
      el("span", { class: `cd-badge ${claim.state}`, "data-state": claim.state, text: claim.state_display }),
      el("span", { class: `pri pri-${claim.priority}`, text: t("priority", { level: t("priorities")[claim.priority] }) }),
      el("span", { class: "cd-muted", text: t("assignedTo", { who: claim.assignee || t("nobody") }) }),
      claim.sla_breached_at ? el("span", { class: "breach", text: t("slaBreached") }) : null),
    claim.fraud_flags.length ? el("ul", { class: "flags", "aria-label": t("fraudFlags") },
      claim.fraud_flags.map((f) => el("li", { title: f.detail, text: `⚑ ${word("flags", f.code)}: ${f.detail}` }))) : null,
    el("div", { class: "grid" },
      el("section", { class: "panel" }, el("h2", { text: t("theClaim") }), el("dl", {},
        field(t("reason"), word("reasons", claim.reason)),
        field(t("failedOn"), claim.failure_date),
        field(t("filed"), when(claim.created_at)),
        field(t("firstResponseDue"), when(claim.first_response_due)),
        field(t("decisionDue"), when(claim.decision_due)),
        field(t("serial"), claim.serial_number || "—"),
        field(t("claimed"), amount(claim.claimed_amount, claim.currency)),
        claim.approved_amount != null ? field(t("approved"), amount(claim.approved_amount, claim.currency)) : null,
        claim.requested_amount != null && claim.state === "pending_approval"
          ? field(t("asksApproval"), amount(claim.requested_amount, claim.currency)) : null),
        el("p", { class: "description", text: claim.description }),
        claim.answers_shown?.length ? el("dl", { class: "answers", "aria-label": t("guidedTitle") },
          claim.answers_shown.flatMap((a) => [el("dt", { text: a.question }), el("dd", { text: a.answer })])) : null),
      el("section", { class: "panel" }, el("h2", { text: t("contractAndProduct") }), el("dl", {},
        field(t("contract"), `${c.number} (${word("contractStates", c.state)})`),
        field(t("plan"), `${c.plan} · ${c.coverage === "adh" ? t("withAdh") : t("breakdownOnly")}`),
        field(t("product"), `${c.product.title || c.product.sku} · ${c.product.category}`),
        field(t("covered"), `${c.coverage_start} – ${c.coverage_end}`),
        field(t("limitLeft"), t("limitOf", { left: amount(c.limit_remaining, c.currency), limit: amount(c.limit_of_liability, c.currency) })),
        field(t("deductible"), amount(c.deductible, c.currency)))),
      el("section", { class: "panel" }, el("h2", { text: t("customer") }), el("dl", {},
        field(t("name"), claim.customer.name || "—"),
        field(t("email"), claim.customer.email),
        field(t("phone"), claim.customer.phone || "—"),
        field(t("language"), claim.customer.locale),
        claim.contact_name ? field(t("claimantSays"), claim.contact_name) : null),
        el("h2", { text: t("history") }),
        el("ul", { class: "timeline" },
          claim.history.claims.map((h) => el("li", { text: t("earlierClaim", { number: h.number, state: word("claimStates", h.state), reason: word("reasons", h.reason) }) })),
          claim.history.contracts.map((h) => el("li", { text: t("bought", { product: h.product, number: h.number, state: word("contractStates", h.state) }) }))))),
    el("section", { class: "panel", style: "margin-top:1rem" }, el("h2", { text: t("evidence", { n: claim.evidence.length }) }),
      el("div", { class: "evidence" }, claim.evidence.map((e) => el("a", { href: e.url, target: "_blank", rel: "noopener",
        title: `${word("kinds", e.kind)}: ${e.original_name}` },
        e.content_type.startsWith("image/") ? el("img", { src: e.thumbnail_url || e.url, alt: `${word("kinds", e.kind)} ${e.original_name}` })
          : el("span", { class: "doc", text: t("pdf", { kind: word("kinds", e.kind) }) })))),
      claim.evidence.length ? null : el("p", { class: "cd-muted", text: t("noFiles") })),
    el("div", { class: "grid" },
      el("section", { class: "panel" }, el("h2", { text: t("conversation") }),
        el("ol", { class: "thread", "data-thread": "" }, claim.messages.map((m) => el("li", {
          class: `msg-${m.internal ? "note" : m.author_kind}`,
        }, el("span", { class: "meta", text: `${m.internal ? t("internalNote") : ""}${m.author_name || m.author_kind} · ${when(m.created_at)}` }), m.body))),
        mineOrFree ? composer(claim) : el("p", { class: "cd-muted", text: t("anotherAgent") })),
      el("section", { class: "panel actions" }, el("h2", { text: t("decide") }),
        mineOrFree ? actions(claim) : null,
        el("h2", { text: t("timeline"), style: "margin-top:1rem" }),
        el("ol", { class: "timeline" }, claim.timeline.map((e) => el("li", {
          text: `${when(e.created_at)} · ${word("events", e.name)} · ${e.actor}${e.reason ? ` — ${e.reason}` : ""}` }))))),
  ].filter(Boolean));
}

function composer(claim) {
  const text = el("textarea", { id: "reply", "aria-label": t("message"), "data-reply": "" });
  const canned = el("select", { "aria-label": t("canned"), "data-canned": "" }, el("option", { value: "", text: t("cannedPick") }));
  api(`claims/${claim.number}/canned/`).then((list) => {
    list.forEach((c) => canned.append(el("option", { value: c.code, text: `${c.title} (${c.language})` })));
    canned.onchange = () => {
      const chosen = list.find((c) => c.code === canned.value);
      if (chosen) { text.value = chosen.body; text.focus(); }
    };
  }).catch(() => null);
  const send = (path, extra = {}) => async () => {
    if (!text.value.trim()) return say(t("writeFirst"), "cd-error");
    try {
      show(await api(`claims/${claim.number}/${path}/`, { method: "POST",
        body: { body: text.value, canned_response: canned.value, ...extra } }));
      say(t("sent"), "cd-ok");
      loadRows();
    } catch (error) { fail(error); }
  };
  const open = !["closed", "withdrawn"].includes(claim.state);
  return el("div", { class: "composer" }, canned, text, el("div", { class: "row" },
    open ? el("button", { class: "cd-btn", type: "button", "data-send": "", onclick: send("messages", { internal: false }), text: t("sendToCustomer") }) : null,
    claim.state === "in_review" ? el("button", { class: "cd-btn secondary", type: "button", "data-ask": "", onclick: send("ask"), text: t("askAndWait") }) : null,
    el("button", { class: "cd-btn secondary", type: "button", "data-note": "", onclick: send("messages", { internal: true }), text: t("addNote") })));
}

function act(claim, path, body) {
  return async (event) => {
    event?.preventDefault();
    try {
      show(await api(`claims/${claim.number}/${path}/`, { method: "POST", body: body() }));
      say(t("done"), "cd-ok");
      loadRows();
      loadMetrics();
    } catch (error) { fail(error); }
  };
}

function input(label, attrs, prefix = "f") {
  const id = `${prefix}-${attrs.name}`;
  return el("div", { class: "cd-field" }, el("label", { for: id, text: label }), el(attrs.tag || "input", { id, ...attrs, tag: null }));
}

function actions(claim) {
  const parts = [];
  const currency = claim.currency;
  if (!claim.assignee && ["submitted", "in_review", "appealed"].includes(claim.state)) {
    parts.push(el("p", { class: "cd-muted", text: t("freeToTake") }),
      el("button", { class: "cd-btn", type: "button", "data-take": "",
        onclick: act(claim, "take", () => ({})), text: t("takeThis") }));
  }
  const minor = (value) => Math.round(parseFloat(value || "0") * 100);
  if (claim.state === "in_review") {
    const approve = el("form", { "data-approve-form": "" },
      el("div", { class: "row" },
        input(t("amount", { currency }), { name: "amount", type: "number", step: "0.01", min: "0", required: true }),
        el("div", { class: "cd-field" }, el("label", { for: "f-resolution", text: t("resolution") }),
          el("select", { id: "f-resolution", name: "resolution" },
            ["repair", "replace", "reimburse", "store_credit"].map((k) => el("option", { value: k, text: word("resolutions", k) }))))),
      input(t("noteToCustomer"), { name: "note" }),
      el("div", { class: "row" }, el("button", { class: "cd-btn", type: "submit", text: t("approve") }),
        el("span", { class: "cd-muted", text: t("limitLeftAmount", { amount: amount(claim.contract_detail.limit_remaining, currency) }) })));
    approve.addEventListener("submit", act(claim, "approve", () => ({
      amount: minor(approve.amount.value), resolution: approve.resolution.value, note: approve.note.value })));
    const deny = el("form", { "data-deny-form": "" }, el("div", { class: "row" },
      input(t("whyDenied"), { name: "note", required: true }, "deny"),
      el("button", { class: "cd-btn secondary", type: "submit", text: t("deny") })));
    deny.addEventListener("submit", act(claim, "deny", () => ({ note: deny.note.value })));
    parts.push(approve, deny);
  }
  if (claim.state === "pending_approval" && me.level === "supervisor") {
    const refuse = act(claim, "decide", () => ({ approve: false, note: decide.note.value }));
    const decide = el("form", {}, input(t("note"), { name: "note" }, "decide"), el("div", { class: "row" },
      el("button", { class: "cd-btn", type: "button", text: t("approveAmount", { amount: amount(claim.requested_amount, currency) }),
        onclick: act(claim, "decide", () => ({ approve: true, note: decide.note.value })) }),
      el("button", { class: "cd-btn secondary", type: "button", text: t("deny"), "data-refuse": "",
        onclick: (event) => {
          if (decide.note.value.trim()) return refuse(event);
          say(t("denyNeedsReason"), "cd-error"); // the customer reads it: no reason made up here
          return decide.note.focus();
        } })));
    parts.push(decide);
  }
  if (claim.state === "approved") {
    const fulfil = el("form", { "data-fulfil-form": "" });
    if (claim.resolution_kind === "repair") {
      const select = el("select", { id: "f-partner", name: "partner" });
      fulfil.append(el("div", { class: "cd-field" }, el("label", { for: "f-partner", text: t("repairPartner") }), select));
      (partners ? Promise.resolve(partners) : api("partners/")).then((list) => {
        partners = list;
        select.replaceChildren(...list.map((p) => el("option", { value: p.id, text: p.name })));
        if (!list.length) select.after(el("p", { class: "cd-error", text: t("noPartners") }));
      });
    }
    if (claim.resolution_kind === "reimburse") {
      fulfil.append(el("div", { class: "cd-field" }, el("label", { for: "f-method", text: t("payBy") }),
        el("select", { id: "f-method", name: "payout_method" },
          ["original_payment", "bank_transfer", "check"].map((m) => el("option", { value: m, text: word("payouts", m) })))));
    }
    fulfil.append(el("button", { class: "cd-btn", type: "submit", text: t("start", { kind: word("resolutions", claim.resolution_kind) }) }));
    fulfil.addEventListener("submit", act(claim, "fulfil", () => ({
      ...(fulfil.partner ? { partner: Number(fulfil.partner.value) } : {}),
      ...(fulfil.payout_method ? { payout_method: fulfil.payout_method.value } : {}) })));
    parts.push(fulfil);
  }
  if (claim.state === "in_fulfillment" && claim.resolution) {
    const r = claim.resolution;
    const progress = t("resolutionStatus", { kind: word("resolutions", r.kind), reference: r.reference, state: word("resolutionStates", r.state) });
    const ship = el("form", {}, el("p", { text: `${progress}${r.tracking_number ? `, ${r.carrier} ${r.tracking_number}` : ""}${r.credit_code ? `, ${t("code", { code: r.credit_code })}` : ""}` }),
      ["ordered", "in_progress"].includes(r.state) ? el("div", { class: "row" },
        input(t("carrier"), { name: "carrier" }), input(t("tracking"), { name: "tracking_number" }),
        el("button", { class: "cd-btn secondary", type: "submit", text: t("shipped") })) : null,
      el("div", { class: "row" }, el("button", { class: "cd-btn", type: "button", "data-complete": "",
        onclick: act(claim, "resolution", () => ({ action: "complete" })), text: t("completed") })));
    ship.addEventListener("submit", act(claim, "resolution", () => ({
      action: "ship", carrier: ship.carrier.value, tracking_number: ship.tracking_number.value })));
    parts.push(ship);
  }
  if (["resolved", "denied"].includes(claim.state)) {
    parts.push(el("button", { class: "cd-btn secondary", type: "button", onclick: act(claim, "close", () => ({})), text: t("closeClaim") }));
  }
  if (me.level === "supervisor") {
    const assign = el("form", {}, el("div", { class: "row" }, input(t("giveTo"), { name: "assignee" }),
      el("button", { class: "cd-btn secondary", type: "submit", text: t("reassign") })));
    assign.addEventListener("submit", act(claim, "assign", () => ({ assignee: assign.assignee.value || null })));
    parts.push(assign);
  }
  if (!parts.length) parts.push(el("p", { class: "cd-muted", text: t("nothingToDecide") }));
  return parts;
}

// --- Keyboard -------------------------------------------------------------------------------

document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName);
  if (event.key === "Escape" && typing) { event.target.blur(); return; }
  if (typing || event.metaKey || event.ctrlKey || event.altKey || $("[data-desk]").hidden) return;
  const index = rows.findIndex((r) => r.number === current?.number);
  const keys = {
    n: takeNext,
    j: () => rows[index + 1] && openClaim(rows[index + 1].number),
    k: () => index > 0 && openClaim(rows[index - 1].number),
    r: () => $("[data-reply]")?.focus(),
    i: () => { const text = $("[data-reply]"); if (text) { text.focus(); text.placeholder = t("notePlaceholder"); } },
    a: () => $("#f-amount")?.focus(),
    d: () => $("[data-deny-form] input")?.focus(),
    "?": () => $("[data-help]").showModal(),
  };
  if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
});

start();
