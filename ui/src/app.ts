// The app shell: asks the Rust side where it stands (workspace? who is signed in?) and shows the
// first-run, sign-in or working screens; a signed-in user lands on My work (screens/queue.ts). `main[data-state]` is `loading`, `ready` or `error`;
// `main[data-screen]` names the screen (setup, login, inbox, case, account, …), for people and
// for tests. A session that must enrol a second factor opens on My account, with no other views.
// The language picker in the header re-renders the app in the chosen language and re-opens the
// screen that was open (every `open…` method of the shell is remembered as it is called). Every
// working screen shows the setup-mode banner (`#setup-banner`) while fewer than two people can
// check changes, and approvers and admins see how many changes wait (`#changes-count`), both
// asked again whenever a screen opens. On a team workspace (issue 17) a status line under the
// header names the server and follows the connection, and the live queue refreshes the counts and
// the screen that is open (each screen sets `shell.live`) when any desktop changed the workspace.
import { appInfo, listChanges, logout, toCommandError, watchWorkspace, workQueue, workspaceMode, workspaceStatus, type UserView } from "./api";
import { may } from "./access";
import type { CaseStatus, ChangeStatus } from "./codes";
import { errorBox, h } from "./dom";
import { LOCALES, codeName, locale, setLocale, t, type Locale } from "./i18n";
import { renderSetup } from "./screens/setup";
import { renderUnlock } from "./screens/unlock";
import { teamStatus } from "./live";
import { renderLogin } from "./screens/login";
import { renderInbox } from "./screens/inbox";
import { renderQueue, waitingCount } from "./screens/queue";
import { renderCase } from "./screens/case";
import { renderPartners } from "./screens/partners";
import { renderPartner } from "./screens/partner";
import { renderSettings } from "./screens/settings";
import { renderAudit } from "./screens/audit";
import { renderAccount } from "./screens/account";
import { renderChange, renderChanges } from "./screens/changes";
import { renderScreening } from "./screens/screening";
import { openSwitchUser } from "./screens/switchUser";

/** What a working screen needs from the shell. */
export interface Shell {
  user: UserView;
  org: string;
  /** The area below the header, to render into. */
  content: HTMLElement;
  /** My work: what waits for the signed-in user (the landing screen). */
  openQueue(): void;
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

/** Renders whatever the app's state calls for into `root`. */
export async function renderApp(root: HTMLElement, resume: Resume = {}): Promise<void> {
  root.dataset.state = "loading";
  document.documentElement.lang = locale();
  const version = h("span", { id: "app-version" }, "…");
  const header = h("header", { class: "bar" }, h("h1", { id: "app-name" }, "Countersign"));
  const content = h("div", { id: "content" });
  const footer = h("footer", {}, h("span", { id: "app-tagline" }, t("app.tagline")), ` · ${t("app.version")} `, version);
  root.replaceChildren(header, content, footer);
  const setScreen = (name: string) => (root.dataset.screen = name);
  let reopen: Resume["reopen"];
  const picker = languagePicker((next) => {
    setLocale(next);
    void renderApp(root, { reopen, typed: typedText(content) }).then(() => root.querySelector<HTMLElement>("#language")?.focus());
  });
  header.append(picker);
  try {
    const [info, status] = await Promise.all([appInfo(), workspaceStatus()]);
    version.textContent = info.version;
    const again = () => void renderApp(root);
    let onChange: (() => void) | null = null;
    if (status.team) {
      const line = teamStatus(status.team);
      header.after(line.element);
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
      const user = status.user;
      const signOut = async () => {
        await logout().catch(() => undefined);
        again();
      };
      // A session that must enrol a second factor may do nothing else: no views to offer.
      const mustEnrol = user.must_enrol_totp === true;
      // What the navigation offers is the core's permission table (UserView.permissions); each
      // screen's own controls follow it too, and the core refuses anyone else regardless.
      const checker = may(user, "change.approve");
      const banner = h("div", { id: "setup-banner", class: "warning banner", role: "status", hidden: true });
      content.before(banner);
      const refreshStatus = () =>
        void showStatus(banner, checker && !mustEnrol ? root.querySelector<HTMLElement>("#changes-count") : null, mustEnrol ? null : root.querySelector<HTMLElement>("#queue-count"));
      const nav = mustEnrol
        ? null
        : h(
            "nav",
            { "aria-label": t("nav.label") },
            queueButton(() => shell.openQueue()),
            button("nav-inbox", t("nav.inbox"), () => shell.openInbox()),
            button("nav-approvals", t("nav.approvals"), () => shell.openInbox("callback_confirmed")),
            button("nav-partners", t("partners.nav"), () => shell.openPartners()),
            // Every role: auditors are offered the check only, the others screening too.
            button("nav-screening", t("screening.nav"), () => shell.openScreening?.()),
            may(user, "policy.set") && button("nav-settings", t("settings.nav"), () => shell.openSettings?.()),
            may(user, "audit.log") && button("nav-audit", t("audit.nav"), () => shell.openAudit?.()),
            checker && changesButton(() => shell.openChanges?.()),
          );
      // The signed-in user's name opens My account.
      const account = h(
        "button",
        { id: "nav-account", type: "button", class: "secondary user", title: t("account.nav") },
        h("span", { id: "current-user" }, t("header.user", { name: user.name, role: codeName("role", user.role) })),
      );
      account.addEventListener("click", () => shell.openAccount?.());
      picker.before(
        h("span", { class: "org" }, status.org_name ?? ""),
        ...(nav ? [nav] : []),
        account,
        // Another person signs in over the open screen, which is opened again for them.
        button("switch-user", t("header.switchUser"), () => openSwitchUser(root, user.name, () => void renderApp(root, { reopen }))),
        button("logout", t("header.logout"), signOut),
      );
      const shell: Shell = {
        user,
        org: status.org_name ?? "",
        content,
        setScreen,
        openQueue: () => {
          setScreen("queue");
          void renderQueue(shell);
        },
        openInbox: (filter) => {
          setScreen("inbox");
          void renderInbox(shell, filter);
        },
        openCase: (id) => {
          setScreen("case");
          void renderCase(shell, id);
        },
        openPartners: (message) => {
          setScreen("partners");
          void renderPartners(shell, message);
        },
        openPartner: (id, message) => {
          setScreen("partner");
          void renderPartner(shell, id, message);
        },
        openSettings: () => {
          setScreen("settings");
          void renderSettings(shell);
        },
        openAudit: () => {
          setScreen("audit");
          void renderAudit(shell);
        },
        openAccount: () => {
          setScreen("account");
          renderAccount(shell, () => void signOut());
        },
        openScreening: () => {
          setScreen("screening");
          renderScreening(shell);
        },
        openChanges: (filter, message) => {
          setScreen("changes");
          void renderChanges(shell, filter, message);
        },
        openChange: (id, message) => {
          setScreen("change");
          void renderChange(shell, id, message);
        },
        refreshStatus,
      };
      onChange = () => {
        if (mustEnrol) return;
        refreshStatus();
        void shell.live?.();
      };
      rememberOpened(shell, (again) => (reopen = again), () => {
        shell.live = null;
        refreshStatus();
      });
      if (mustEnrol) shell.openAccount?.();
      else if (resume.reopen) resume.reopen(shell);
      else shell.openQueue();
    }
    root.dataset.state = "ready";
  } catch (reason) {
    version.textContent = t("app.versionUnknown");
    content.replaceChildren(errorBox(toCommandError(reason), "app-error"), h("div", { class: "row" }, button("app-retry", t("app.retry"), () => void renderApp(root))));
    root.dataset.state = "error";
  }
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
function rememberOpened(shell: Shell, remember: (reopen: (shell: Shell) => void) => void, opened: () => void): void {
  const methods = shell as unknown as Record<string, unknown>;
  for (const [name, method] of Object.entries(methods)) {
    if (!name.startsWith("open") || typeof method !== "function") continue;
    methods[name] = (...args: unknown[]) => {
      remember((again) => (again as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args));
      opened();
      return method.apply(shell, args);
    };
  }
}

/** "My work" in the nav, with the count of cases waiting for the user (filled by `showStatus`). */
function queueButton(onClick: () => void): HTMLButtonElement {
  const b = button("nav-queue", t("nav.queue"), onClick);
  b.append(" ", h("span", { id: "queue-count", class: "count", hidden: true }));
  return b;
}

/** "Pending changes" in the nav, with the count of changes waiting (filled by `showStatus`). */
function changesButton(onClick: () => void): HTMLButtonElement {
  const b = button("nav-changes", t("changes.nav"), onClick);
  b.append(" ", h("span", { id: "changes-count", class: "count", hidden: true }));
  return b;
}

/**
 * The setup-mode banner (shown while fewer than two people can check changes, so changes apply
 * at once) and the count of waiting changes on `count`. Each is left as it was when the Rust
 * side does not answer: they inform, and every screen answers for itself.
 */
export async function showStatus(banner: HTMLElement, count: HTMLElement | null, queueCount: HTMLElement | null = null): Promise<void> {
  const [mode, waiting, queue] = await Promise.all([
    workspaceMode().catch(() => null),
    count ? listChanges("pending").catch(() => null) : Promise.resolve(null),
    queueCount ? workQueue().catch(() => null) : Promise.resolve(null),
  ]);
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
  if (queueCount && queue) {
    const n = waitingCount(queue);
    queueCount.textContent = String(n);
    queueCount.hidden = n === 0;
    queueCount.title = t("nav.queueCount", { n });
    queueCount.dataset.count = String(n);
  }
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
