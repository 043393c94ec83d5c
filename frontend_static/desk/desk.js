// The warranty desk: queues, take next, one claim on screen with everything needed to
// decide it, and keyboard shortcuts for the common actions. All text goes in as text nodes.
import { apiClient } from "../shared/api.js";
import { el, money } from "../shared/i18n.js";

const $ = (selector, root = document) => root.querySelector(selector);
const status = $("[data-status]");
const REASONS = {
  mechanical_failure: "Mechanical failure", accidental_damage: "Accidental damage", power_surge: "Power surge",
  cosmetic: "Cosmetic", lost: "Lost", stolen: "Stolen", other: "Other",
};
const FLAG_NAMES = {
  repeat_contract: "Earlier claims on this contract", repeat_serial: "Serial claimed before",
  soon_after_purchase: "Soon after purchase", many_claims: "Many claims by this customer",
  over_limit: "Over the remaining limit", name_mismatch: "Name differs from the holder",
};
const BUILT_IN_QUEUES = [
  { id: "open", name: "All open", params: {} },
  { id: "mine", name: "Mine", params: { assignee: "me" } },
  { id: "unassigned", name: "Unassigned", params: { assignee: "unassigned" } },
  { id: "approval", name: "Awaiting approval", params: { state: "pending_approval" } },
  { id: "breached", name: "SLA breached", params: { sla_breached: "true" } },
  { id: "flagged", name: "Fraud flags", params: { flagged: "true" } },
];
let me = null;
let queues = [];
let rows = [];
let cursor = null;
let current = null;
let partners = null;

const api = apiClient("/api/v1/desk/");

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
  try {
    me = await api("session/");
  } catch (error) {
    if (error.status === 401) return showSignIn();
    return fail(error);
  }
  $("[data-signin]").hidden = true;
  $("[data-desk]").hidden = false;
  $("[data-signout]").hidden = false;
  $("[data-who]").textContent = `${me.name} (${me.level})`;
  await loadQueues();
  await Promise.all([loadRows(), loadMetrics()]);
  const wanted = location.hash.match(/^#claim\/([\w-]+)$/);
  if (wanted) await openClaim(wanted[1]);
}

function showSignIn() {
  $("[data-signin]").hidden = false;
  $("[data-desk]").hidden = true;
  $("#username").focus();
}

$("[data-signin-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await api("session/", { method: "POST", body: { username: form.get("username"), password: form.get("password") } });
    say("");
    await start();
  } catch (error) { fail(error); }
});

$("[data-signout]").addEventListener("click", async () => {
  await api("session/", { method: "DELETE" }).catch(() => null);
  location.reload();
});

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
      el("span", { class: `pri pri-${row.priority}`, text: ["low", "normal", "high", "urgent"][row.priority] }),
      el("span", { class: "sub" },
        `${row.product} · ${REASONS[row.reason] || row.reason} · `,
        el("span", { class: `cd-badge ${row.state}`, text: row.state_display }),
        row.sla_breached_at ? el("span", { class: "breach", text: " · SLA breached" }) : null,
        row.flags.length ? ` · ⚑ ${row.flags.length}` : null,
        row.assignee ? ` · ${row.assignee}` : " · unassigned")))));
  if (!rows.length) list.append(el("li", { class: "cd-muted", style: "padding:.75rem", text: "No claims here." }));
  $("[data-more]").hidden = !cursor;
}
$("[data-more]").addEventListener("click", () => loadRows(true));

async function loadMetrics() {
  try {
    const m = await api("metrics/");
    const first = m.median_hours_to_first_response;
    $("[data-metrics]").textContent = `Open ${m.open} · SLA breached ${m.sla_breached_open} · `
      + `first response ${first == null ? "—" : `${first} h`} (median)`;
  } catch { /* the header is a nicety */ }
}

$("[data-take-next]").addEventListener("click", takeNext);

async function takeNext() {
  const queue = queues.find((q) => q.id === $("[data-queue]").value);
  try {
    const claim = await api("claims/take-next/", { method: "POST", body: queue?.saved ? { queue: queue.saved } : {} });
    if (!claim) return say("Nothing to take: the queue is empty.", "cd-ok");
    say(`You have claim ${claim.number}.`, "cd-ok");
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
      el("h1", { text: `Claim ${claim.number}` }),
      el("span", { class: `cd-badge ${claim.state}`, "data-state": claim.state, text: claim.state_display }),
      el("span", { class: `pri pri-${claim.priority}`, text: `priority ${["low", "normal", "high", "urgent"][claim.priority]}` }),
      el("span", { class: "cd-muted", text: `assigned to ${claim.assignee || "nobody"}` }),
      claim.sla_breached_at ? el("span", { class: "breach", text: "SLA breached" }) : null),
    claim.fraud_flags.length ? el("ul", { class: "flags", "aria-label": "Fraud flags" },
      claim.fraud_flags.map((f) => el("li", { title: f.detail, text: `⚑ ${FLAG_NAMES[f.code] || f.code}: ${f.detail}` }))) : null,
    el("div", { class: "grid" },
      el("section", { class: "panel" }, el("h2", { text: "The claim" }), el("dl", {},
        field("Reason", REASONS[claim.reason] || claim.reason),
        field("Failed on", claim.failure_date),
        field("Filed", when(claim.created_at)),
        field("First response due", when(claim.first_response_due)),
        field("Decision due", when(claim.decision_due)),
        field("Serial", claim.serial_number || "—"),
        field("Claimed", amount(claim.claimed_amount, claim.currency)),
        claim.approved_amount != null ? field("Approved", amount(claim.approved_amount, claim.currency)) : null,
        claim.requested_amount != null && claim.state === "pending_approval"
          ? field("Asks approval of", amount(claim.requested_amount, claim.currency)) : null),
        el("p", { class: "description", text: claim.description }),
        Object.keys(claim.answers || {}).length ? el("p", { class: "cd-muted",
          text: `Guided answers: ${Object.entries(claim.answers).map(([q, a]) => `${q}: ${a}`).join(", ")}` }) : null),
      el("section", { class: "panel" }, el("h2", { text: "Contract and product" }), el("dl", {},
        field("Contract", `${c.number} (${c.state})`),
        field("Plan", `${c.plan} · ${c.coverage === "adh" ? "with accidental damage" : "breakdown only"}`),
        field("Product", `${c.product.title || c.product.sku} · ${c.product.category}`),
        field("Covered", `${c.coverage_start} – ${c.coverage_end}`),
        field("Limit left", `${amount(c.limit_remaining, c.currency)} of ${amount(c.limit_of_liability, c.currency)}`),
        field("Deductible", amount(c.deductible, c.currency)))),
      el("section", { class: "panel" }, el("h2", { text: "Customer" }), el("dl", {},
        field("Name", claim.customer.name || "—"),
        field("E-mail", claim.customer.email),
        field("Phone", claim.customer.phone || "—"),
        field("Language", claim.customer.locale),
        claim.contact_name ? field("Claimant says", claim.contact_name) : null),
        el("h2", { text: "History" }),
        el("ul", { class: "timeline" },
          claim.history.claims.map((h) => el("li", { text: `Claim ${h.number}: ${h.state}, ${h.reason}` })),
          claim.history.contracts.map((h) => el("li", { text: `Bought ${h.product} (${h.number}, ${h.state})` }))))),
    el("section", { class: "panel", style: "margin-top:1rem" }, el("h2", { text: `Evidence (${claim.evidence.length})` }),
      el("div", { class: "evidence" }, claim.evidence.map((e) => el("a", { href: e.url, target: "_blank", rel: "noopener",
        title: `${e.kind}: ${e.original_name}` },
        e.content_type.startsWith("image/") ? el("img", { src: e.thumbnail_url || e.url, alt: `${e.kind} ${e.original_name}` })
          : el("span", { class: "doc", text: `PDF ${e.kind}` })))),
      claim.evidence.length ? null : el("p", { class: "cd-muted", text: "No files yet." })),
    el("div", { class: "grid" },
      el("section", { class: "panel" }, el("h2", { text: "Conversation" }),
        el("ol", { class: "thread", "data-thread": "" }, claim.messages.map((m) => el("li", {
          class: `msg-${m.internal ? "note" : m.author_kind}`,
        }, el("span", { class: "meta", text: `${m.internal ? "Internal note · " : ""}${m.author_name || m.author_kind} · ${when(m.created_at)}` }), m.body))),
        mineOrFree ? composer(claim) : el("p", { class: "cd-muted", text: "Assigned to another agent." })),
      el("section", { class: "panel actions" }, el("h2", { text: "Decide and fulfil" }),
        mineOrFree ? actions(claim) : null,
        el("h2", { text: "Timeline", style: "margin-top:1rem" }),
        el("ol", { class: "timeline" }, claim.timeline.map((e) => el("li", {
          text: `${when(e.created_at)} · ${e.name.replaceAll("_", " ")} · ${e.actor}${e.reason ? ` — ${e.reason}` : ""}` }))))),
  ].filter(Boolean));
}

function composer(claim) {
  const text = el("textarea", { id: "reply", "aria-label": "Message", "data-reply": "" });
  const canned = el("select", { "aria-label": "Canned response", "data-canned": "" }, el("option", { value: "", text: "Canned response…" }));
  api(`claims/${claim.number}/canned/`).then((list) => {
    list.forEach((c) => canned.append(el("option", { value: c.code, text: `${c.title} (${c.language})` })));
    canned.onchange = () => {
      const chosen = list.find((c) => c.code === canned.value);
      if (chosen) { text.value = chosen.body; text.focus(); }
    };
  }).catch(() => null);
  const send = (path, extra = {}) => async () => {
    if (!text.value.trim()) return say("Write something first.", "cd-error");
    try {
      show(await api(`claims/${claim.number}/${path}/`, { method: "POST",
        body: { body: text.value, canned_response: canned.value, ...extra } }));
      say("Sent.", "cd-ok");
      loadRows();
    } catch (error) { fail(error); }
  };
  const open = !["closed", "withdrawn"].includes(claim.state);
  return el("div", { class: "composer" }, canned, text, el("div", { class: "row" },
    open ? el("button", { class: "cd-btn", type: "button", "data-send": "", onclick: send("messages", { internal: false }), text: "Send to customer" }) : null,
    claim.state === "in_review" ? el("button", { class: "cd-btn secondary", type: "button", "data-ask": "", onclick: send("ask"), text: "Ask customer and wait" }) : null,
    el("button", { class: "cd-btn secondary", type: "button", "data-note": "", onclick: send("messages", { internal: true }), text: "Add internal note" })));
}

function act(claim, path, body) {
  return async (event) => {
    event?.preventDefault();
    try {
      show(await api(`claims/${claim.number}/${path}/`, { method: "POST", body: body() }));
      say("Done.", "cd-ok");
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
  const minor = (value) => Math.round(parseFloat(value || "0") * 100);
  if (claim.state === "in_review") {
    const approve = el("form", { "data-approve-form": "" },
      el("div", { class: "row" },
        input(`Amount (${currency})`, { name: "amount", type: "number", step: "0.01", min: "0", required: true }),
        el("div", { class: "cd-field" }, el("label", { for: "f-resolution", text: "Resolution" }),
          el("select", { id: "f-resolution", name: "resolution" },
            ["repair", "replace", "reimburse", "store_credit"].map((k) => el("option", { value: k, text: k.replace("_", " ") }))))),
      input("Note to the customer (optional)", { name: "note" }),
      el("div", { class: "row" }, el("button", { class: "cd-btn", type: "submit", text: "Approve" }),
        el("span", { class: "cd-muted", text: `Limit left ${amount(claim.contract_detail.limit_remaining, currency)}` })));
    approve.addEventListener("submit", act(claim, "approve", () => ({
      amount: minor(approve.amount.value), resolution: approve.resolution.value, note: approve.note.value })));
    const deny = el("form", { "data-deny-form": "" }, el("div", { class: "row" },
      input("Why it is denied (sent to the customer)", { name: "note", required: true }, "deny"),
      el("button", { class: "cd-btn secondary", type: "submit", text: "Deny" })));
    deny.addEventListener("submit", act(claim, "deny", () => ({ note: deny.note.value })));
    parts.push(approve, deny);
  }
  if (claim.state === "pending_approval" && me.level === "supervisor") {
    const decide = el("form", {}, input("Note", { name: "note" }, "decide"), el("div", { class: "row" },
      el("button", { class: "cd-btn", type: "button", text: `Approve ${amount(claim.requested_amount, currency)}`,
        onclick: act(claim, "decide", () => ({ approve: true, note: decide.note.value })) }),
      el("button", { class: "cd-btn secondary", type: "button", text: "Deny",
        onclick: act(claim, "decide", () => ({ approve: false, note: decide.note.value || "Not approved." })) })));
    parts.push(decide);
  }
  if (claim.state === "approved") {
    const fulfil = el("form", { "data-fulfil-form": "" });
    if (claim.resolution_kind === "repair") {
      const select = el("select", { id: "f-partner", name: "partner" });
      fulfil.append(el("div", { class: "cd-field" }, el("label", { for: "f-partner", text: "Repair partner" }), select));
      (partners ? Promise.resolve(partners) : api("partners/")).then((list) => {
        partners = list;
        select.replaceChildren(...list.map((p) => el("option", { value: p.id, text: p.name })));
        if (!list.length) select.after(el("p", { class: "cd-error", text: "No repair partners yet: add one in the admin." }));
      });
    }
    if (claim.resolution_kind === "reimburse") {
      fulfil.append(el("div", { class: "cd-field" }, el("label", { for: "f-method", text: "Pay by" }),
        el("select", { id: "f-method", name: "payout_method" },
          ["original_payment", "bank_transfer", "check"].map((m) => el("option", { value: m, text: m.replace("_", " ") })))));
    }
    fulfil.append(el("button", { class: "cd-btn", type: "submit", text: `Start the ${claim.resolution_kind.replace("_", " ")}` }));
    fulfil.addEventListener("submit", act(claim, "fulfil", () => ({
      ...(fulfil.partner ? { partner: Number(fulfil.partner.value) } : {}),
      ...(fulfil.payout_method ? { payout_method: fulfil.payout_method.value } : {}) })));
    parts.push(fulfil);
  }
  if (claim.state === "in_fulfillment" && claim.resolution) {
    const r = claim.resolution;
    const ship = el("form", {}, el("p", { text: `${r.kind} ${r.reference}: ${r.state}${r.tracking_number ? `, ${r.carrier} ${r.tracking_number}` : ""}${r.credit_code ? `, code ${r.credit_code}` : ""}` }),
      ["ordered", "in_progress"].includes(r.state) ? el("div", { class: "row" },
        input("Carrier", { name: "carrier" }), input("Tracking number", { name: "tracking_number" }),
        el("button", { class: "cd-btn secondary", type: "submit", text: "Shipped" })) : null,
      el("div", { class: "row" }, el("button", { class: "cd-btn", type: "button", "data-complete": "",
        onclick: act(claim, "resolution", () => ({ action: "complete" })), text: "Completed: resolve the claim" })));
    ship.addEventListener("submit", act(claim, "resolution", () => ({
      action: "ship", carrier: ship.carrier.value, tracking_number: ship.tracking_number.value })));
    parts.push(ship);
  }
  if (["resolved", "denied"].includes(claim.state)) {
    parts.push(el("button", { class: "cd-btn secondary", type: "button", onclick: act(claim, "close", () => ({})), text: "Close the claim" }));
  }
  if (me.level === "supervisor") {
    const assign = el("form", {}, el("div", { class: "row" }, input("Give to (username)", { name: "assignee" }),
      el("button", { class: "cd-btn secondary", type: "submit", text: "Reassign" })));
    assign.addEventListener("submit", act(claim, "assign", () => ({ assignee: assign.assignee.value || null })));
    parts.push(assign);
  }
  if (!parts.length) parts.push(el("p", { class: "cd-muted", text: "Nothing to decide in this state." }));
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
    i: () => { const text = $("[data-reply]"); if (text) { text.focus(); text.placeholder = "Internal note: the customer never sees it"; } },
    a: () => $("#f-amount")?.focus(),
    d: () => $("[data-deny-form] input")?.focus(),
    "?": () => $("[data-help]").showModal(),
  };
  if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
});

start();
