// A staff console's sign-in and sign-out, the same in every console: the page's
// [data-signin-form] posts the username and password to the console's session endpoint and
// starts the console again; [data-signout] ends the session and reloads the page.
export function staffSession({ api, path, start, say, fail, main = "[data-main]" }) {
  const form = document.querySelector("[data-signin-form]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api(path, { method: "POST", body: { username: data.get("username"), password: data.get("password") } });
      say("");
      await start();
    } catch (error) { fail(error); }
  });
  document.querySelector("[data-signout]").addEventListener("click", async () => {
    await api(path, { method: "DELETE" }).catch(() => null);
    location.hash = "";
    location.reload();
  });
  return function showSignIn() {
    document.querySelector("[data-signin]").hidden = false;
    document.querySelector(main).hidden = true;
    document.querySelector("#username").focus();
  };
}
