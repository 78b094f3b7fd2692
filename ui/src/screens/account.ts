// My account, for every role: change one's own password (the current one is checked by the core)
// and enrol a second factor (TOTP). When the policy requires a second factor this user has not
// enrolled, the app opens this screen first and explains that nothing else is possible until
// they enrol and sign in again with a code. Passwords live only in their form fields and are
// cleared as soon as they have been sent; the new secret is shown once, in this screen only, and
// is dropped when the user leaves it.
import { changePassword, enrolTotp, toCommandError, type QrView, type TotpEnrolment } from "../api";
import { errorBox, h, notice, svg } from "../dom";
import { codeName, t } from "../i18n";
import type { Shell } from "../app";

/** The My account screen; `signOut` ends the session (after enrolling, to sign in with a code). */
export function renderAccount(shell: Shell, signOut: () => void): void {
  const mustEnrol = shell.user.must_enrol_totp === true;
  const title = h("h2", { id: "my-account-title", tabindex: -1 }, t("account.title"));
  const who = h("p", { id: "my-account-user" }, t("account.signedInAs", { name: shell.user.name, role: codeName("role", shell.user.role) }));
  const totp = h("section", { id: "my-totp", class: "card" });
  const password = h("section", { id: "my-password", class: "card" });
  renderTotp(totp, mustEnrol, signOut);
  renderPassword(password);
  // Someone who must enrol sees that first.
  const sections = mustEnrol ? [totp, password] : [password, totp];
  if (mustEnrol) sections.unshift(h("p", { id: "my-account-must-enrol", class: "error", role: "alert" }, t("account.mustEnrol")));
  shell.content.replaceChildren(title, who, ...sections);
  title.focus();
}

/** A labelled password input that the browser must not remember. */
function secretField(id: string, label: string, autocomplete: string): [HTMLElement, HTMLInputElement] {
  const el = h("input", { id, name: id, type: "password", autocomplete, spellcheck: "false", required: true });
  return [h("div", { class: "field" }, h("label", { for: id }, label), el), el];
}

/** Runs `send` with the button disabled; its error or its success goes to `feedback`. */
async function submitting(button: HTMLButtonElement, feedback: HTMLElement, id: string, send: () => Promise<string | null>): Promise<void> {
  feedback.replaceChildren();
  button.disabled = true;
  try {
    const done = await send();
    if (done) feedback.replaceChildren(notice(done, `${id}-notice`));
  } catch (reason) {
    feedback.replaceChildren(errorBox(toCommandError(reason), `${id}-error`));
  } finally {
    button.disabled = false;
  }
}

function renderPassword(section: HTMLElement): void {
  const [currentField, current] = secretField("my-current-password", t("account.password.current"), "current-password");
  const [newField, next] = secretField("my-new-password", t("account.password.new"), "new-password");
  const [repeatField, repeat] = secretField("my-repeat-password", t("account.password.repeat"), "new-password");
  const submit = h("button", { id: "my-password-submit", type: "submit" }, t("account.password.submit"));
  const feedback = h("div", { id: "my-password-feedback", "aria-live": "polite" });
  const form = h("form", { id: "my-password-form" }, currentField, newField, repeatField, h("p", { class: "hint" }, t("account.password.hint")), submit, feedback);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = { current: current.value, new: next.value };
    const same = next.value === repeat.value;
    current.value = "";
    next.value = "";
    repeat.value = "";
    if (!same) {
      feedback.replaceChildren(h("p", { id: "my-password-mismatch", class: "error", role: "alert" }, t("account.password.mismatch")));
      return;
    }
    void submitting(submit, feedback, "my-password", async () => {
      await changePassword(typed);
      return t("account.password.done");
    });
  });
  section.replaceChildren(h("h3", {}, t("account.password.title")), form);
}

function renderTotp(section: HTMLElement, mustEnrol: boolean, signOut: () => void): void {
  const [field, password] = secretField("my-totp-password", t("account.totp.password"), "current-password");
  const submit = h("button", { id: "my-totp-submit", type: "submit" }, t("account.totp.submit"));
  const feedback = h("div", { id: "my-totp-feedback", "aria-live": "polite" });
  const form = h("form", { id: "my-totp-form" }, h("p", {}, t("account.totp.intro")), field, h("p", { class: "hint" }, t("account.totp.hint")), submit, feedback);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = password.value;
    password.value = "";
    void submitting(submit, feedback, "my-totp", async () => {
      const enrolled = await enrolTotp({ password: typed });
      feedback.replaceChildren(enrolment(enrolled, mustEnrol, signOut));
      return null;
    });
  });
  section.replaceChildren(h("h3", {}, t("account.totp.title")), form);
}

/** The new secret, shown once: the QR code, the secret to type, and what happens next. */
function enrolment(enrolled: TotpEnrolment, mustEnrol: boolean, signOut: () => void): HTMLElement {
  const again = h("button", { id: "my-totp-sign-in", type: "button" }, t("account.totp.signInAgain"));
  again.addEventListener("click", signOut);
  return h(
    "div",
    { id: "my-totp-result", class: "notice", role: "status" },
    h("p", {}, t("account.totp.done")),
    qrFigure(enrolled.qr),
    h("p", {}, t("account.totp.secret"), " ", h("code", { id: "my-totp-secret", class: "secret" }, enrolled.secret)),
    h("p", { class: "hint" }, t("account.totp.once")),
    mustEnrol ? h("p", {}, t("account.totp.nextRequired")) : h("p", {}, t("account.totp.next")),
    mustEnrol ? again : null,
  );
}

/** The otpauth URI as a QR code, drawn as one SVG path (no markup from the Rust side). */
function qrFigure(qr: QrView): HTMLElement {
  const side = qr.width + 8;
  const image = svg("svg", { id: "my-totp-qr", viewBox: `0 0 ${side} ${side}`, width: 264, height: 264, role: "img", "aria-label": t("account.totp.qrLabel"), "shape-rendering": "crispEdges" });
  image.append(svg("rect", { x: 0, y: 0, width: side, height: side, fill: "#fff" }));
  let d = "";
  qr.dark.forEach((dark, i) => {
    if (dark) d += `M${(i % qr.width) + 4} ${Math.floor(i / qr.width) + 4}h1v1h-1z`;
  });
  image.append(svg("path", { d, fill: "#000", "data-modules": qr.dark.filter(Boolean).length }));
  return h("figure", {}, image, h("figcaption", {}, t("account.totp.qrCaption")));
}
