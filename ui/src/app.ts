// The app shell: asks the Rust side where it stands (workspace? who is signed in?) and shows the
// first-run, sign-in or working screens; a signed-in user lands on My work (screens/queue.ts).
// `main[data-state]` is `loading`, `ready` or `error`; `main[data-screen]` names the screen (setup,
// login, inbox, case, account, …), for people and for tests; `main[data-layout]` is `plain` before
// sign-in and `work` after it. The working layout (issue 19) is a side navigation (the views the
// user's permissions offer, each with its shortcut; the counts of My work `#queue-count` and of
// pending changes `#changes-count`; the user, Switch user and Sign out; the language, the density
// and the shortcuts overlay) beside the screen area. Lists of cases, partners, changes and the audit
// log show the item opened beside them (split.ts). A session that must enrol a second factor opens
// on My account, with no other views. The language picker re-renders the app in the chosen language and
// re-opens the screen that was open (every `open…` method of the shell is remembered as it is
// called). Every working screen shows the setup-mode banner (`#setup-banner`) while fewer than two
// people can check changes; the banner and the counts are asked again whenever a screen opens. On
// a team workspace (issue 17) a status line above the screen names the server and follows the
// connection, and the live queue refreshes the counts and the screen that is open (each screen
// sets `shell.live`) when any desktop changed the workspace.
import { appInfo, frozenPartners, listChanges, logout, toCommandError, watchWorkspace, workQueue, workspaceMode, workspaceStatus, type UserView } from "./api";
import type { FrozenPartnerView } from "./bindings/FrozenPartnerView";
import { may } from "./access";
import type { CaseStatus, ChangeStatus } from "./codes";
import { errorBox, h } from "./dom";
import { LOCALES, codeName, locale, setLocale, t, type Locale } from "./i18n";
import { renderSetup } from "./screens/setup";
import { renderUnlock } from "./screens/unlock";
import { teamStatus } from "./live";
import { renderLogin } from "./screens/login";
import { renderInbox } from "./screens/inbox";
import { renderQueue, showQueueCount } from "./screens/queue";
import { renderCase } from "./screens/case";
import { renderPartners } from "./screens/partners";
import { renderPartner } from "./screens/partner";
import { renderSettings } from "./screens/settings";
import { renderAudit } from "./screens/audit";
import { renderAccount } from "./screens/account";
import { renderChange, renderChanges } from "./screens/changes";
import { renderScreening } from "./screens/screening";
import { splitView, type SplitView } from "./split";
import { applyDensity, density, setDensity } from "./density";
import { installShortcuts, showShortcuts } from "./shortcuts";
import { renderAnswer } from "./screens/answer";
import { openSwitchUser } from "./screens/switchUser";

/** What a working screen needs from the shell. */
export interface Shell {
  user: UserView;
  org: string;
  /**
   * Where the screen draws: an element of its own in the screen area or in one pane of a split
   * view (list, detail), taken off the screen when another screen opens.
   */
  content: HTMLElement;
  /** Drawn beside its list, whose back control is the way back: the screen shows none of its own. */
  beside?: boolean;
  /**
   * Back to where the user came from (the screen opened before this one), for a detail opened on
   * its own, beside no list; All cases when the app opened on it.
   */
  goBack?(): void;
  /** My work: what waits for the signed-in user (the landing screen). */
  openQueue(): Promise<void> | void;
  openInbox(filter?: CaseStatus): void;
  openCase(id: number): void;
  /** The partner list (any role may look; the core decides what each may do). */
  openPartners(message?: string): void;
  openPartner(id: number, message?: string): void;
  /** The admin's settings: users, policy, our account, the organisation key. */
  openSettings?(): void;
  /** The auditor's view: the log, its check, exports and the activity chart. */
  openAudit?(): void;
  /** My account (every role): one's own password and second factor. */
  openAccount?(): void;
  /** Pending changes (four eyes), waiting ones unless `filter` says otherwise. */
  openChanges?(filter?: ChangeStatus | null, message?: string): void;
  /** One change, with Approve and Reject while it waits. */
  openChange?(id: number, message?: string): void;
  /** The ERP's payment file: screen it (clerks, approvers, admins) or check it (every role). */
  openScreening?(): void;
  /** Answer a customer's callback about an instruction we issued (the partner's side). */
  openAnswer?(): void;
  /**
   * Shows a detail beside the list on screen, drawn by `draw` into the detail pane (an audit
   * event beside the log); the list stays as it is.
   */
  showBeside?(draw: (pane: HTMLElement) => void): void;
  /** Asks again whether the workspace is in setup mode and how many changes wait (banner, count). */
  refreshStatus?(): void;
  /**
   * What the open screen asks again when another desktop changed the team workspace; each screen
   * sets it when drawn, and opening another screen clears it.
   */
  live?: (() => void | Promise<void>) | null;
  setScreen(name: string): void;
}

/** What to bring back when the app is rendered again in another language. */
export interface Resume {
  /** Re-opens the working screen that was open. */
  reopen?: (shell: Shell) => void;
  /** What was typed in the text fields of the first-run or sign-in form, by field id. */
  typed?: Record<string, string>;
}

/** The performance mark of the workspace's status answered with a user signed in. */
export const STATUS_MARK = "countersign:status";

/** Renders whatever the app's state calls for into `root`. */
export async function renderApp(root: HTMLElement, resume: Resume = {}): Promise<void> {
  root.dataset.state = "loading";
  root.dataset.layout = "plain";
  document.documentElement.lang = locale();
  applyDensity();
  const version = h("span", { id: "app-version" }, "…");
  const brand = h("div", { class: "brand" }, h("h1", { id: "app-name" }, "Countersign"));
  const header = h("header", { class: "bar" }, brand);
  const content = h("div", { id: "content" });
  const workarea = h("div", { id: "workarea" }, content);
  const footer = h("footer", {}, h("span", { id: "app-tagline" }, t("app.tagline")), ` · ${t("app.version")} `, version);
  root.replaceChildren(header, workarea, footer);
  const setScreen = (name: string) => (root.dataset.screen = name);
  let reopen: Resume["reopen"];
  const picker = languagePicker((next) => {
    setLocale(next);
    void renderApp(root, { reopen, typed: typedText(content) }).then(() => root.querySelector<HTMLElement>("#language")?.focus());
  });
  header.append(picker);
  (root as ShortcutRoot).stopShortcuts?.();
  (root as ShortcutRoot).stopShortcuts = undefined;
  try {
    const [info, status] = await Promise.all([appInfo(), workspaceStatus()]);
    // Where the time after a sign-in goes (read by tests/e2e/perf.mjs; docs/performance.md).
    if (status.user) performance.mark(STATUS_MARK);
    version.textContent = info.version;
    const again = () => void renderApp(root);
    let onChange: (() => void) | null = null;
    if (status.team) {
      const line = teamStatus(status.team);
      workarea.prepend(line.element);
      void watchWorkspace((event) => {
        line.update(event);
        if (event !== "lost") onChange?.();
      }).catch(() => undefined);
    }
    if (status.team && status.needs_password) {
      setScreen("unlock");
      renderUnlock(content, status.team, again);
    } else if (!status.exists) {
      setScreen("setup");
      renderSetup(content, status, again);
      restoreTyped(content, resume.typed);
    } else if (!status.user) {
      setScreen("login");
      renderLogin(content, status, again);
      restoreTyped(content, resume.typed);
    } else {
      const name = status.user.name;
      const switchUser = () => openSwitchUser(root, name, () => void renderApp(root, { reopen }));
      onChange = renderWorking(root, { user: status.user, org: status.org_name ?? "", brand, picker, version, footer, workarea, content, again, resume, setScreen, switchUser }, (r) => (reopen = r));
    }
    root.dataset.state = "ready";
  } catch (reason) {
    version.textContent = t("app.versionUnknown");
    content.replaceChildren(errorBox(toCommandError(reason), "app-error"), h("div", { class: "row" }, button("app-retry", t("app.retry"), () => void renderApp(root))));
    root.dataset.state = "error";
  }
}

/** The root remembers how to stop the shortcuts of the previous render. */
type ShortcutRoot = HTMLElement & { stopShortcuts?: () => void };

/** What the working layout is built from. */
interface WorkingParts {
  user: UserView;
  org: string;
  brand: HTMLElement;
  picker: HTMLElement;
  version: HTMLElement;
  footer: HTMLElement;
  workarea: HTMLElement;
  content: HTMLElement;
  again: () => void;
  resume: Resume;
  setScreen: (name: string) => void;
  /** Another person signs in over the open screen, which is opened again for them. */
  switchUser: () => void;
}

/**
 * The lists that show their detail beside them: the list's screen, the detail's screen. A case
 * opens beside the list it was opened from (All cases or My work), whose back control returns to
 * that list.
 */
const SPLITS = {
  cases: ["inbox", "case"],
  queue: ["queue", "case"],
  partners: ["partners", "partner"],
  changes: ["changes", "change"],
  audit: ["audit"],
} as const;
type SplitKind = keyof typeof SPLITS;

/**
 * The signed-in layout: the side navigation (the views the user's permissions offer, with their
 * counts and shortcuts; the user, the language and the density) beside the screen area. Returns
 * what to do when another desktop changed the team workspace.
 */
function renderWorking(root: HTMLElement, parts: WorkingParts, remember: (reopen: (shell: Shell) => void) => void): () => void {
  const { user, content } = parts;
  const signOut = async () => {
    await logout().catch(() => undefined);
    parts.again();
  };
  // A session that must enrol a second factor may do nothing else: no views to offer.
  const mustEnrol = user.must_enrol_totp === true;
  // What the navigation offers is the core's permission table (UserView.permissions); each
  // screen's own controls follow it too, and the core refuses anyone else regardless.
  const checker = may(user, "change.approve");
  const banner = h("div", { id: "setup-banner", class: "warning banner", role: "status", hidden: true });
  content.before(banner);
  // Issue 20: every partner whose signed freeze stands, on every screen, from the workspace's
  // statements: every desktop of a team workspace shows it on its next refresh or live update.
  const freezeBanner = h("div", { id: "freeze-banner", class: "error banner", role: "alert", hidden: true });
  banner.before(freezeBanner);
  // On My work the screen's own work queue sets the navigation's count (showQueueCount): asking
  // for the queue twice after sign-in would keep the screen waiting for the second answer.
  const refreshStatus = (queueShown = root.dataset.screen === "queue") =>
    void showStatus(
      banner,
      checker && !mustEnrol ? root.querySelector<HTMLElement>("#changes-count") : null,
      mustEnrol || queueShown ? null : root.querySelector<HTMLElement>("#queue-count"),
      mustEnrol ? null : freezeBanner,
    );
  const nav = mustEnrol ? null : sideNav(user, () => shell);
  const sidebar = h(
    "div",
    { id: "sidebar", class: "sidebar" },
    parts.brand,
    nav,
    userBlock(user, parts.org, () => shell.openAccount?.(), parts.switchUser, signOut),
    h("div", { class: "preferences" }, parts.picker, densityToggle(), shortcutsButton(root)),
    parts.footer,
  );
  parts.brand.append(h("span", { class: "org" }, parts.org));
  // The side navigation's foot: the version alone (the tagline is the sign-in screen's).
  parts.footer.replaceChildren(`${t("app.version")} `, parts.version);
  root.replaceChildren(sidebar, parts.workarea);
  root.dataset.layout = "work";
  (root as ShortcutRoot).stopShortcuts = installShortcuts(root, () => content);

  const show = (name: string) => {
    parts.setScreen(name);
    // A case beside My work belongs to My work in the navigation, not to All cases.
    const section = name === "case" && content.querySelector("#split-queue[data-detail=open]") ? "queue" : name;
    for (const entry of nav?.querySelectorAll<HTMLElement>("[data-screens]") ?? []) {
      if (entry.dataset.screens!.split(" ").includes(section)) entry.setAttribute("aria-current", "page");
      else entry.removeAttribute("aria-current");
    }
  };
  const area = screenArea(content, () => shell, show);
  const shell: Shell = workingShell(user, parts.org, content, area, show, refreshStatus, () => void signOut());
  // The screens opened last, the one before the open one being where a detail on its own goes back to.
  const trail: ((shell: Shell) => void)[] = [];
  const opened = (reopen: (shell: Shell) => void) => {
    remember(reopen);
    trail.push(reopen);
    if (trail.length > 2) trail.shift();
  };
  rememberOpened(shell, opened, (method) => refreshStatus(method === "openQueue"));
  shell.goBack = () => (trail.length > 1 ? trail[0](shell) : shell.openInbox());
  if (mustEnrol) shell.openAccount?.();
  else if (parts.resume.reopen) parts.resume.reopen(shell);
  else shell.openQueue();
  return () => {
    if (mustEnrol) return;
    refreshStatus();
    void area.current()?.live?.();
  };
}

/**
 * The shell the working screens get. Each `open…` names the screen and asks the area for the
 * shell that screen renders with (its own `content`, where the area puts it).
 */
function workingShell(
  user: UserView,
  org: string,
  content: HTMLElement,
  area: ScreenArea,
  show: (name: string) => void,
  refreshStatus: () => void,
  signOut: () => void,
): Shell {
  const open = (name: string, screen: Shell) => {
    show(name);
    return screen;
  };
  const shell: Shell = {
    user,
    org,
    content,
    setScreen: show,
    // Returns once drawn: the navigation's counts wait for My work's own answer (issue 19).
    openQueue: () => {
      show("queue");
      return area.listIn("queue", (screen) => renderQueue(screen));
    },
    openInbox: (filter) => {
      show("inbox");
      area.listIn("cases", (screen) => renderInbox(screen, filter));
    },
    openCase: (id) => void renderCase(open("case", area.detailIn("cases", "queue")), id),
    openPartners: (message) => {
      show("partners");
      area.listIn("partners", (screen) => renderPartners(screen, message));
    },
    openPartner: (id, message) => void renderPartner(open("partner", area.detailIn("partners")), id, message),
    openSettings: () => void renderSettings(open("settings", area.plain())),
    openAudit: () => {
      show("audit");
      area.listIn("audit", (screen) => renderAudit(screen));
    },
    showBeside: (draw) => area.showBeside(draw),
    openAccount: () => renderAccount(open("account", area.plain()), signOut),
    openScreening: () => renderScreening(open("screening", area.plain())),
    openAnswer: () => void renderAnswer(open("answer", area.plain())),
    openChanges: (filter, message) => {
      show("changes");
      area.listIn("changes", (screen) => renderChanges(screen, filter, message));
    },
    openChange: (id, message) => void renderChange(open("change", area.detailIn("changes")), id, message),
    refreshStatus,
  };
  return shell;
}

/**
 * Where screens draw. Every screen opened renders with a shell of its own whose `content` is an
 * element of its own, put where the screen goes (the whole area, or a pane of a split view);
 * opening another screen takes that element off the screen. So a screen still waiting for its
 * command's answer when the user went elsewhere draws into an element no one sees, and its
 * `live` is no longer asked: no screen needs a check of its own against a later one.
 */
interface ScreenArea {
  /** The whole area, for a screen of its own. */
  plain(): Shell;
  /**
   * A list screen, drawn by `draw` in the list pane of a split of `kind`. Coming back to it from
   * its detail by the back control, the list stays as it was (its search, its scroll) and is
   * asked again in place (its `live`), with the row that opened the detail selected again; a list
   * without `live`, or one opened afresh (from the navigation, another filter), is drawn afresh
   * where it was.
   */
  listIn(kind: SplitKind, draw: (screen: Shell) => Promise<void> | void): Promise<void>;
  /** A detail screen: beside its list when one of `kinds` is on screen, else the whole area. */
  detailIn(...kinds: SplitKind[]): Shell;
  /** A detail with no screen of its own (an audit event), beside the list on screen. */
  showBeside(draw: (pane: HTMLElement) => void): void;
  /** The shell of the screen opened last, while it is on screen. */
  current(): Shell | null;
}

function screenArea(content: HTMLElement, shell: () => Shell, show: (name: string) => void): ScreenArea {
  let split: { kind: SplitKind; view: SplitView; list: Shell } | null = null;
  let current: Shell | null = null;
  // Set while the split's back control takes the user back to the list (not a fresh visit).
  let returning = false;
  const back: Record<SplitKind, () => void> = {
    cases: () => shell().openInbox(),
    queue: () => shell().openQueue(),
    partners: () => shell().openPartners(),
    changes: () => shell().openChanges?.(),
    // The log's check and filters stay as they were: the detail closes, nothing is asked again.
    audit: () => split?.view.closeDetail(),
  };
  /** A screen's own shell, drawing into a fresh element that replaces what `pane` held. */
  const begin = (pane: HTMLElement): Shell => {
    const element = h("div", { class: "screen" });
    pane.replaceChildren(element);
    const screen: Shell = Object.create(shell());
    screen.content = element;
    screen.live = null;
    // A screen of its own opened from this one (onboarding, issuing our details) draws where this
    // one did; one that belongs to neither a list nor its detail takes the whole area.
    screen.setScreen = (name) => {
      if (!element.isConnected) return;
      if (split && !(SPLITS[split.kind] as readonly string[]).includes(name)) {
        split = null;
        content.replaceChildren(element);
      }
      current = screen;
      show(name);
    };
    current = screen;
    return screen;
  };
  const area: ScreenArea = {
    plain() {
      split = null;
      return begin(content);
    },
    listIn(kind, draw) {
      if (split?.kind === kind && split.view.element.isConnected && split.view.isOpen()) {
        const list = split.list;
        const view = split.view;
        current = list;
        const inPlace = returning && list.live && list.content.isConnected;
        return view.refreshList(() => (inPlace ? list.live!() : draw((split!.list = begin(view.list)))));
      }
      const onBack = () => {
        returning = true;
        try {
          back[kind]();
        } finally {
          returning = false;
        }
      };
      const view = splitView({ id: `split-${kind}`, listLabel: t("layout.list"), detailLabel: t("layout.detail"), backLabel: t("layout.back"), onBack });
      content.replaceChildren(view.element);
      split = { kind, view, list: begin(view.list) };
      return Promise.resolve(draw(split.list));
    },
    detailIn(...kinds) {
      if (!split || !kinds.includes(split.kind) || !split.view.element.isConnected) return area.plain();
      split.view.showDetail();
      const screen = begin(split.view.detail);
      // The split's back control is the way back: the screen draws none of its own.
      screen.beside = true;
      return screen;
    },
    showBeside(draw) {
      if (!split?.view.element.isConnected) return;
      split.view.showDetail();
      const element = h("div", { class: "screen" });
      split.view.detail.replaceChildren(element);
      draw(element);
    },
    current: () => (current?.content.isConnected ? current : null),
  };
  return area;
}

/**
 * The side navigation: the views this user's permissions offer, each with the letter that goes
 * to it after g (shown beside it) and the screens it stands for (`aria-current` on the open one).
 */
function sideNav(user: UserView, shell: () => Shell): HTMLElement {
  const entry = (id: string, label: string, key: string, screens: string, onClick: () => void, count?: string) => {
    // The label shrinks (an ellipsis, the whole of it in the title) before anything wraps.
    const b = h("button", { id, type: "button", class: "nav-entry", title: label }, h("span", { class: "nav-label" }, label));
    b.addEventListener("click", onClick);
    b.dataset.shortcut = key;
    b.dataset.label = label;
    b.dataset.screens = screens;
    b.setAttribute("aria-keyshortcuts", `g ${key}`);
    if (count) b.append(" ", h("span", { id: count, class: "count", hidden: true }));
    return h("li", {}, b, h("kbd", { class: "nav-key", "aria-hidden": "true" }, `g ${key}`));
  };
  return h(
    "nav",
    { "aria-label": t("nav.label") },
    h(
      "ul",
      {},
      entry("nav-queue", t("nav.queue"), "w", "queue", () => shell().openQueue(), "queue-count"),
      entry("nav-inbox", t("nav.inbox"), "i", "inbox case", () => shell().openInbox()),
      entry("nav-approvals", t("nav.approvals"), "a", "", () => shell().openInbox("callback_confirmed")),
      entry("nav-partners", t("partners.nav"), "p", "partners partner onboard issue", () => shell().openPartners()),
      // Every role: auditors are offered the check only, the others screening too.
      entry("nav-screening", t("screening.nav"), "f", "screening", () => shell().openScreening?.()),
      may(user, "instruction.respond") && entry("nav-answer", t("answer.nav"), "r", "answer", () => shell().openAnswer?.()),
      may(user, "change.approve") && entry("nav-changes", t("changes.nav"), "c", "changes change", () => shell().openChanges?.(), "changes-count"),
      may(user, "audit.log") && entry("nav-audit", t("audit.nav"), "l", "audit", () => shell().openAudit?.()),
      may(user, "policy.set") && entry("nav-settings", t("settings.nav"), "s", "settings", () => shell().openSettings?.()),
    ),
  );
}

/** The signed-in user: the name opens My account; Switch user and Sign out. */
function userBlock(user: UserView, org: string, openAccount: () => void, switchUser: () => void, signOut: () => void): HTMLElement {
  const account = h(
    "button",
    { id: "nav-account", type: "button", class: "secondary user", title: t("account.nav") },
    h("span", { id: "current-user" }, t("header.user", { name: user.name, role: codeName("role", user.role) })),
  );
  account.addEventListener("click", openAccount);
  return h(
    "section",
    { class: "who", "aria-label": t("layout.signedIn"), "data-org": org },
    account,
    h("div", { class: "row tight" }, button("switch-user", t("header.switchUser"), switchUser), button("logout", t("header.logout"), signOut)),
  );
}

/** The density setting: compact rows or not, remembered on this desktop. */
function densityToggle(): HTMLElement {
  const box = h("input", { id: "density-compact", type: "checkbox" });
  box.checked = density() === "compact";
  box.addEventListener("change", () => setDensity(box.checked ? "compact" : "comfortable"));
  return h("label", { class: "check", for: "density-compact" }, box, ` ${t("layout.density")}`);
}

/** Opens the shortcuts overlay; the same as `?`. */
function shortcutsButton(root: HTMLElement): HTMLElement {
  const b = button("shortcuts-open", t("layout.shortcuts"), () => void showShortcuts(root), "link");
  b.setAttribute("aria-keyshortcuts", "?");
  return h("p", { class: "shortcuts-hint" }, b, " ", h("kbd", { "aria-hidden": "true" }, "?"));
}

export function button(id: string, label: string, onClick: () => void, cls = "secondary"): HTMLButtonElement {
  const b = h("button", { id, type: "button", class: cls }, label);
  b.addEventListener("click", onClick);
  return b;
}

/** The language picker: each language named in itself; `choose` gets the new one. */
function languagePicker(choose: (next: Locale) => void): HTMLElement {
  const select = h("select", { id: "language" }, ...LOCALES.map((l) => h("option", { value: l.code, lang: l.code }, l.name)));
  select.value = locale();
  select.addEventListener("change", () => choose(select.value as Locale));
  return h("span", { class: "language" }, h("label", { for: "language" }, t("app.language")), select);
}

/**
 * Wraps every `open…` method of the shell so that each call is remembered as the way back to
 * the screen it opened (a method added to Shell later is covered too).
 */
function rememberOpened(shell: Shell, remember: (reopen: (shell: Shell) => void) => void, opened: (method: string) => void): void {
  const methods = shell as unknown as Record<string, unknown>;
  for (const [name, method] of Object.entries(methods)) {
    if (!name.startsWith("open") || typeof method !== "function") continue;
    methods[name] = (...args: unknown[]) => {
      remember((again) => (again as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args));
      const drawn = method.apply(shell, args);
      // The navigation's counts and the banner are asked once the screen has its own answer: the
      // Rust side answers one command at a time, so asked first they would keep the screen (My
      // work after sign-in above all) waiting behind them (issue 19).
      void Promise.resolve(drawn).then(
        () => opened(name),
        () => opened(name),
      );
      return drawn;
    };
  }
}

/**
 * The setup-mode banner (shown while fewer than two people can check changes, so changes apply
 * at once) and the count of waiting changes on `count`. Each is left as it was when the Rust
 * side does not answer: they inform, and every screen answers for itself.
 */
export async function showStatus(
  banner: HTMLElement,
  count: HTMLElement | null,
  queueCount: HTMLElement | null = null,
  freezeBanner: HTMLElement | null = null,
): Promise<void> {
  const [mode, waiting, queue, frozen] = await Promise.all([
    workspaceMode().catch(() => null),
    count ? listChanges("pending", null, null).catch(() => null) : Promise.resolve(null),
    queueCount ? workQueue().catch(() => null) : Promise.resolve(null),
    freezeBanner ? frozenPartners().catch(() => null) : Promise.resolve(null),
  ]);
  if (freezeBanner && Array.isArray(frozen)) showFrozen(freezeBanner, frozen);
  if (mode) {
    banner.hidden = !mode.setup;
    banner.dataset.setup = String(mode.setup);
    banner.replaceChildren(
      ...(mode.setup
        ? [h("strong", {}, t("setup.banner")), " ", h("span", { id: "setup-checkers" }, t("setup.checkers", { names: mode.checkers.join(", ") || "—" }))]
        : []),
    );
  }
  if (count && waiting) {
    count.textContent = String(waiting.length);
    count.hidden = waiting.length === 0;
    count.title = t("changes.navCount", { n: waiting.length });
    count.dataset.count = String(waiting.length);
  }
  if (queueCount && queue) showQueueCount(queueCount, queue);
}

/**
 * The freeze banner (issue 20): each partner whose signed freeze notice stands, by name, with what
 * the freeze holds; hidden when none does.
 */
export function showFrozen(banner: HTMLElement, frozen: FrozenPartnerView[]): void {
  banner.hidden = frozen.length === 0;
  banner.dataset.partners = frozen.map((p) => String(p.id)).join(" ");
  const partner = (p: FrozenPartnerView) => {
    const freeze = p.freezes[0];
    const scope = freeze?.except ? t("freeze.banner.allBut", { account: freeze.except }) : t("freeze.banner.all");
    return h("li", { class: "frozen-partner", "data-partner": String(p.id) }, h("strong", {}, p.name), " — ", scope, freeze ? ` (“${freeze.reason}”)` : "");
  };
  banner.replaceChildren(...(frozen.length ? [h("strong", {}, t("freeze.banner.title")), h("ul", {}, ...frozen.map(partner))] : []));
}

/** The text typed in a form's plain text fields (never a password), to keep across a re-render. */
function typedText(content: HTMLElement): Record<string, string> {
  const typed: Record<string, string> = {};
  for (const input of content.querySelectorAll<HTMLInputElement>("form input[type=text]")) {
    if (input.id && input.value) typed[input.id] = input.value;
  }
  return typed;
}

function restoreTyped(content: HTMLElement, typed: Record<string, string> = {}): void {
  for (const input of content.querySelectorAll<HTMLInputElement>("form input[type=text]")) {
    if (input.id in typed) input.value = typed[input.id];
  }
}
