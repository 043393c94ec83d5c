// The marketing console: segments with a live count, consent-clean exports with a progress
// bar, the tag browser, and analytics charts drawn as SVG (shared/analytics.js; merchant
// admins read their own in the merchant console). All user text goes in as text nodes, in
// the language the page was sent in (messages.js).
import { analytics, number } from "../shared/analytics.js";
import { apiClient } from "../shared/api.js";
import { staffSession } from "../shared/session.js";
import { el, fromMinor, language, toMinor, translatePage, translator } from "../shared/i18n.js";
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
  $("[data-who]").textContent = me.name;
  await loadTags();
  await loadSegments();
  route();
}

const showSignIn = staffSession({ api, path: "crm/session/", start: () => start(), say, fail });

const loadAnalytics = analytics({ api, t, fail, everyMerchant: true });
const LOADERS = { segments: () => preview(), tags: () => loadTagBrowser(), exports: () => loadExports(),
  analytics: () => loadAnalytics() };
const TABS = Object.keys(LOADERS);

function route() {
  if (!me) return;
  say("");
  const wanted = location.hash.slice(1);
  const tab = TABS.includes(wanted) ? wanted : TABS[0];
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

start();
