// Answer a callback (issue 19, the partner's side): a customer who received our signed bank
// details calls us on a number they have on file, reads a six-digit challenge, and we read back
// the response. Pick the instruction from the list of those we issued (searchable, newest first,
// paged), type the challenge and the organisation key's passphrase; the Rust side checks our copy,
// computes the response and logs the answer. The response is shown in large digits with the
// confirmation code and the account's last four, and a note on what to read out and what never.
// The passphrase lives only in its field, which is cleared once the call is sent; the core decides
// who may answer, whether the challenge is six digits and whether the passphrase is right.
import { answerCallback, listIssuedInstructions, toCommandError, type AnswerView, type IssuedEntry } from "../api";
import { errorBox, h } from "../dom";
import { formatDateTime, formatMoney, t } from "../i18n";
import type { Shell } from "../app";

/** How many instructions one page of the list holds. */
export const ISSUED_PAGE = 50;
/** How long the search waits after the last keystroke. */
export const SEARCH_DELAY_MS = 200;

/** The answer screen; the list first, then the form for the chosen instruction. */
export async function renderAnswer(shell: Shell): Promise<void> {
  const { content } = shell;
  const title = h("h2", { id: "answer-title", tabindex: -1 }, t("answer.title"));
  const search = h("input", { id: "answer-search", type: "search", autocomplete: "off", placeholder: t("answer.searchPlaceholder") });
  const list = h("div", { id: "answer-list", "aria-live": "polite" });
  const formArea = h("div", { id: "answer-form-area" });
  const result = h("div", { id: "answer-result-area", "aria-live": "polite" });
  let chosen: IssuedEntry | null = null;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  const choose = (entry: IssuedEntry) => {
    chosen = entry;
    for (const b of list.querySelectorAll<HTMLButtonElement>("button.pick")) b.setAttribute("aria-pressed", String(b.dataset.id === entry.id));
    result.replaceChildren();
    formArea.replaceChildren(answerForm(entry, result));
    formArea.querySelector<HTMLInputElement>("#answer-challenge")?.focus();
  };

  /** Loads the first page for the search typed, or the next page after `after`. */
  const load = async (after: number | null) => {
    const query = search.value.trim();
    const ask = ++asked;
    try {
      const page = await listIssuedInstructions(query || null, ISSUED_PAGE, after);
      if (ask !== asked) return; // a later search answered first
      const table = after === null ? issuedTable() : list.querySelector("table");
      if (after === null) list.replaceChildren(...(page.items.length === 0 ? [emptyList(query)] : [table as HTMLElement]));
      const body = table?.querySelector("tbody");
      for (const entry of page.items) body?.append(issuedRow(entry, choose, chosen?.id === entry.id));
      list.querySelector("#answer-more")?.remove();
      if (page.next !== null) {
        const more = h("button", { id: "answer-more", type: "button", class: "secondary" }, t("answer.more"));
        more.addEventListener("click", () => void load(page.next));
        list.append(more);
      }
    } catch (reason) {
      list.replaceChildren(errorBox(toCommandError(reason), "answer-list-error"));
    }
  };

  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void load(null), SEARCH_DELAY_MS);
  });
  content.replaceChildren(
    title,
    h("p", { class: "hint" }, t("answer.hint")),
    h("div", { class: "field" }, h("label", { for: "answer-search" }, t("answer.search")), search),
    list,
    formArea,
    result,
  );
  shell.live = () => load(null);
  await load(null);
  title.focus();
}

function emptyList(query: string): HTMLElement {
  return h("p", { id: "answer-none", class: "hint" }, query ? t("answer.noMatch") : t("answer.noneIssued"));
}

/** The list's table, its body filled row by row. */
function issuedTable(): HTMLElement {
  const table = h(
    "table",
    { id: "answer-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["answer.col.partner", "answer.col.issued", "answer.col.amount", "answer.col.account", "answer.col.code", "answer.col.choose"].map((key) =>
          h("th", { scope: "col" }, t(key)),
        ),
      ),
    ),
    h("tbody", {}),
  );
  return table;
}

/** What the list says of the amount: the amount in the locale's format, or that it names none. */
function amountText(entry: IssuedEntry): string {
  if (entry.amount && entry.currency) return formatMoney(`${entry.amount} ${entry.currency}`);
  return entry.currency ? t("answer.noAmount", { currency: entry.currency }) : "—";
}

/** One instruction: a button chooses it, unless the core says it may not be answered for. */
function issuedRow(entry: IssuedEntry, choose: (entry: IssuedEntry) => void, pressed: boolean): HTMLElement {
  const answerable = entry.standing === "answerable";
  const pick = h(
    "button",
    { type: "button", class: "pick secondary", "data-id": entry.id, "aria-pressed": String(pressed), disabled: !answerable },
    t("answer.choose"),
  );
  pick.addEventListener("click", () => choose(entry));
  const standing = answerable ? null : h("span", { class: "warning standing", "data-standing": entry.standing }, entry.standing === "altered" ? t("answer.standing.altered") : t("answer.standing.retired_key"));
  return h(
    "tr",
    { "data-id": entry.id, "data-standing": entry.standing },
    h("td", {}, entry.partner_name),
    h("td", {}, h("time", { datetime: entry.issued_at }, formatDateTime(entry.issued_at)), " ", h("span", { class: "hint" }, t("answer.by", { name: entry.issued_by }))),
    h("td", {}, amountText(entry)),
    h("td", { class: "account" }, `•••• ${entry.account_last4}`),
    h("td", { class: "confirmation" }, entry.confirmation_code),
    h("td", {}, standing ?? pick),
  );
}

/** The challenge and the passphrase for the chosen instruction; the response goes to `result`. */
function answerForm(entry: IssuedEntry, result: HTMLElement): HTMLElement {
  const challenge = h("input", {
    id: "answer-challenge",
    type: "text",
    inputmode: "numeric",
    autocomplete: "off",
    placeholder: "305 118",
    required: true,
  });
  const passphrase = h("input", { id: "answer-passphrase", type: "password", autocomplete: "off", required: true });
  const errors = h("div", { "aria-live": "assertive" });
  const submit = h("button", { id: "answer-submit", type: "submit" }, t("answer.submit"));
  const form = h(
    "form",
    { id: "answer-form", class: "card", "data-id": entry.id },
    h("h3", {}, t("answer.for", { name: entry.partner_name })),
    h("p", { class: "hint" }, t("answer.chosen", { code: entry.confirmation_code, last4: entry.account_last4 })),
    h("div", { class: "field" }, h("label", { for: "answer-challenge" }, t("answer.challenge")), challenge),
    h("div", { class: "field" }, h("label", { for: "answer-passphrase" }, t("answer.passphrase")), passphrase),
    submit,
    errors,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.replaceChildren();
    result.replaceChildren();
    submit.disabled = true;
    try {
      const answer = await answerCallback({ id: entry.id, challenge: challenge.value, passphrase: passphrase.value });
      result.replaceChildren(answerResult(answer));
      result.querySelector<HTMLElement>("#answer-response")?.focus();
    } catch (reason) {
      errors.replaceChildren(errorBox(toCommandError(reason), "answer-error"));
    } finally {
      passphrase.value = "";
      submit.disabled = false;
    }
  });
  return form;
}

/** The response in large digits, what to read out with it, and what never to read out. */
export function answerResult(answer: AnswerView): HTMLElement {
  const i = answer.instruction;
  return h(
    "section",
    { id: "answer-result", class: "card" },
    h("h3", {}, t("answer.responseFor", { challenge: answer.challenge })),
    h("p", { id: "answer-response", class: "challenge response", tabindex: -1 }, answer.response),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("answer.code")),
      h("dd", { id: "answer-code", class: "confirmation" }, i.confirmation_code),
      h("dt", {}, t("answer.last4")),
      h("dd", { id: "answer-last4", class: "account" }, i.account_last4),
      h("dt", {}, t("answer.payee")),
      h("dd", { id: "answer-partner" }, i.partner_name),
    ),
    h(
      "div",
      { id: "answer-note", class: "warning" },
      h("p", {}, h("strong", {}, t("answer.read")), " ", t("answer.readWhat")),
      h("p", {}, h("strong", {}, t("answer.never")), " ", t("answer.neverWhat")),
    ),
  );
}
