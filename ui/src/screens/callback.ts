// The callback wizard. Step 1: the numbers on file (and why not the one in the request) and a
// fresh challenge with the script to read. Step 2: what the clerk heard: the number dialled, who
// answered, the response typed as heard (there is no "yes" button) and the outcome. The core
// checks the number against the numbers on file and the response against the instruction.
import { recordCallback, startCallback, toCommandError, type CallbackScript, type CaseView } from "../api";
import { errorBox, h } from "../dom";
import { field, value } from "./form";

export const WHY_ON_FILE =
  "Call only a number on file. Never use a number from the request or the email that carried it: whoever changed the bank details can change the phone number too.";

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
    h("option", { value: "confirmed" }, "Confirmed: they read back the response and the details"),
    h("option", { value: "denied" }, "Denied: they did not send this instruction"),
    h("option", { value: "unreachable" }, "Nobody could be reached"),
  );
  const dialed = field("callback-dialed", "Number you dialled", "tel");
  dialed.querySelector("input")!.value = script.on_file_numbers[0]?.display ?? "";
  const errors = h("div", { "aria-live": "assertive" });
  const form = h(
    "form",
    { id: "callback-form", class: "card wizard" },
    h("h3", { tabindex: -1, id: "callback-title" }, `Call ${script.partner ?? "the partner"} back`),
    h("h4", {}, "1. Dial a number on file"),
    numbers,
    h("p", { class: "warning", id: "callback-why" }, WHY_ON_FILE),
    h("h4", {}, "2. Read out this challenge"),
    h("p", { id: "callback-challenge", class: "challenge" }, script.challenge),
    h(
      "ol",
      { id: "callback-script" },
      h("li", {}, "Ask them to open their own copy of the instruction and compute the response to the challenge (countersign respond)."),
      h("li", {}, "Have them read back the response, then the payee, the last four characters of the account and the amount."),
      h("li", {}, "Check: payee ", h("strong", {}, script.payee ?? "?"), ", account ending ", h("strong", {}, script.account_last4 ?? "?"), ", amount ", h("strong", {}, script.amount ?? "no amount"), "."),
    ),
    h("h4", {}, "3. Record what you heard"),
    dialed,
    field("callback-reached", "Who answered (name)", "text", "off"),
    field("callback-response", "The response they read back (8 digits)", "text", "off", false),
    h("div", { class: "field" }, h("label", { for: "callback-outcome" }, "Outcome"), outcome),
    h("button", { id: "callback-submit", type: "submit" }, "Record the callback"),
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
          ? "Callback confirmed. The case now needs an approver who did not work on it."
          : status === "quarantined"
            ? "The partner denied it: the case is quarantined and the account marked fraudulent."
            : `Callback recorded; the case is ${status.replace(/_/g, " ")}.`,
      );
    } catch (reason) {
      const error = toCommandError(reason);
      errors.replaceChildren(errorBox(error, "callback-error"));
      if (error.code === "check_failed") {
        // That attempt is spent: the next try needs a fresh challenge.
        const again = h("button", { id: "callback-again", type: "button" }, "Start a new callback with a fresh challenge");
        again.addEventListener("click", () => void renderCallbackWizard(area, view, done, fail));
        errors.append(again);
      }
    }
  });
  area.replaceChildren(form);
  form.querySelector<HTMLElement>("#callback-title")?.focus();
}
