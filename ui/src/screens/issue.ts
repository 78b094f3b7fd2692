// Issuing our bank details: pick the partner, type the organisation key's passphrase, and the
// Rust side signs our account for that partner and saves the file (its own save dialog). The
// result: the confirmation code both sides read on the phone, as digits and as a QR code, and
// where the file was saved. The passphrase lives only in its form field, which is cleared once
// it has been sent; the core decides who may issue and whether the passphrase is right.
import { issueInstruction, listPartners, toCommandError, type IssuedView, type PartnerRow } from "../api";
import type { QrView } from "../bindings/QrView";
import { errorBox, h } from "../dom";
import { t } from "../i18n";
import type { Shell } from "../app";
import { qrFigure } from "./case";

/** A QR code drawn as the case screen draws its EPC code, with its own id and words. */
export function qrImage(qr: QrView, id: string, label: string, caption: string): HTMLElement {
  const figure = qrFigure(qr);
  const image = figure.querySelector("svg");
  image?.setAttribute("id", id);
  image?.setAttribute("aria-label", label);
  const text = figure.querySelector("figcaption");
  if (text) text.textContent = caption;
  return figure;
}

/** The issue screen; `partnerId` preselects a partner (from the partner page). */
export async function renderIssue(shell: Shell, partnerId?: number): Promise<void> {
  const { content } = shell;
  const back = h("button", { id: "back-to-partners", type: "button", class: "secondary" }, t("partners.back"));
  back.addEventListener("click", () => shell.openPartners());
  const title = h("h2", { id: "issue-title", tabindex: -1 }, t("issue.title"));
  let partners: PartnerRow[];
  try {
    partners = await listPartners(null, null);
  } catch (reason) {
    content.replaceChildren(h("div", { class: "row" }, back), title, errorBox(toCommandError(reason), "issue-error"));
    return;
  }
  const partner = h(
    "select",
    { id: "issue-partner", required: true },
    ...partners.map((p) => h("option", { value: p.id, selected: p.id === partnerId }, p.country ? `${p.name} (${p.country})` : p.name)),
  );
  const passphrase = h("input", { id: "issue-passphrase", type: "password", autocomplete: "off", required: true });
  const errors = h("div", { "aria-live": "assertive" });
  const result = h("div", { id: "issue-result-area", "aria-live": "polite" });
  const submit = h("button", { id: "issue-submit", type: "submit" }, t("issue.submit"));
  const form = h(
    "form",
    { id: "issue-form", class: "card" },
    h("p", { class: "hint" }, t("issue.hint")),
    h("div", { class: "field" }, h("label", { for: "issue-partner" }, t("issue.partner")), partner),
    h("div", { class: "field" }, h("label", { for: "issue-passphrase" }, t("issue.passphrase")), passphrase),
    submit,
    errors,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.replaceChildren();
    result.replaceChildren();
    submit.disabled = true;
    try {
      const issued = await issueInstruction({ partner_id: Number(partner.value), passphrase: passphrase.value });
      result.replaceChildren(issuedResult(issued));
    } catch (reason) {
      errors.replaceChildren(errorBox(toCommandError(reason), "issue-error"));
    } finally {
      passphrase.value = "";
      submit.disabled = false;
    }
  });
  content.replaceChildren(
    h("div", { class: "row" }, back),
    title,
    partners.length === 0 ? h("p", { id: "issue-no-partners", class: "hint" }, t("issue.noPartners")) : form,
    result,
  );
  title.focus();
}

/** What was issued: the confirmation code (digits and QR) and where the file is. */
export function issuedResult(issued: IssuedView): HTMLElement {
  return h(
    "section",
    { id: "issue-result", class: "card" },
    h("h3", {}, t("issue.done", { name: issued.partner_name })),
    h("p", {}, t("issue.code")),
    h("p", { id: "issue-code", class: "challenge" }, issued.confirmation_code),
    qrImage(issued.qr, "issue-qr", t("issue.qrLabel"), t("issue.qrCaption")),
    h("p", {}, t("issue.saved"), " ", h("code", { id: "issue-saved" }, issued.saved_to)),
    h("p", { class: "hint" }, t("issue.id", { id: issued.id })),
    h("p", { class: "hint" }, t("issue.next")),
  );
}
