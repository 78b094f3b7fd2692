// My work: the landing screen. What waits for the signed-in user, step by step (to call back, to
// approve, to release, callbacks locked), oldest first, as the core decides from the signed facts
// for this user's role and part in each case; then the pending changes they may check. Each case
// opens in one click or with Enter; empty steps say so. The counts also show in the navigation.
// Payments the user could release but for the cooling-off of the changed account they pay are
// listed apart with the time each may go: they wait for the clock, not for the user.
// An admin whose workspace is not fully set up sees the first-run checklist first (our account,
// a first partner, a second person to check changes, a backup of the organisation key), each
// item done or one click from where it is done, until all are.
import { setupChecklist, toCommandError, workQueue, type SetupChecklistView, type WorkQueueView } from "../api";
import { may } from "../access";
import { errorBox, h } from "../dom";
import type { Shell } from "../app";
import { codeName, formatDateTime, formatNumber, t, tn } from "../i18n";
import { caseRow, columns } from "./inbox";

/** Performance marks of My work: asked, answered, in the DOM (read by tests/e2e/perf.mjs). */
export const QUEUE_ASKED_MARK = "countersign:queue-asked";
export const QUEUE_ANSWERED_MARK = "countersign:queue-answered";
export const QUEUE_DRAWN_MARK = "countersign:queue-drawn";

/** Every case waiting in the queue, each once (a case can wait for two steps). */
export function waitingCount(queue: WorkQueueView): number {
  return queue.groups.reduce((sum, g) => sum + g.count, 0);
}

/** The count of the navigation's My work (`#queue-count`, when shown) from a work queue. */
export function showQueueCount(count: HTMLElement | null, queue: WorkQueueView): void {
  if (!count) return;
  const n = waitingCount(queue);
  count.textContent = String(n);
  count.hidden = n === 0;
  count.title = t("nav.queueCount", { n });
  count.dataset.count = String(n);
}

export async function renderQueue(shell: Shell): Promise<void> {
  const { content } = shell;
  const title = h("h2", { id: "queue-title", tabindex: -1 }, t("queue.title", { name: shell.user.name }));
  // Both asked at once: the checklist's answer need not wait for the queue's.
  const asked = may(shell.user, "org.account") ? setupChecklist().catch(() => null) : Promise.resolve(null);
  let queue: WorkQueueView;
  performance.mark(QUEUE_ASKED_MARK);
  try {
    queue = await workQueue();
    performance.mark(QUEUE_ANSWERED_MARK);
  } catch (reason) {
    content.replaceChildren(title, errorBox(toCommandError(reason), "queue-error"));
    return;
  }
  showQueueCount((content.getRootNode() as ParentNode).querySelector<HTMLElement>("#queue-count"), queue);
  const total = waitingCount(queue);
  const summary = h("p", { id: "queue-summary", class: "hint", "data-count": total }, total === 0 && queue.changes_to_check === 0 ? t("queue.nothing") : tn("queue.waiting", total));
  const now = new Date();
  const groups = queue.groups.map((g) => {
    const id = `queue-${g.step}`;
    const heading = h("h3", { id: `${id}-title` }, codeName("step", g.step), " ", h("span", { class: "count", "data-count": g.count }, formatNumber(g.count)));
    const body =
      g.count === 0
        ? h("p", { class: "hint" }, t("queue.none"))
        : h(
            "table",
            { class: "cases" },
            h("thead", {}, h("tr", {}, ...columns().map((name) => h("th", { scope: "col" }, name)))),
            h("tbody", {}, ...g.cases.map((c) => caseRow(c, shell, now))),
          );
    const more = g.cases.length < g.count ? h("p", { class: "hint" }, t("queue.more", { shown: formatNumber(g.cases.length), total: formatNumber(g.count) })) : null;
    return h("section", { id, class: "card queue-group", "data-step": g.step, "data-count": g.count, "aria-labelledby": `${id}-title` }, heading, body, more);
  });
  const changes =
    queue.changes_to_check > 0
      ? h(
          "section",
          { id: "queue-changes", class: "card", "data-count": queue.changes_to_check },
          h("p", {}, tn("queue.changes", queue.changes_to_check), " "),
          button(t("queue.openChanges"), () => shell.openChanges?.()),
        )
      : null;
  const cooling = coolingOffCard(shell, queue, now);
  const list = await asked;
  const checklist = list && !isDone(list) ? checklistCard(shell, list) : null;
  // j/k and the arrows move through the cases of every group (listnav.ts).
  const waiting = h("div", { id: "queue-groups", "data-listnav": "tr[data-case-id]" }, ...groups, cooling);
  content.replaceChildren(...[title, checklist, summary, changes, waiting].filter((p): p is HTMLElement => p !== null));
  performance.mark(QUEUE_DRAWN_MARK);
  title.focus();
  shell.live = () => renderQueue(shell);
}

/** The payments waiting out their account's cooling-off, with when each may be released; none: nothing. */
function coolingOffCard(shell: Shell, queue: WorkQueueView, now: Date): HTMLElement | null {
  if (queue.cooling_off_count === 0) return null;
  const rows = queue.cooling_off.map((w) => {
    const row = caseRow(w.case, shell, now);
    const from = formatDateTime(w.until);
    row.append(h("td", {}, h("time", { datetime: w.until }, from)));
    row.setAttribute("aria-label", `${row.getAttribute("aria-label")}, ${t("queue.coolingOff.from")}: ${from}`);
    return row;
  });
  const more = queue.cooling_off.length < queue.cooling_off_count ? h("p", { class: "hint" }, t("queue.coolingOff.more", { shown: formatNumber(queue.cooling_off.length), total: formatNumber(queue.cooling_off_count) })) : null;
  return h(
    "section",
    { id: "queue-cooling-off", class: "card queue-waiting", "data-count": queue.cooling_off_count, "aria-labelledby": "queue-cooling-off-title" },
    h("h3", { id: "queue-cooling-off-title" }, t("queue.coolingOff.title"), " ", h("span", { class: "count", "data-count": queue.cooling_off_count }, formatNumber(queue.cooling_off_count))),
    h("p", { class: "hint" }, t("queue.coolingOff.hint")),
    h(
      "table",
      { class: "cases" },
      h("thead", {}, h("tr", {}, ...[...columns(), t("queue.coolingOff.from")].map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, ...rows),
    ),
    more,
  );
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const b = h("button", { id: "queue-open-changes", type: "button", class: "secondary" }, label);
  b.addEventListener("click", onClick);
  return b;
}

type ChecklistItem = keyof SetupChecklistView;

const CHECKLIST: ChecklistItem[] = ["our_account", "first_partner", "second_checker", "key_backed_up"];

function isDone(list: SetupChecklistView): boolean {
  return CHECKLIST.every((item) => list[item]);
}

/** The first-run checklist: each item done, or a button to where it is done. */
function checklistCard(shell: Shell, list: SetupChecklistView): HTMLElement {
  const where: Record<ChecklistItem, () => void> = {
    our_account: () => shell.openSettings?.(),
    first_partner: () => shell.openPartners(),
    second_checker: () => shell.openSettings?.(),
    key_backed_up: () => shell.openSettings?.(),
  };
  const items = CHECKLIST.map((item) => {
    const open = h("button", { type: "button", class: "link", id: `checklist-open-${item}` }, t("checklist.open"));
    open.addEventListener("click", where[item]);
    return h(
      "li",
      { "data-item": item, "data-done": String(list[item]) },
      h("span", { class: list[item] ? "badge accepted" : "badge hold" }, t(list[item] ? "checklist.done" : "checklist.todo")),
      " ",
      t(`checklist.${item}`),
      list[item] ? null : " ",
      list[item] ? null : open,
    );
  });
  return h("section", { id: "setup-checklist", class: "card", "aria-labelledby": "checklist-title" }, h("h3", { id: "checklist-title" }, t("checklist.title")), h("ul", {}, ...items));
}
