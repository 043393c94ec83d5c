// The reasons a claim can give, with their names in every language, as the API serves them
// (GET /api/v1/claims/reasons/): the backend keeps the one list, and each page asks for it
// once. `label` is the desk's name for a reason, `shopper_label` how the portal asks.
let loaded;

export function claimReasons() {
  loaded ??= fetch("/api/v1/claims/reasons/", { credentials: "same-origin" }).then((response) => {
    if (!response.ok) throw new Error(response.statusText);
    return response.json();
  });
  return loaded;
}

// Put the reasons' names into each language's table of `messages` under "reasons", for
// the page's translator. A page whose request fails shows the codes in words instead.
export async function loadReasonNames(messages, field = "label") {
  try {
    const reasons = await claimReasons();
    for (const [lang, table] of Object.entries(messages)) {
      table.reasons = Object.fromEntries(reasons.map((r) => [r.value, r[field][lang] || r[field].en]));
    }
  } catch {
    // word() falls back to the code itself ("power surge").
  }
}
