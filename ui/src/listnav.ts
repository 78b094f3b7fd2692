// Moving through a list with the keyboard (issue 19), for any list whose rows carry a data
// attribute: a container names its rows with `data-listnav="<row selector>"` (the case list:
// `tr[data-case-id]`). j or ArrowDown and k or ArrowUp select the next or previous row
// (`aria-selected`, focused, scrolled into view), Enter opens the selected row (its first button
// or link is pressed). The list moved through is the one holding the focus, else the first list
// on screen. Keys typed into a field are left alone. A list that draws only some of its rows (a
// virtual list) registers a `RowSource` for its container: the keys then move through all of its
// rows, drawn or not, and the selection is the source's to keep across its redraws.
export const LISTNAV_ATTRIBUTE = "data-listnav";

/** The rows of a list that are not all in the DOM at once (virtuallist.ts). */
export interface RowSource {
  /** How many rows the list holds, drawn or not. */
  count(): number;
  /** The index of the selected row, or -1. */
  selectedIndex(): number;
  /** The index of a drawn row. */
  indexOf(row: HTMLElement): number;
  /** The index of the first row in view, where a first move starts. */
  firstInView(): number;
  /** Draws row `index`, scrolled into view, and returns it. */
  reveal(index: number): HTMLElement | null;
  /** Remembers `row` (one drawn) as the selected one, so that it is drawn selected again. */
  choose(row: HTMLElement): void;
  /**
   * Loads the list's next pages until the selected row is among those loaded (the list was
   * sorted again and it went beyond them) or none is left; its index, or -1.
   */
  seekSelected?(): Promise<number>;
}

const sources = new WeakMap<HTMLElement, RowSource>();

/** Makes the keys move through `source`'s rows when `container` is the list they act on. */
export function setRowSource(container: HTMLElement, source: RowSource): void {
  sources.set(container, source);
}

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
  sources.get(container)?.choose(row);
  row.focus({ preventScroll: true });
  row.scrollIntoView?.({ block: "nearest" });
}

/**
 * The selected row of `container`, drawn and focused again (a list shown again after a detail hid
 * it). With none (or one no longer loaded: the list was sorted again meanwhile), the list itself
 * takes the focus when it can (a virtual list's viewport), so the keys still act on it.
 */
export function refocus(container: HTMLElement): HTMLElement | null {
  const source = sources.get(container);
  const at = source?.selectedIndex() ?? -1;
  const row = source && at >= 0 ? source.reveal(at) : container.querySelector<HTMLElement>("[aria-selected=true]");
  if (row) select(container, row);
  else container.closest<HTMLElement>("[tabindex]")?.focus({ preventScroll: true });
  return row;
}

/**
 * `refocus`, after loading as much of a paged list as it takes to find its selected row again,
 * wherever a new order put it (the way back to a list sorted again while its detail was open).
 */
export async function refocusLoading(container: HTMLElement): Promise<HTMLElement | null> {
  const source = sources.get(container);
  if (source?.seekSelected && source.selectedIndex() < 0) await source.seekSelected();
  return container.isConnected ? refocus(container) : null;
}

/** Moves the selection `delta` rows (clamped to the list); the first move selects the first row. */
export function move(container: HTMLElement, delta: number): HTMLElement | null {
  const source = sources.get(container);
  if (source) return moveThrough(container, source, delta);
  const rows = rowsOf(container);
  if (rows.length === 0) return null;
  const focused = document.activeElement;
  let at = rows.findIndex((r) => r === focused || (focused instanceof Node && r.contains(focused)));
  if (at < 0) at = rows.findIndex((r) => r.getAttribute("aria-selected") === "true");
  const next = at < 0 ? (delta > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, at + delta));
  select(container, rows[next]);
  return rows[next];
}

/** `move` through a list whose rows are drawn as needed: the next row is drawn before it is selected. */
function moveThrough(container: HTMLElement, source: RowSource, delta: number): HTMLElement | null {
  const count = source.count();
  if (count === 0) return null;
  const focused = document.activeElement;
  const holding = focused instanceof HTMLElement ? rowsOf(container).find((r) => r.contains(focused)) : undefined;
  const at = holding ? source.indexOf(holding) : source.selectedIndex();
  // The first move selects the first row in view (the list may be scrolled far from its top).
  const next = at < 0 ? source.firstInView() : Math.min(count - 1, Math.max(0, at + delta));
  const row = source.reveal(next);
  if (row) select(container, row);
  return row;
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
