// A list beside its detail (issue 19): a generic split view. The list stays where it was (its own
// scroll, its selection) while the detail beside it changes; on narrow windows (CSS decides: under
// 1280 px wide) the open detail takes the list's place and its back control brings the list back,
// scrolled as it was, with the focus on the row that opened the detail. Going back may ask the
// list again (`refreshList`: what the detail changed shows), and the same row is selected again,
// wherever it now is (a list sorted again meanwhile is loaded as far as it takes to find it),
// unless the user has moved the focus meanwhile (typing a search into the list drawn afresh).
// The back control (`#split-back`) is the detail's only way back: a detail screen drawn here shows
// none of its own (`Shell.beside`). The shell renders a list screen into `list` and a detail
// screen into `detail`; nothing here knows what is listed.
import { h } from "./dom";
import { LISTNAV_ATTRIBUTE, refocus, refocusLoading, select } from "./listnav";

export interface SplitView {
  /** The whole view, to put into the screen area (`.split`, `data-detail` open or closed). */
  element: HTMLElement;
  /** Where the list screen renders. */
  list: HTMLElement;
  /** Where the detail screen renders (below the back control). */
  detail: HTMLElement;
  /** Shows the detail pane; remembers the list's scroll and the element that opened it. */
  showDetail(): void;
  /** Back to the list alone: the list's scroll restored, the focus back on what opened the detail. */
  closeDetail(): void;
  isOpen(): boolean;
  /**
   * Closes the detail and asks the list again with `draw` (drawn afresh, or its rows asked again
   * in place), then puts back its scroll and selects the row that opened the detail (found again
   * by its `data-…-id` attributes, or the list's own selection when that row is not drawn).
   */
  refreshList(draw: () => Promise<void> | void): Promise<void>;
}

export interface SplitOptions {
  /** The split's id (`split-<kind>`), so the shell can tell whose list is shown. */
  id: string;
  /** The accessible names of the two panes and the back control's text. */
  listLabel: string;
  detailLabel: string;
  backLabel: string;
  /** What the back control (and Escape) does; closing the detail unless given. */
  onBack?: () => void;
}

export function splitView(options: SplitOptions): SplitView {
  const list = h("section", { class: "split-list", "aria-label": options.listLabel });
  const back = h("button", { id: "split-back", type: "button", class: "secondary split-back" }, `← ${options.backLabel}`);
  const detail = h("div", { class: "split-body" });
  const detailPane = h("section", { class: "split-detail", "aria-label": options.detailLabel, hidden: true }, h("div", { class: "split-bar" }, back), detail);
  const element = h("div", { id: options.id, class: "split", "data-detail": "closed" }, list, detailPane);
  let scrolled = 0;
  let opener: HTMLElement | null = null;
  const view: SplitView = {
    element,
    list,
    detail,
    showDetail() {
      if (!view.isOpen()) scrolled = list.scrollTop;
      // Opened from the list: that row is where the focus goes back to (a detail opened from
      // within the detail keeps the row that opened the first one).
      const active = document.activeElement;
      if (active instanceof HTMLElement && list.contains(active)) opener = active;
      else if (!view.isOpen()) opener = null;
      element.dataset.detail = "open";
      detailPane.hidden = false;
    },
    closeDetail() {
      element.dataset.detail = "closed";
      detailPane.hidden = true;
      detail.replaceChildren();
      list.scrollTop = scrolled;
      // The row that opened the detail; drawn afresh meanwhile (a virtual list), the selected row
      // of the list, drawn again where it is.
      if (opener?.isConnected) opener.focus();
      else {
        const container = list.querySelector<HTMLElement>(`[${LISTNAV_ATTRIBUTE}]`);
        if (container) refocus(container);
      }
    },
    isOpen: () => element.dataset.detail === "open",
    async refreshList(draw) {
      const key = rowKey(opener);
      view.closeDetail();
      const top = list.scrollTop;
      const focused = document.activeElement;
      await draw();
      // Another detail opened while the list was drawn: the focus stays there. So it does when
      // the user went on meanwhile (a search typed into the list drawn afresh, before its first
      // page came): the keys typed next must not land in the list, nor the field scroll away.
      if (view.isOpen() || movedOn(focused)) return;
      list.scrollTop = top;
      const again = key ? list.querySelector<HTMLElement>(key) : null;
      const container = again?.closest<HTMLElement>(`[${LISTNAV_ATTRIBUTE}]`) ?? list.querySelector<HTMLElement>(`[${LISTNAV_ATTRIBUTE}]`);
      if (again && container) select(container, again);
      else if (again) again.focus();
      // Not drawn, or not even loaded (the list was sorted again while the detail was open): the
      // list's selection, found wherever it now is and scrolled into view.
      else if (container) await refocusLoading(container);
    },
  };
  back.addEventListener("click", () => (options.onBack ? options.onBack() : view.closeDetail()));
  return view;
}

/**
 * Whether the user went on while the list was drawn: the focus is now in a field (a search being
 * typed) other than `before` (where it was when the list was asked), still on screen. A heading
 * the drawn screen focused itself, or the page (where the focus falls when the focused row is
 * drawn away), is not the user going on: the list's selection is restored then.
 */
function movedOn(before: Element | null): boolean {
  const now = document.activeElement;
  return now instanceof HTMLElement && now !== before && now.isConnected && now.matches("input, textarea, select, [contenteditable]");
}

/**
 * A selector that finds the row holding `element` again after the list is drawn afresh: the row
 * (the list's row selector, else the table row) with the same `data-…id` attributes.
 */
export function rowKey(element: Element | null): string | null {
  if (!element) return null;
  const selector = element.closest(`[${LISTNAV_ATTRIBUTE}]`)?.getAttribute(LISTNAV_ATTRIBUTE) || "tr";
  const row = element.closest(selector);
  if (!row) return null;
  const ids = Array.from(row.attributes).filter((a) => /^data-(.+-)?id$/.test(a.name));
  if (ids.length === 0) return null;
  return `${row.tagName.toLowerCase()}${ids.map((a) => `[${a.name}="${a.value.replace(/["\\]/g, "\\$&")}"]`).join("")}`;
}
