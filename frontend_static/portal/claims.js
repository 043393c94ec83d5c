// Claims in the shopper portal: guided questions first (a tip may fix it), then the claim
// with photos and a receipt; the claim's page with its messages, replies, appeal and rating.
import { apiClient } from "../shared/api.js";
import { claimReasons } from "../shared/claim-reasons.js";
import { el, language, money, translator } from "../shared/i18n.js";

const t = translator({
  en: {
    fileClaim: "Something broke? File a claim", guideTitle: "A few quick questions first",
    yes: "Yes", no: "No", fixed: "That fixed it", fixedThanks: "Glad it works again. No claim needed.",
    reason: "What happened", failureDate: "When did it happen", description: "Describe the problem",
    serial: "Serial number (if you have it)", photos: "Photos of the problem", receipt: "Receipt (photo or PDF)",
    submit: "Send my claim", notEligible: "This claim cannot be filed:", filed: "Claim {number} is filed. We reply by {date}.",
    notStored: "{count} file(s) could not be stored; please send them again from the claim page.",
    yourClaims: "Your claims", noClaims: "No claims yet.", open: "Open", state: "State",
    messages: "Messages", reply: "Your reply", send: "Send", addPhotos: "Add photos",
    withdraw: "Withdraw the claim", appeal: "Appeal the decision", appealWhy: "Why should we look again?",
    rateTitle: "How did we do?", rateHelp: "Did this solve the problem? 1 is poor, 5 is excellent.",
    comment: "Anything to add (optional)", rate: "Send my rating", rated: "Thank you for your rating!",
    resolution: "Resolution", tracking: "Tracking", creditCode: "Store credit code", decision: "Decision",
    timeline: "What happened so far", back: "Back to my plans", files: "Your files", photoWord: "photo", receiptWord: "receipt",
    events: { file: "You filed the claim", ask_customer: "We asked you for something", customer_reply: "You replied",
      approve: "Approved", deny: "Denied", appeal: "You appealed", fulfil: "Fulfilment started",
      resolution_ship: "Shipped", resolve: "Resolved", close: "Closed", withdraw: "You withdrew the claim" },
    authors: { shopper: "You", desk: "Warranty desk", system: "Coverdesk" },
  },
  pl: {
    fileClaim: "Coś się zepsuło? Zgłoś reklamację", guideTitle: "Najpierw kilka krótkich pytań",
    yes: "Tak", no: "Nie", fixed: "To pomogło", fixedThanks: "Cieszymy się, że działa. Zgłoszenie nie jest potrzebne.",
    reason: "Co się stało", failureDate: "Kiedy to się stało", description: "Opisz problem",
    serial: "Numer seryjny (jeśli go masz)", photos: "Zdjęcia usterki", receipt: "Paragon (zdjęcie lub PDF)",
    submit: "Wyślij zgłoszenie", notEligible: "Tego zgłoszenia nie można złożyć:", filed: "Zgłoszenie {number} przyjęte. Odpowiemy do {date}.",
    notStored: "Nie udało się zapisać plików: {count}; wyślij je ponownie ze strony zgłoszenia.",
    yourClaims: "Twoje zgłoszenia", noClaims: "Brak zgłoszeń.", open: "Otwórz", state: "Stan",
    messages: "Wiadomości", reply: "Twoja odpowiedź", send: "Wyślij", addPhotos: "Dodaj zdjęcia",
    withdraw: "Wycofaj zgłoszenie", appeal: "Odwołaj się od decyzji", appealWhy: "Dlaczego mamy spojrzeć ponownie?",
    rateTitle: "Jak nam poszło?", rateHelp: "Czy problem został rozwiązany? 1 to źle, 5 to świetnie.",
    comment: "Coś jeszcze (opcjonalnie)", rate: "Wyślij ocenę", rated: "Dziękujemy za ocenę!",
    resolution: "Rozwiązanie", tracking: "Przesyłka", creditCode: "Kod bonu", decision: "Decyzja",
    timeline: "Dotychczasowy przebieg", back: "Wróć do planów", files: "Twoje pliki", photoWord: "zdjęcie", receiptWord: "paragon",
    events: { file: "Złożono zgłoszenie", ask_customer: "Poprosiliśmy o informacje", customer_reply: "Odpowiedziałeś",
      approve: "Zaakceptowano", deny: "Odrzucono", appeal: "Złożono odwołanie", fulfil: "Rozpoczęto realizację",
      resolution_ship: "Wysłano", resolve: "Rozwiązano", close: "Zamknięto", withdraw: "Wycofano zgłoszenie" },
    authors: { shopper: "Ty", desk: "Dział gwarancji", system: "Coverdesk" },
  },
  "zh-hans": {
    fileClaim: "产品坏了？提交理赔", guideTitle: "先回答几个简单问题",
    yes: "是", no: "否", fixed: "问题已解决", fixedThanks: "很高兴恢复正常，无需理赔。",
    reason: "发生了什么", failureDate: "发生日期", description: "描述问题",
    serial: "序列号（如有）", photos: "问题照片", receipt: "购物凭证（照片或 PDF）",
    submit: "提交理赔", notEligible: "无法提交此理赔：", filed: "理赔 {number} 已提交，我们将在 {date} 前回复。",
    notStored: "有 {count} 个文件未能保存，请在理赔页面重新上传。",
    yourClaims: "我的理赔", noClaims: "暂无理赔。", open: "查看", state: "状态",
    messages: "消息", reply: "您的回复", send: "发送", addPhotos: "添加照片",
    withdraw: "撤回理赔", appeal: "申诉", appealWhy: "请说明为何需要重新审核",
    rateTitle: "我们做得怎么样？", rateHelp: "问题解决了吗？1 为很差，5 为非常好。",
    comment: "补充说明（可选）", rate: "提交评分", rated: "感谢您的评分！",
    resolution: "处理方式", tracking: "物流", creditCode: "购物积分码", decision: "决定",
    timeline: "处理进度", back: "返回我的计划", files: "您的文件", photoWord: "照片", receiptWord: "凭证",
    events: { file: "已提交理赔", ask_customer: "我们请您补充信息", customer_reply: "您已回复",
      approve: "已批准", deny: "已拒绝", appeal: "您已申诉", fulfil: "开始处理",
      resolution_ship: "已发货", resolve: "已解决", close: "已关闭", withdraw: "您已撤回理赔" },
    authors: { shopper: "您", desk: "保修服务台", system: "Coverdesk" },
  },
});

const call = apiClient("/api/v1/portal/", { headers: () => ({ "Accept-Language": language() }) });

const when = (iso) => new Date(iso).toLocaleString(language() === "zh-hans" ? "zh-CN" : language(),
  { dateStyle: "medium", timeStyle: "short" });

function field(label, control) {
  return el("div", { class: "cd-field" }, el("label", { for: control.id, text: label }), control);
}

// --- Filing ---------------------------------------------------------------------------------

export async function claimForm(contract, { panel, say, onFiled }) {
  const [guide, reasons] = await Promise.all([
    call(`claims/guide/?contract=${encodeURIComponent(contract.number)}`), claimReasons()]);
  const id = (name) => `${name}-${contract.number}`;
  const answers = {};
  const questions = el("fieldset", { class: "guide" }, el("legend", { text: t("guideTitle") }),
    guide.questions.map((q) => {
      const tip = el("p", { class: "tip", hidden: true }, q.tip, " ",
        el("button", { class: "cd-btn secondary", type: "button", text: t("fixed"), onclick: () => {
          panel.replaceChildren();
          say(t("fixedThanks"), "cd-ok");
        } }));
      const choice = (value) => el("label", { class: "choice" }, el("input", { type: "radio", name: `${id(q.id)}`, value,
        onchange: () => { answers[q.id] = value; tip.hidden = q.tip_if !== value; } }), ` ${t(value)}`);
      return el("div", { class: "question", "data-question": q.id }, el("p", { text: q.question }), choice("yes"), choice("no"), tip);
    }));
  const today = new Date().toISOString().slice(0, 10);
  const reason = el("select", { id: id("reason"), name: "reason" },
    reasons.map((r) => el("option", { value: r.value, text: r.shopper_label[language()] || r.shopper_label.en })));
  const date = el("input", { id: id("date"), name: "failure_date", type: "date", max: today, value: today, required: true });
  const description = el("textarea", { id: id("desc"), name: "description", rows: 4, minlength: 10, required: true });
  const serial = el("input", { id: id("serial"), name: "serial_number", autocomplete: "off" });
  const photos = el("input", { id: id("photos"), name: "photos", type: "file", accept: "image/jpeg,image/png,image/webp", multiple: true });
  const receipt = el("input", { id: id("receipt"), name: "receipts", type: "file", accept: "image/jpeg,image/png,image/webp,application/pdf" });
  const problems = el("div", { class: "cd-error", role: "alert" });
  const check = async () => {
    try {
      const result = await call(`claims/eligibility/?${new URLSearchParams({ contract: contract.number, reason: reason.value, failure_date: date.value })}`);
      problems.replaceChildren(...(result.eligible ? [] : [el("p", { text: t("notEligible") }),
        el("ul", {}, result.reasons.map((r) => el("li", { text: r.message })))]));
    } catch { /* the server says it again on submit */ }
  };
  reason.addEventListener("change", check);
  date.addEventListener("change", check);
  const form = el("form", { class: "quote claim-form", "data-claim-form": "" }, questions,
    field(t("reason"), reason), field(t("failureDate"), date), problems, field(t("description"), description),
    field(t("serial"), serial), field(t("photos"), photos), field(t("receipt"), receipt),
    el("button", { class: "cd-btn", type: "submit", text: t("submit") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    data.set("contract", contract.number);
    data.set("answers", JSON.stringify(answers));
    if (!receipt.files.length) data.delete("receipts");
    if (!photos.files.length) data.delete("photos");
    try {
      const claim = await call("claims/", { method: "POST", form: data });
      panel.replaceChildren();
      say(t("filed", { number: claim.number, date: when(claim.first_response_due) }), "cd-ok");
      if (claim.files_not_stored.length) say(t("notStored", { count: claim.files_not_stored.length }), "cd-error");
      onFiled(claim);
    } catch (error) {
      if (error.reasons) {
        problems.replaceChildren(el("p", { text: t("notEligible") }), el("ul", {}, error.reasons.map((r) => el("li", { text: r.message }))));
      } else say(error.message, "cd-error");
    }
  });
  panel.replaceChildren(form);
  form.querySelector("input").focus();
}

export const fileClaimLabel = () => t("fileClaim");

// --- The shopper's claims -------------------------------------------------------------------

export async function claimsList(container, { say, open }) {
  const claims = await call("claims/");
  container.replaceChildren(el("h2", { text: t("yourClaims") }),
    claims.length ? el("ul", { class: "claims" }, claims.map((c) => el("li", { class: "cd-card claim-row", "data-claim": c.number },
      el("strong", { text: c.number }), ` · ${c.product} · `,
      el("span", { class: `cd-badge ${c.state}`, text: c.state_display }), " ",
      el("button", { class: "cd-btn secondary", type: "button", text: t("open"), onclick: () => open(c.number) }))))
      : el("p", { class: "cd-muted", text: t("noClaims") }));
  return claims;
}

export async function claimPage(container, number, { say, back }) {
  const claim = await call(`claims/${encodeURIComponent(number)}/`);
  const reply = el("textarea", { id: "claim-reply", rows: 3, required: true });
  const morePhotos = el("input", { id: "claim-photos", type: "file", name: "photos", accept: "image/jpeg,image/png,image/webp", multiple: true });
  const replyForm = el("form", { class: "quote", "data-reply-form": "" }, field(t("reply"), reply), field(t("addPhotos"), morePhotos),
    el("button", { class: "cd-btn", type: "submit", text: t("send") }));
  replyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData();
    data.set("body", reply.value);
    [...morePhotos.files].forEach((f) => data.append("photos", f));
    try {
      await call(`claims/${claim.number}/messages/`, { method: "POST", form: data });
      await claimPage(container, number, { say, back });
    } catch (error) { say(error.message, "cd-error"); }
  });
  const r = claim.resolution;
  container.replaceChildren(
    el("button", { class: "cd-btn secondary", type: "button", text: t("back"), onclick: back }),
    el("article", { class: "cd-card claim-page", "data-claim-page": claim.number },
      el("header", {}, el("h1", { text: `${claim.number} · ${claim.product}` }),
        el("span", { class: `cd-badge ${claim.state}`, "data-state": claim.state, text: claim.state_display })),
      claim.decision_note ? el("p", {}, el("strong", { text: `${t("decision")}: ` }), claim.decision_note) : null,
      r ? el("p", { "data-resolution": "" }, el("strong", { text: `${t("resolution")}: ` }),
        `${r.kind.replace("_", " ")} · ${r.reference}${r.partner ? ` · ${r.partner}` : ""}`,
        r.tracking_number ? ` · ${t("tracking")}: ${r.carrier} ${r.tracking_number}` : "",
        r.credit_code ? ` · ${t("creditCode")}: ${r.credit_code}` : "",
        r.amount ? ` · ${money(r.amount, r.currency)}` : "") : null,
      claim.evidence.length ? el("div", { class: "claim-files" }, `${t("files")}: `,
        claim.evidence.map((e, n) => {
          const label = `${e.kind === "receipt" ? t("receiptWord") : t("photoWord")} ${n + 1}`;
          return el("a", { href: e.url, target: "_blank", rel: "noopener", title: label },
            e.thumbnail_url ? el("img", { src: e.thumbnail_url, alt: label }) : label);
        })) : null,
      el("h2", { text: t("timeline") }),
      el("ol", { class: "claim-timeline" }, claim.timeline.map((e) => el("li", { text: `${when(e.created_at)} · ${t("events")[e.name] || e.name}` }))),
      el("h2", { text: t("messages") }),
      el("ol", { class: "claim-thread" }, claim.messages.map((m) => el("li", { class: m.author_kind },
        el("span", { class: "meta", text: `${t("authors")[m.author_kind] || m.author_kind} · ${when(m.created_at)}` }), m.body))),
      claim.can_reply ? replyForm : null,
      claim.rate_token ? rateForm(claim.rate_token, say) : null,
      el("div", { class: "actions" },
        claim.can_withdraw ? el("button", { class: "cd-btn secondary", type: "button", text: t("withdraw"), onclick: async () => {
          try { await call(`claims/${claim.number}/withdraw/`, { method: "POST" }); await claimPage(container, number, { say, back }); }
          catch (error) { say(error.message, "cd-error"); }
        } }) : null,
        claim.can_appeal ? el("button", { class: "cd-btn secondary", type: "button", text: t("appeal"), onclick: async () => {
          const why = window.prompt(t("appealWhy"));
          if (!why) return;
          try { await call(`claims/${claim.number}/appeal/`, { method: "POST", body: { reason: why } }); await claimPage(container, number, { say, back }); }
          catch (error) { say(error.message, "cd-error"); }
        } }) : null)));
}

export function rateForm(token, say) {
  const comment = el("textarea", { id: "rate-comment", rows: 2 });
  const form = el("form", { class: "quote", "data-rate-form": "" }, el("h2", { text: t("rateTitle") }),
    el("p", { text: t("rateHelp") }),
    el("div", { class: "stars", role: "radiogroup" }, [1, 2, 3, 4, 5].map((n) => el("label", { class: "choice" },
      el("input", { type: "radio", name: "score", value: String(n), required: true }), ` ${n}`))),
    field(t("comment"), comment), el("button", { class: "cd-btn", type: "submit", text: t("rate") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await call("claims/rate/", { method: "POST", body: { token, score: Number(form.score.value), comment: comment.value } });
      form.replaceChildren(el("p", { class: "cd-ok", text: t("rated") }));
    } catch (error) { say(error.message, "cd-error"); }
  });
  return form;
}
