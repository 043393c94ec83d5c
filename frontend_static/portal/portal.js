// The shopper portal: sign in by e-mailed link, see plans, cancel (quote first), transfer,
// file claims and follow them (claims.js).
import { apiClient } from "../shared/api.js";
import { el, language, translatePage, translator } from "../shared/i18n.js";
import { claimForm, claimPage, claimsList, fileClaimLabel, rateForm } from "./claims.js";

const t = translator({
  en: {
    title: "· Your protection plans", signinTitle: "Sign in to your plans",
    signinHelp: "Enter the e-mail address you used at checkout. We send you a link that signs you in once.",
    email: "E-mail", send: "Send me a sign-in link", sent: "If we know this address, a link is on its way. Check your e-mail.",
    yourPlans: "Your protection plans", none: "You have no protection plans yet.",
    signout: "Sign out", number: "Contract", coverage: "Coverage", claimsFrom: "Claims from",
    provider: "Provider", bought: "Bought at", price: "Price", cancel: "Cancel this plan",
    confirmCancel: "Cancel and refund {amount}", keep: "Keep my plan", transfer: "Transfer to someone else",
    newOwner: "New owner's e-mail", newName: "New owner's first name", doTransfer: "Transfer",
    cancelled: "Cancelled. Your refund: {amount}.", transferred: "Transferred to {email}.",
    refund: "Refund", quoteTitle: "If you cancel today", linkInvalid: "That sign-in link has been used or has expired. Ask for a new one below.",
    error: "Something went wrong: {message}",
    documents: "Documents", docKinds: { service_contract: "Contract", refund_notice: "Refund notice" },
    binding: "legally binding", paperCopy: "Ask for a paper copy", address: "Postal address",
    doPaperCopy: "Post me a paper copy", paperCopyDue: "We will post your paper copy by {date}.",
    states: { active: "Active", pending_payment: "Awaiting payment", payment_failed: "Payment failed",
      cancelled: "Cancelled", expired: "Ended", fulfilled: "Fulfilled", voided: "Void" },
  },
  pl: {
    title: "· Twoje plany ochrony", signinTitle: "Zaloguj się do swoich planów",
    signinHelp: "Podaj adres e-mail użyty przy zakupie. Wyślemy link, który zaloguje Cię jeden raz.",
    email: "E-mail", send: "Wyślij link logowania", sent: "Jeśli znamy ten adres, link jest w drodze. Sprawdź pocztę.",
    yourPlans: "Twoje plany ochrony", none: "Nie masz jeszcze planów ochrony.", signout: "Wyloguj",
    number: "Umowa", coverage: "Ochrona", claimsFrom: "Zgłoszenia od", provider: "Gwarant",
    bought: "Kupiono w", price: "Cena", cancel: "Zrezygnuj z planu", confirmCancel: "Zrezygnuj i zwróć {amount}",
    keep: "Zachowaj plan", transfer: "Przekaż innej osobie", newOwner: "E-mail nowego właściciela",
    newName: "Imię nowego właściciela", doTransfer: "Przekaż", cancelled: "Zrezygnowano. Zwrot: {amount}.",
    transferred: "Przekazano do {email}.", refund: "Zwrot", quoteTitle: "Jeśli zrezygnujesz dziś",
    linkInvalid: "Ten link został już użyty lub wygasł. Poproś o nowy poniżej.", error: "Coś poszło nie tak: {message}",
    documents: "Dokumenty", docKinds: { service_contract: "Umowa", refund_notice: "Zawiadomienie o zwrocie" },
    binding: "wiążąca prawnie", paperCopy: "Poproś o kopię papierową", address: "Adres pocztowy",
    doPaperCopy: "Wyślij mi kopię papierową", paperCopyDue: "Wyślemy kopię papierową do {date}.",
    states: { active: "Aktywny", pending_payment: "Czeka na płatność", payment_failed: "Płatność nieudana",
      cancelled: "Anulowany", expired: "Zakończony", fulfilled: "Zrealizowany", voided: "Unieważniony" },
  },
  "zh-hans": {
    title: "· 我的保障计划", signinTitle: "登录查看保障计划", signinHelp: "输入下单时使用的电子邮箱，我们会发送一次性登录链接。",
    email: "电子邮箱", send: "发送登录链接", sent: "如果该邮箱已登记，登录链接已发出，请查收邮件。",
    yourPlans: "我的保障计划", none: "您还没有保障计划。", signout: "退出登录", number: "合同编号",
    coverage: "保障期", claimsFrom: "可理赔日期", provider: "服务提供方", bought: "购买商家", price: "价格",
    cancel: "取消此计划", confirmCancel: "取消并退款 {amount}", keep: "保留计划", transfer: "转让给他人",
    newOwner: "新持有人的电子邮箱", newName: "新持有人的名字", doTransfer: "转让", cancelled: "已取消，退款：{amount}。",
    transferred: "已转让给 {email}。", refund: "退款", quoteTitle: "如果今天取消", linkInvalid: "该登录链接已使用或已过期，请重新获取。",
    error: "出错了：{message}",
    documents: "文件", docKinds: { service_contract: "合同", refund_notice: "退款通知" }, binding: "具法律约束力",
    paperCopy: "索取纸质副本", address: "邮寄地址", doPaperCopy: "寄给我纸质副本", paperCopyDue: "我们将在 {date} 前寄出纸质副本。",
    states: { active: "生效中", pending_payment: "待付款", payment_failed: "付款失败", cancelled: "已取消",
      expired: "已到期", fulfilled: "已履行", voided: "已作废" },
  },
});
const stateName = (state) => t("states")[state] || state;

document.documentElement.lang = language();
const $ = (selector) => document.querySelector(selector);
const status = $("[data-status]");

const api = apiClient("/api/v1/portal/", { headers: () => ({ "Accept-Language": language() }) });

function say(text, kind = "") {
  status.className = kind;
  status.textContent = text;
}

function translateStatic() {
  translatePage(t);
  $("[data-signout]").textContent = t("signout");
}

function showSignIn() {
  $("[data-contracts]").hidden = true;
  $("[data-signout]").hidden = true;
  $("[data-signin]").hidden = false;
}

const LANGUAGE_NAMES = { en: "English", pl: "polski", "zh-hans": "中文" };

function contractCard(c) {
  const actions = el("div", { class: "actions" });
  const panel = el("div");
  const card = el("li", { class: "cd-card contract", "data-contract": c.number },
    el("header", {}, el("h2", { text: `${c.plan_name} — ${c.product.title}` }),
      el("span", { class: `cd-badge ${c.state}`, text: stateName(c.state) })),
    el("dl", {},
      el("dt", { text: t("number") }), el("dd", { text: c.number }),
      el("dt", { text: t("coverage") }), el("dd", { text: c.coverage_start ? `${c.coverage_start} – ${c.coverage_end}` : "—" }),
      el("dt", { text: t("claimsFrom") }), el("dd", { text: c.claims_from || "—" }),
      el("dt", { text: t("bought") }), el("dd", { text: c.merchant }),
      el("dt", { text: t("provider") }), el("dd", { text: `${c.provider}, ${c.provider_phone}` }),
      c.refund ? [el("dt", { text: t("refund") }), el("dd", { text: `${c.refund.total_display} (${c.refund.state})` })] : null,
      c.documents.length ? [el("dt", { text: t("documents") }), el("dd", {}, el("ul", { class: "documents" },
        c.documents.map((d) => el("li", {}, el("a", { href: d.url, download: "",
          text: `${t("docKinds")[d.kind] || d.kind} · ${LANGUAGE_NAMES[d.language] || d.language}${d.binding ? ` (${t("binding")})` : ""} · PDF` })))))] : null),
    actions, panel);
  if (c.documents.length) {
    actions.append(el("button", { class: "cd-btn secondary", type: "button", text: t("paperCopy"), onclick: () => {
      const id = `paper-${c.number}`;
      const form = el("form", { class: "quote" },
        el("div", { class: "cd-field" }, el("label", { for: id, text: t("address") }),
          el("textarea", { id, required: true, rows: 3, autocomplete: "street-address" })),
        el("button", { class: "cd-btn", type: "submit", text: t("doPaperCopy") }));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          const paper = await api(`contracts/${c.number}/paper-copy/`, { method: "POST",
            body: { mailing_address: form.querySelector(`#${CSS.escape(id)}`).value } });
          panel.replaceChildren();
          say(t("paperCopyDue", { date: paper.due_on }), "cd-ok");
        } catch (error) { say(t("error", { message: error.message }), "cd-error"); }
      });
      panel.replaceChildren(form);
      form.querySelector("textarea").focus();
    } }));
  }
  if (c.state !== "active") return card;

  actions.prepend(el("button", { class: "cd-btn", type: "button", "data-file-claim": "", text: fileClaimLabel(), onclick: async () => {
    try {
      await claimForm(c, { panel, say, onFiled: () => showContracts() });
    } catch (error) { say(t("error", { message: error.message }), "cd-error"); }
  } }));

  actions.append(el("button", { class: "cd-btn secondary", type: "button", text: t("cancel"), onclick: async () => {
    try {
      const quote = await api(`contracts/${c.number}/refund-quote/`);
      panel.replaceChildren(el("div", { class: "quote" },
        el("h3", { text: t("quoteTitle") }),
        el("table", {}, el("tbody", {},
          quote.lines.map((line) => el("tr", {}, el("td", { text: line.label }), el("td", { text: line.amount_display }))),
          el("tr", { class: "total" }, el("td", { text: t("refund") }), el("td", { text: quote.total_display })))),
        el("div", { class: "actions" },
          el("button", { class: "cd-btn", type: "button", text: t("confirmCancel", { amount: quote.total_display }), onclick: async () => {
            try {
              const done = await api(`contracts/${c.number}/cancel/`, { method: "POST" });
              say(t("cancelled", { amount: done.refund.quote.total_display }), "cd-ok");
              await showContracts();
            } catch (error) { say(t("error", { message: error.message }), "cd-error"); }
          } }),
          el("button", { class: "cd-btn secondary", type: "button", text: t("keep"), onclick: () => panel.replaceChildren() }))));
      panel.querySelector("button").focus();
    } catch (error) { say(t("error", { message: error.message }), "cd-error"); }
  } }));

  if (c.transferable) {
    actions.append(el("button", { class: "cd-btn secondary", type: "button", text: t("transfer"), onclick: () => {
      const id = `to-${c.number}`;
      const form = el("form", { class: "quote" },
        el("div", { class: "cd-field" }, el("label", { for: id, text: t("newOwner") }),
          el("input", { id, type: "email", required: true, autocomplete: "off" })),
        el("div", { class: "cd-field" }, el("label", { for: `${id}-name`, text: t("newName") }),
          el("input", { id: `${id}-name` })),
        el("button", { class: "cd-btn", type: "submit", text: t("doTransfer") }));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const email = form.querySelector(`#${CSS.escape(id)}`).value;
        try {
          await api(`contracts/${c.number}/transfer/`, { method: "POST",
            body: { email, first_name: form.querySelector(`#${CSS.escape(id)}-name`).value } });
          say(t("transferred", { email }), "cd-ok");
          await showContracts();
        } catch (error) { say(t("error", { message: error.message }), "cd-error"); }
      });
      panel.replaceChildren(form);
      form.querySelector("input").focus();
    } }));
  }
  return card;
}

async function showContracts() {
  const { results } = await api("contracts/?page_size=100");
  $("[data-signin]").hidden = true;
  $("[data-signout]").hidden = false;
  $("[data-claim-view]").hidden = true;
  $("[data-contracts]").hidden = false;
  $("[data-list]").replaceChildren(...(results.length ? results.map(contractCard)
    : [el("li", { class: "cd-muted", text: t("none") })]));
  await claimsList($("[data-claims]"), { say, open: (number) => { location.hash = `claim/${number}`; } });
}

async function showClaim(number) {
  const view = $("[data-claim-view]");
  $("[data-contracts]").hidden = true;
  view.hidden = false;
  await claimPage(view, number, { say, back: () => { history.pushState(null, "", location.pathname); showContracts(); } });
}

async function route() {
  say("");
  const claim = location.hash.match(/^#claim\/([\w-]+)$/);
  if (claim) return showClaim(claim[1]);
  return showContracts();
}
window.addEventListener("hashchange", () => route().catch((error) => say(t("error", { message: error.message }), "cd-error")));

async function start() {
  translateStatic();
  const rating = location.hash.match(/^#rate\/([\w:.-]+)$/);
  if (rating) {  // from the e-mail: no sign-in needed, the token is for this one claim
    $("[data-rate]").hidden = false;
    $("[data-rate]").replaceChildren(rateForm(rating[1], say));
    return;
  }
  $("[data-signin-form]").addEventListener("submit", async (event) => {
    event.preventDefault();
    await api("login-link/", { method: "POST", body: { email: event.target.email.value } }).catch(() => {});
    say(t("sent"), "cd-ok");
  });
  $("[data-signout]").addEventListener("click", async () => {
    await api("session/", { method: "DELETE" });
    showSignIn();
  });
  await api("session/").catch(() => null); // sets the CSRF cookie
  const token = new URLSearchParams(location.search).get("token");
  if (token) {
    history.replaceState(null, "", location.pathname);
    try {
      await api("session/", { method: "POST", body: { token } });
    } catch {
      say(t("linkInvalid"), "cd-error");
      return showSignIn();
    }
  }
  try {
    await route();
  } catch (error) {
    if (error.status === 401 || error.status === 403) return showSignIn();
    say(t("error", { message: error.message }), "cd-error");
  }
}

start();
