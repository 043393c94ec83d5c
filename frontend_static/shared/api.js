// Calls from Coverdesk's own pages to its API: the session cookie, Django's CSRF token, a
// JSON body or a form (uploads), and the API's errors thrown with their code, message and
// fields (and the HTTP status). A 204 answers null.

export function csrfToken() {
  return document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] || "";
}

// api = apiClient("/api/v1/desk/"); await api("claims/", { method: "POST", body: {...} })
export function apiClient(base, { headers = () => ({}) } = {}) {
  return async function api(path, { method = "GET", body, form } = {}) {
    const sent = { "X-CSRFToken": csrfToken(), ...headers() };
    if (body !== undefined) sent["Content-Type"] = "application/json";
    const response = await fetch(`${base}${path}`, {
      method, credentials: "same-origin", headers: sent,
      body: form || (body === undefined ? undefined : JSON.stringify(body)),
    });
    const data = response.status === 204 ? null : await response.json().catch(() => ({}));
    if (!response.ok) {
      throw Object.assign(new Error(data?.message || response.statusText), data, { status: response.status });
    }
    return data;
  };
}
