// Four eyes (issue 15): the pending changes a second approver or admin checks, and the notice a
// command shows when what it asked for waits for a second person. The list ("Pending changes"
// in the nav, `#nav-changes` with its count, for approvers and admins) filters by status; a
// change's page shows its summary, who proposed it and when, the flags to look at twice, the
// difference before → after field by field (changed characters marked), and Approve / Reject
// with a reason. Approve is disabled for the change's maker, with the reason beside it; the
// core refuses the maker anyway (`not_permitted`), and its refusal is shown if it comes.
import { sortable } from "../sortable";
import {
  approveChange,
  changeDetail,
  listChanges,
  rejectChange,
  toCommandError,
  type ChangeEntry,
  type ChangeStatus,
  type FieldChange,
  type FlagView,
  type Outcome,
  type PendingView,
} from "../api";
import { viewRefresh } from "../live";
import { loadMoreButton, pageOf, type ListPage } from "../loadmore";
import { CHANGE_STATUS_CODES } from "../codes";
import { changedCharacters } from "../diff";
import { errorBox, h, notice } from "../dom";
import { codeName, formatDateTime, t } from "../i18n";
import { may } from "../access";
import type { Shell } from "../app";

/** The sentence for a change that waits: "Pending change N: … waits for another approver or admin." */
export function pendingText(change: PendingView): string {
  return t("changes.pending", { id: change.id, summary: change.summary });
}

/** The flags of a change, highlighted, each with its code. */
export function flagList(flags: FlagView[], id: string): HTMLElement | null {
  if (flags.length === 0) return null;
  return h(
    "ul",
    { id, class: "flags" },
    ...flags.map((f) => h("li", { class: "warning", "data-code": f.code }, f.message, h("span", { class: "code" }, ` (${f.code})`))),
  );
}

/** A notice for a change that waits for a second person (`data-change-id` names it). */
export function pendingNotice(change: PendingView, id: string): HTMLElement {
  const flags = flagList(change.flags, `${id}-flags`);
  return h(
    "div",
    { id, class: "notice pending", role: "status", "data-change-id": change.id },
    h("p", {}, pendingText(change)),
    flags ? h("p", {}, t("changes.pendingFlags")) : null,
    flags,
  );
}

/**
 * What a command that may need four eyes did, as a notice: `applied(value)`'s sentence when it
 * took effect, the pending notice otherwise.
 */
export function outcomeNotice<T>(outcome: Outcome<T>, id: string, applied: (value: T) => string): HTMLElement {
  return outcome.outcome === "applied" ? notice(applied(outcome.value), id) : pendingNotice(outcome.change, id);
}

/** The same as text, for screens whose notices are sentences. */
export function outcomeText<T>(outcome: Outcome<T>, applied: (value: T) => string): string {
  return outcome.outcome === "applied" ? applied(outcome.value) : pendingText(outcome.change);
}

/** The change list; `filter` null shows every status. */
export async function renderChanges(shell: Shell, filter: ChangeStatus | null = "pending", message?: string): Promise<void> {
  const { content } = shell;
  const title = h("h2", { id: "changes-title", tabindex: -1 }, t("changes.title"));
  const select = h(
    "select",
    { id: "changes-filter" },
    ...CHANGE_STATUS_CODES.map((s) => h("option", { value: s, selected: s === filter }, codeName("changeStatus", s))),
    h("option", { value: "", selected: filter === null }, t("changes.filter.all")),
  );
  select.addEventListener("change", () => shell.openChanges?.((select.value || null) as ChangeStatus | null));
  const head = [
    title,
    h("p", { class: "hint" }, t("changes.hint")),
    message ? notice(message, "changes-notice") : null,
    h("div", { class: "row" }, h("label", { for: "changes-filter" }, t("changes.filter")), select),
  ].filter((n): n is HTMLElement => n !== null);
  const fetch = (limit: number, after: number | null) => listChanges(filter, limit, after);
  let first: ListPage<ChangeEntry>;
  try {
    first = await pageOf(fetch, (c) => c.id);
  } catch (reason) {
    content.replaceChildren(...head, errorBox(toCommandError(reason), "changes-error"));
    return;
  }
  const table = changeTable(shell, first.items);
  const failed = (reason: unknown) => more?.after(errorBox(toCommandError(reason), "changes-error"));
  const append = (rows: ChangeEntry[]) => table.querySelector("tbody")?.append(...rows.map((c) => changeRow(shell, c)));
  const more = loadMoreButton("changes-more", first.next, fetch, (c) => c.id, append, failed);
  content.replaceChildren(...head, table, ...(more ? [more] : []));
  title.focus();
  // Another desktop's change (a team workspace): the list is drawn again when its first page differs.
  const slot = head[head.length - 1];
  const firstPage = async () => (await pageOf(fetch, (c) => c.id)).items;
  shell.live = viewRefresh(content, slot, first.items, firstPage, () => void renderChanges(shell, filter));
}

function changeTable(shell: Shell, changes: ChangeEntry[]): HTMLElement {
  if (changes.length === 0) return h("p", { id: "changes-empty", class: "hint" }, t("changes.empty"));
  const table = h(
    "table",
    { id: "changes-table", class: "cases", "data-listnav": "tr[data-change-id]" },
    h(
      "thead",
      {},
      h("tr", {}, h("th", {}, t("changes.col.id")), h("th", {}, t("changes.col.change")), h("th", {}, t("changes.col.by")), h("th", {}, t("changes.col.status"))),
    ),
    h(
      "tbody",
      {},
      ...changes.map((c) => changeRow(shell, c)),
    ),
  );
  sortable(table);
  return table;
}

function changeRow(shell: Shell, c: ChangeEntry): HTMLTableRowElement {
  const open = h("button", { id: `change-open-${c.id}`, type: "button", class: "link" }, c.summary);
  open.addEventListener("click", () => shell.openChange?.(c.id));
  return h(
    "tr",
    { "data-change-id": c.id, "data-status": c.status, "data-kind": c.kind },
    h("td", { class: "num" }, String(c.id)),
    h("td", {}, h("strong", {}, codeName("changeKind", c.kind)), h("br"), open, c.flags.length > 0 ? h("span", { class: "badge hold" }, ` ⚠ ${c.flags.length}`) : null),
    h("td", {}, c.proposed_by, h("br"), h("span", { class: "hint" }, formatDateTime(c.proposed_at))),
    h("td", {}, h("span", { class: `badge change-${c.status}` }, codeName("changeStatus", c.status))),
  );
}

/** One side of a field: the value, with the characters that differ from `other` marked. */
function sideOf(value: string | null, other: string | null, changed: boolean): (Node | string)[] {
  if (value === null) return ["—"];
  if (!changed || other === null) return [value];
  return changedCharacters(other, value).map((seg) => (seg.changed ? h("mark", { class: "changed" }, seg.text) : seg.text));
}

/** The difference before → after, field by field. */
export function diffTable(fields: FieldChange[]): HTMLElement {
  if (fields.length === 0) return h("p", { id: "change-diff-none", class: "hint" }, t("changes.diff.nothing"));
  return h(
    "table",
    { id: "change-diff" },
    h("thead", {}, h("tr", {}, h("th", {}, t("changes.diff.field")), h("th", {}, t("changes.diff.before")), h("th", {}, t("changes.diff.after")))),
    h(
      "tbody",
      {},
      ...fields.map((f) =>
        h(
          "tr",
          { "data-field": f.name, "data-changed": f.changed ? "true" : "false", class: f.changed ? "changed" : undefined },
          h("th", { scope: "row" }, f.name),
          h("td", { class: "before" }, ...sideOf(f.before, f.after, f.changed)),
          h("td", { class: "after" }, ...sideOf(f.after, f.before, f.changed)),
        ),
      ),
    ),
  );
}

/** One change, with Approve and Reject while it waits. */
export async function renderChange(shell: Shell, id: number, message?: string): Promise<void> {
  const { content } = shell;
  const back = shell.beside ? null : h("button", { id: "back-to-changes", type: "button", class: "secondary" }, t("changes.back"));
  back?.addEventListener("click", () => shell.openChanges?.());
  let change: ChangeEntry;
  try {
    change = await changeDetail(id);
  } catch (reason) {
    content.replaceChildren(...(back ? [h("div", { class: "row" }, back)] : []), errorBox(toCommandError(reason), "change-error"));
    return;
  }
  const title = h("h2", { id: "change-title", tabindex: -1 }, t("changes.detail.title", { id: change.id, kind: codeName("changeKind", change.kind) }));
  const facts = h(
    "dl",
    { class: "facts" },
    h("dt", {}, t("changes.col.status")),
    h("dd", {}, h("span", { id: "change-status", class: `badge change-${change.status}`, "data-status": change.status }, codeName("changeStatus", change.status))),
    h("dt", {}, t("changes.col.by")),
    h("dd", { id: "change-proposed" }, t("changes.detail.byAt", { who: change.proposed_by, at: formatDateTime(change.proposed_at) })),
    change.decided_by && change.decided_at ? h("dt", {}, t("changes.col.decided")) : null,
    change.decided_by && change.decided_at
      ? h("dd", { id: "change-decided" }, t("changes.detail.byAt", { who: change.decided_by, at: formatDateTime(change.decided_at) }))
      : null,
    change.reason ? h("dt", {}, t("marks.col.reason")) : null,
    change.reason ? h("dd", { id: "change-reason" }, t("changes.detail.reason", { reason: change.reason })) : null,
  );
  const flags = flagList(change.flags, "change-flags");
  const sections: (HTMLElement | null)[] = [
    back ? h("div", { class: "row" }, back) : null,
    title,
    h("div", { id: "change-feedback", "aria-live": "polite" }, message ? notice(message, "change-notice") : null),
    h("section", { class: "card" }, h("p", { id: "change-summary", class: "summary" }, change.summary), facts),
    flags ? h("section", { class: "card", "aria-labelledby": "change-flags-title" }, h("h3", { id: "change-flags-title" }, t("changes.flags.title")), flags) : null,
    h("section", { class: "card", "aria-labelledby": "change-diff-title" }, h("h3", { id: "change-diff-title" }, t("changes.diff.title")), diffTable(change.fields)),
    h(
      "section",
      { class: "card", "aria-labelledby": "change-effects-title" },
      h("h3", { id: "change-effects-title" }, t("changes.effects.title")),
      h("ul", { id: "change-effects" }, ...change.effects.map((e) => h("li", {}, h("code", {}, e)))),
    ),
    change.status === "pending" ? decision(shell, change) : null,
  ];
  content.replaceChildren(...sections.filter((n): n is HTMLElement => n !== null));
  title.focus();
  // Another desktop's change (a team workspace): drawn again when it differs, unless a reason is being typed.
  const slot = content.querySelector<HTMLElement>("#change-feedback")!;
  shell.live = viewRefresh(content, slot, change, () => changeDetail(id), () => void renderChange(shell, id));
}

/** Approve and Reject for a waiting change. The maker may only withdraw (Reject). */
function decision(shell: Shell, change: ChangeEntry): HTMLElement {
  const own = change.proposed_by === shell.user.name;
  const feedback = h("div", { id: "change-decision-feedback", "aria-live": "assertive" });
  const fail = (reason: unknown) => feedback.replaceChildren(errorBox(toCommandError(reason), "change-error"));
  const approve = h(
    "button",
    { id: "change-approve", type: "button", disabled: own, "aria-describedby": own ? "change-own" : undefined },
    t("changes.approve"),
  );
  approve.addEventListener("click", async () => {
    feedback.replaceChildren();
    approve.disabled = true;
    try {
      const done = await approveChange(change.id);
      shell.refreshStatus?.();
      shell.openChange?.(done.id, t("changes.approved", { id: done.id }));
    } catch (reason) {
      fail(reason);
      approve.disabled = own;
    }
  });
  const reason = h("input", { id: "change-reject-reason", type: "text", autocomplete: "off", required: true });
  const form = h(
    "form",
    { id: "change-reject-form", hidden: true },
    h("div", { class: "field" }, h("label", { for: "change-reject-reason" }, t("changes.rejectReason")), reason),
    h("button", { id: "change-reject-submit", type: "submit", class: "danger" }, t("changes.rejectSubmit")),
  );
  const reject = h("button", { id: "change-reject", type: "button", class: "secondary" }, own ? t("changes.withdraw") : t("changes.reject"));
  reject.addEventListener("click", () => {
    form.hidden = false;
    reason.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    feedback.replaceChildren();
    try {
      const done = await rejectChange(change.id, reason.value);
      shell.refreshStatus?.();
      shell.openChange?.(done.id, t("changes.rejected", { id: done.id }));
    } catch (e) {
      fail(e);
    }
  });
  const checker = may(shell.user, "change.approve");
  return h(
    "section",
    { id: "change-decision", class: "card" },
    own ? h("p", { id: "change-own", class: "warning" }, t("changes.own")) : null,
    !own && !checker ? h("p", { id: "change-not-checker", class: "hint" }, t("changes.notChecker", { who: change.proposed_by })) : null,
    h("div", { class: "row" }, approve, reject),
    form,
    feedback,
  );
}
