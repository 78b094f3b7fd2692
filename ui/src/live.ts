// The live queue of a team workspace (issue 17), on the UI's side: the status line that names the
// server and says when the connection is lost and back, and the refresh of what a screen shows
// when any desktop changed the workspace. A refresh never takes away what the person is typing:
// while they type, it only offers "Show the latest".
import type { LiveEvent, TeamView } from "./api";
import { h } from "./dom";
import { formatTime, t } from "./i18n";

/** The status line's text for `team` after `event` (`null`: as opened). */
export function teamLine(team: TeamView, event: LiveEvent | null, at: Date = new Date()): string {
  const { server, schema } = team;
  if (event === "lost") return t("team.lost", { server });
  if (event === "restored") return t("team.restored", { server, schema, time: formatTime(at) });
  return t("team.status", { server, schema });
}

/** The status line of the team workspace; `update` follows the live queue. */
export function teamStatus(team: TeamView): { element: HTMLElement; update: (event: LiveEvent) => void } {
  const element = h("span", { id: "team-status", class: "team", role: "status", "data-connection": "connected" }, teamLine(team, null));
  const update = (event: LiveEvent) => {
    if (event === "changed" && element.dataset.connection !== "lost") return;
    element.dataset.connection = event === "lost" ? "lost" : "connected";
    element.textContent = teamLine(team, event === "changed" ? "restored" : event);
  };
  return { element, update };
}

/**
 * Whether someone is typing or choosing on `root`: a focused field, or text the person typed in
 * a form's field (a field the screen filled in itself, as the name-check form fills in the
 * payee and the account, is not the person's until they change it).
 */
export function busy(root: HTMLElement, active: Element | null = document.activeElement): boolean {
  if (active && root.contains(active) && active.matches("input, textarea, select")) return true;
  const fields = root.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(
    "input:not([type=search]):not([type=radio]):not([type=checkbox]):not([type=hidden]), textarea",
  );
  return Array.from(fields).some((field) => !field.disabled && field.value.trim() !== field.defaultValue.trim());
}

/** Whether a view asked for again differs from the one shown. */
export function differs(shown: unknown, fresh: unknown): boolean {
  return JSON.stringify(shown) !== JSON.stringify(fresh);
}

/**
 * The refresh of a screen drawn from one view: asks `load` again and, when the view differs from
 * `shown`, calls `redraw`; while someone is busy on `root` (or `editing()` says so), it only puts
 * "This changed on another desktop. Show the latest" into `slot`.
 */
export function viewRefresh<T>(
  root: HTMLElement,
  slot: HTMLElement,
  shown: T,
  load: () => Promise<T>,
  redraw: () => void,
  editing: () => boolean = () => false,
): () => Promise<void> {
  return async () => {
    let fresh: T;
    try {
      fresh = await load();
    } catch {
      return; // The screen shows its own errors when the person acts; a refresh stays quiet.
    }
    if (!differs(shown, fresh) || !root.contains(slot)) return;
    if (!busy(root) && !editing()) {
      redraw();
      return;
    }
    if (slot.querySelector("#live-changed")) return;
    const show = h("button", { id: "live-show", type: "button", class: "secondary" }, t("live.show"));
    show.addEventListener("click", redraw);
    slot.append(h("p", { id: "live-changed", class: "warning row", role: "status" }, h("span", {}, t("live.changed")), show));
  };
}
