// The callback wizard, three flat steps. 1: the number dialled, picked from the numbers on file,
// each with its label and where it came from (issue 20: typed at onboarding, the partner's card or
// an approved change; by whom, approved by whom, when), never typed; a number the core withholds
// for this case (it appears in the email, or was put on file after the instruction arrived) is
// shown, not offered, with the reason. 2: the challenge to read out, the script, and
// what to check; a new challenge only on purpose, the old one then said to be void. 3: what the
// clerk heard: who answered, the response typed as heard (there is no "yes" button) and the
// outcome, none chosen beforehand. The core checks the number against the numbers on file and
// the response against the instruction.
// Every string comes from the catalogues (i18n/core.ts).
import { recordCallback, startCallback, toCommandError, type CallbackScript, type CaseView } from "../api";
import type { PhoneEntry } from "../bindings/PhoneEntry";
import { errorBox, h } from "../dom";
import { formatMoney, t, tParts } from "../i18n";
import { provenanceText, withheldText } from "../provenance";
import { field, value } from "./form";
import { label } from "./inbox";

export async function renderCallbackWizard(
  area: HTMLElement,
  view: CaseView,
  done: (message: string) => void,
  fail: (reason: unknown) => void,
  voided: string | null = null,
): Promise<void> {
  let script: CallbackScript;
  try {
    script = await startCallback(view.summary.id);
  } catch (reason) {
    fail(reason);
    return;
  }
  // The number is picked from those on file, never typed; nothing is chosen for the clerk. Those
  // the core withholds for this case are listed apart, with why, and cannot be picked.
  const offered = script.on_file_numbers.filter((n) => n.withheld === null);
  const withheld = script.on_file_numbers.filter((n) => n.withheld !== null);
  const describe = (n: PhoneEntry) => [
    h("strong", { class: "phone" }, n.display),
    n.label ? h("span", { class: "phone-label" }, ` · ${n.label}`) : null,
    h("span", { class: "hint phone-provenance" }, ` (${provenanceText(n)})`),
  ];
  const numbers = h(
    "fieldset",
    { id: "callback-numbers", class: "choices" },
    h("legend", {}, t("callback.dialled")),
    ...offered.map((n, i) => choice("callback-dialed", `callback-dialed-${i}`, n.display, h("span", {}, ...describe(n)))),
    offered.length === 0 ? h("p", { id: "callback-none-offered", class: "error" }, t("callback.noneOffered")) : null,
  );
  const notOffered =
    withheld.length === 0
      ? null
      : h(
          "div",
          { id: "callback-withheld", class: "card warning" },
          h("h5", {}, t("callback.withheld")),
          h(
            "ul",
            {},
            ...withheld.map((n) =>
              h("li", { "data-e164": n.e164, "data-withheld": n.withheld ?? "" }, ...describe(n), h("p", { class: "withheld-reason" }, withheldText(n.withheld!))),
            ),
          ),
        );
  const outcomes = ["confirmed", "denied", "unreachable"] as const;
  const outcome = h(
    "fieldset",
    { id: "callback-outcome", class: "choices" },
    h("legend", {}, t("callback.outcome")),
    ...outcomes.map((o) => choice("callback-outcome", `callback-outcome-${o}`, o, t(`callback.outcome.${o}`))),
  );
  const errors = h("div", { "aria-live": "assertive" });
  // One challenge at a time: a new one only on purpose, and the one read out before is void.
  const renew = h("button", { id: "callback-renew", type: "button", class: "secondary" }, t("callback.renew"));
  renew.addEventListener("click", () => void renderCallbackWizard(area, view, done, fail, script.challenge));
  const form = h(
    "form",
    { id: "callback-form", class: "card wizard" },
    h("h3", { tabindex: -1, id: "callback-title" }, script.partner ? t("callback.title", { partner: script.partner }) : t("callback.titleUnknown")),
    voided ? h("p", { id: "callback-voided", class: "warning" }, t("callback.voided", { challenge: voided })) : null,
    h("h4", {}, t("callback.step1")),
    h("p", { class: "warning", id: "callback-why" }, t("callback.why")),
    numbers,
    notOffered,
    h("h4", {}, t("callback.step2")),
    h("p", { id: "callback-challenge", class: "challenge" }, script.challenge),
    h("p", { id: "callback-script" }, t("callback.script1"), " ", t("callback.script2")),
    h(
      "p",
      { id: "callback-check" },
      ...tParts("callback.check", {
        payee: h("strong", {}, script.payee ?? "?"),
        last4: h("strong", {}, script.account_last4 ?? "?"),
        amount: h("strong", {}, script.amount ? formatMoney(script.amount) : t("callback.noAmount")),
      }),
    ),
    h("div", { class: "row" }, renew),
    h("h4", {}, t("callback.step3")),
    field("callback-reached", t("callback.reached"), "text", "off"),
    field("callback-response", t("callback.response"), "text", "off", false),
    outcome,
    h("button", { id: "callback-submit", type: "submit" }, t("callback.submit")),
    errors,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.replaceChildren();
    const dialed = chosen(form, "callback-dialed");
    const what = chosen(form, "callback-outcome");
    if (!dialed || !what) {
      errors.replaceChildren(h("p", { id: "callback-incomplete", class: "error", role: "alert" }, t(dialed ? "callback.chooseOutcome" : "callback.chooseNumber")));
      return;
    }
    const response = value(form, "callback-response").trim();
    try {
      const status = await recordCallback({
        case_id: view.summary.id,
        dialed,
        reached: value(form, "callback-reached"),
        response: response || null,
        outcome: what,
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

/** One radio choice of the group `name`, with its label. */
function choice(name: string, id: string, value: string, text: string | HTMLElement): HTMLElement {
  return h("div", { class: "choice" }, h("input", { type: "radio", name, id, value, required: true }), h("label", { for: id }, text));
}

/** The value chosen in the radio group `name`, if any. */
function chosen(form: HTMLElement, name: string): string | null {
  return form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? null;
}
