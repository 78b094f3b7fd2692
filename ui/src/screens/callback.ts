// The callback wizard. Step 1: the numbers on file (and why not the one in the request) and a
// fresh challenge with the script to read. Step 2: what the clerk heard: the number dialled, who
// answered, the response typed as heard (there is no "yes" button) and the outcome. The core
// checks the number against the numbers on file and the response against the instruction.
// Every string comes from the catalogues (i18n/core.ts).
import { recordCallback, startCallback, toCommandError, type CallbackScript, type CaseView } from "../api";
import { errorBox, h } from "../dom";
import { formatMoney, t, tParts } from "../i18n";
import { field, value } from "./form";
import { label } from "./inbox";

export async function renderCallbackWizard(
  area: HTMLElement,
  view: CaseView,
  done: (message: string) => void,
  fail: (reason: unknown) => void,
): Promise<void> {
  let script: CallbackScript;
  try {
    script = await startCallback(view.summary.id);
  } catch (reason) {
    fail(reason);
    return;
  }
  const numbers = h("ul", { id: "callback-numbers" }, ...script.on_file_numbers.map((n) => h("li", {}, h("strong", { class: "phone" }, n.display))));
  const outcome = h(
    "select",
    { id: "callback-outcome" },
    h("option", { value: "confirmed" }, t("callback.outcome.confirmed")),
    h("option", { value: "denied" }, t("callback.outcome.denied")),
    h("option", { value: "unreachable" }, t("callback.outcome.unreachable")),
  );
  const dialed = field("callback-dialed", t("callback.dialled"), "tel");
  dialed.querySelector("input")!.value = script.on_file_numbers[0]?.display ?? "";
  const errors = h("div", { "aria-live": "assertive" });
  const form = h(
    "form",
    { id: "callback-form", class: "card wizard" },
    h("h3", { tabindex: -1, id: "callback-title" }, script.partner ? t("callback.title", { partner: script.partner }) : t("callback.titleUnknown")),
    h("h4", {}, t("callback.step1")),
    numbers,
    h("p", { class: "warning", id: "callback-why" }, t("callback.why")),
    h("h4", {}, t("callback.step2")),
    h("p", { id: "callback-challenge", class: "challenge" }, script.challenge),
    h(
      "ol",
      { id: "callback-script" },
      h("li", {}, t("callback.script1")),
      h("li", {}, t("callback.script2")),
      h(
        "li",
        { id: "callback-check" },
        ...tParts("callback.check", {
          payee: h("strong", {}, script.payee ?? "?"),
          last4: h("strong", {}, script.account_last4 ?? "?"),
          amount: h("strong", {}, script.amount ? formatMoney(script.amount) : t("callback.noAmount")),
        }),
      ),
    ),
    h("h4", {}, t("callback.step3")),
    dialed,
    field("callback-reached", t("callback.reached"), "text", "off"),
    field("callback-response", t("callback.response"), "text", "off", false),
    h("div", { class: "field" }, h("label", { for: "callback-outcome" }, t("callback.outcome")), outcome),
    h("button", { id: "callback-submit", type: "submit" }, t("callback.submit")),
    errors,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.replaceChildren();
    const response = value(form, "callback-response").trim();
    try {
      const status = await recordCallback({
        case_id: view.summary.id,
        dialed: value(form, "callback-dialed"),
        reached: value(form, "callback-reached"),
        response: response || null,
        outcome: outcome.value,
        note: null,
      });
      done(
        status === "callback_confirmed"
          ? t("callback.confirmed")
          : status === "quarantined"
            ? t("callback.quarantined")
            : t("callback.recorded", { status: label(status) }),
      );
    } catch (reason) {
      const error = toCommandError(reason);
      errors.replaceChildren(errorBox(error, "callback-error"));
      if (error.code === "check_failed") {
        // That attempt is spent: the next try needs a fresh challenge.
        const again = h("button", { id: "callback-again", type: "button" }, t("callback.again"));
        again.addEventListener("click", () => void renderCallbackWizard(area, view, done, fail));
        errors.append(again);
      }
    }
  });
  area.replaceChildren(form);
  form.querySelector<HTMLElement>("#callback-title")?.focus();
}
