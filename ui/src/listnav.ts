// Moving through a list with the keyboard (issue 19), for any list whose rows carry a data
// attribute: a container names its rows with `data-listnav="<row selector>"` (the case list:
// `tr[data-case-id]`). j or ArrowDown and k or ArrowUp select the next or previous row
// (`aria-selected`, focused, scrolled into view), Enter opens the selected row (its first button
// or link is pressed). The list moved through is the one holding the focus, else the first list
// on screen. Keys typed into a field are left alone.
export const LISTNAV_ATTRIBUTE = "data-listnav";

/** Whether a key event was typed into a field (text, a select, an editable element). */
export function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !["button", "checkbox", "radio", "submit", "reset"].includes(target.type);
  }
  return false;
}

/** The rows of a list container, in order. */
export function rowsOf(container: HTMLElement): HTMLElement[] {
  const selector = container.getAttribute(LISTNAV_ATTRIBUTE) || "[data-id]";
  return Array.from(container.querySelectorAll<HTMLElement>(selector)).filter((row) => !row.hidden);
}

/** The list the keys act on: the one holding the focus, else the first one in `scope`. */
export function activeList(scope: ParentNode = document): HTMLElement | null {
  const focused = document.activeElement;
  const lists = Array.from(scope.querySelectorAll<HTMLElement>(`[${LISTNAV_ATTRIBUTE}]`)).filter((l) => l.getClientRects().length > 0 || !l.closest("[hidden]"));
  if (focused instanceof HTMLElement) {
    const holding = focused.closest<HTMLElement>(`[${LISTNAV_ATTRIBUTE}]`);
    if (holding) return holding;
    // The focus in a pane beside a list (a split view's detail): the list of that split.
    const split = focused.closest(".split");
    const beside = split?.querySelector<HTMLElement>(`[${LISTNAV_ATTRIBUTE}]`);
    if (beside && lists.includes(beside)) return beside;
  }
  return lists[0] ?? null;
}

/** Selects `row` in its list: `aria-selected` on it alone, focused and scrolled into view. */
export function select(container: HTMLElement, row: HTMLElement): void {
  for (const other of rowsOf(container)) {
    if (other !== row) other.setAttribute("aria-selected", "false");
  }
  row.setAttribute("aria-selected", "true");
  row.tabIndex = -1;
  row.focus();
  row.scrollIntoView?.({ block: "nearest" });
}

/** Moves the selection `delta` rows (clamped to the list); the first move selects the first row. */
export function move(container: HTMLElement, delta: number): HTMLElement | null {
  const rows = rowsOf(container);
  if (rows.length === 0) return null;
  const focused = document.activeElement;
  let at = rows.findIndex((r) => r === focused || (focused instanceof Node && r.contains(focused)));
  if (at < 0) at = rows.findIndex((r) => r.getAttribute("aria-selected") === "true");
  const next = at < 0 ? (delta > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, at + delta));
  select(container, rows[next]);
  return rows[next];
}

/** Opens a row: presses its first button or link. */
export function openRow(row: HTMLElement): boolean {
  const control = row.querySelector<HTMLElement>("button:not([disabled]), a[href]");
  if (!control) return false;
  control.click();
  return true;
}

/**
 * Handles a key for the lists on screen; true when it was one of theirs (the caller then
 * prevents its default). `scope` is where lists are looked for (the screen area).
 */
export function handleListKey(event: KeyboardEvent, scope: ParentNode = document): boolean {
  if (event.altKey || event.ctrlKey || event.metaKey || typingIn(event.target)) return false;
  const down = event.key === "j" || event.key === "ArrowDown";
  const up = event.key === "k" || event.key === "ArrowUp";
  if (down || up) {
    const list = activeList(scope);
    // Arrows keep their native meaning (scrolling) where no list is.
    if (!list) return false;
    return move(list, down ? 1 : -1) !== null;
  }
  if (event.key === "Enter") {
    const row = event.target instanceof HTMLElement ? event.target : null;
    const list = row?.closest<HTMLElement>(`[${LISTNAV_ATTRIBUTE}]`);
    // Only a selected row itself: Enter on a button inside it already presses that button.
    if (!row || !list || !rowsOf(list).includes(row)) return false;
    return openRow(row);
  }
  return false;
}
