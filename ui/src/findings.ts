// Findings in words, for every screen that lists them (the case page, the inbox's receive
// results): each reason code's sentence in the user's language, with the values it names (an
// account, an amount, a date, an email's addresses and domains) as labelled facts; the core's own
// English sentence is shown too where English is the user's language, and otherwise kept one
// click away.
import type { FindingView } from "./api";
import { h } from "./dom";
import { codeName, t } from "./i18n";
import { coreSpeaksTheLanguage, findingText, findingValues } from "./words";

/** Whether a finding is about the email that carried the instruction (not the file itself). */
export function isEmailFinding(f: FindingView): boolean {
  return f.code.startsWith("email_");
}

/** One finding: severity, sentence, values and the core's English sentence; `lead` goes before the sentence. */
function findingItem(f: FindingView, lead: string | null): HTMLElement {
  const values = findingValues(f.values);
  return h(
    "li",
    { class: `finding finding-${f.severity}`, "data-code": f.code, "data-severity": f.severity },
    h("span", { class: `severity sev-${f.severity}` }, codeName("severity", f.severity)),
    lead === null ? " " : ` ${lead} `,
    h("span", { class: "message" }, findingText(f.code)),
    values.length > 0 ? h("dl", { class: "finding-values" }, ...values.flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])) : null,
    coreSpeaksTheLanguage()
      ? h("p", { class: "hint finding-detail" }, f.message)
      : h("details", { class: "finding-detail" }, h("summary", {}, t("case.findingDetails")), h("span", { lang: "en" }, f.message)),
  );
}

/**
 * A list of findings in words. `attrs` are the list's own (an id, a class); with `markEmail`, a
 * finding about the email says so before its sentence (where the list mixes the file's and the
 * email's findings).
 */
export function findingList(findings: FindingView[], attrs: Record<string, string>, markEmail = false): HTMLElement {
  return h("ul", attrs, ...findings.map((f) => findingItem(f, markEmail && isEmailFinding(f) ? t("inbox.emailFinding") : null)));
}
