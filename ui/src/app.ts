// The app shell: asks the Rust side where it stands (workspace? who is signed in?) and shows the
// first-run, sign-in or working screens. `main[data-state]` is `loading`, `ready` or `error`;
// `main[data-screen]` names the screen (setup, login, inbox, case), for people and for tests.
import { appInfo, logout, toCommandError, workspaceStatus, type UserView } from "./api";
import { errorBox, h } from "./dom";
import { renderSetup } from "./screens/setup";
import { renderLogin } from "./screens/login";
import { renderInbox } from "./screens/inbox";
import { renderCase } from "./screens/case";

export const TAGLINE = "Stops the payment half of business email compromise.";

/** What a working screen needs from the shell. */
export interface Shell {
  user: UserView;
  org: string;
  /** The area below the header, to render into. */
  content: HTMLElement;
  openInbox(filter?: string): void;
  openCase(id: number): void;
  setScreen(name: string): void;
}

/** Renders whatever the app's state calls for into `root`. */
export async function renderApp(root: HTMLElement): Promise<void> {
  root.dataset.state = "loading";
  const version = h("span", { id: "app-version" }, "…");
  const header = h("header", { class: "bar" }, h("h1", { id: "app-name" }, "Countersign"));
  const content = h("div", { id: "content" });
  const footer = h("footer", {}, h("span", { id: "app-tagline" }, TAGLINE), " · Version ", version);
  root.replaceChildren(header, content, footer);
  const setScreen = (name: string) => (root.dataset.screen = name);
  try {
    const [info, status] = await Promise.all([appInfo(), workspaceStatus()]);
    version.textContent = info.version;
    const again = () => void renderApp(root);
    if (!status.exists) {
      setScreen("setup");
      renderSetup(content, status, again);
    } else if (!status.user) {
      setScreen("login");
      renderLogin(content, status, again);
    } else {
      const user = status.user;
      const signOut = async () => {
        await logout().catch(() => undefined);
        again();
      };
      const nav = h(
        "nav",
        { "aria-label": "Views" },
        button("nav-inbox", "All cases", () => shell.openInbox()),
        button("nav-approvals", "Awaiting approval", () => shell.openInbox("callback_confirmed")),
      );
      header.append(
        h("span", { class: "org" }, status.org_name ?? ""),
        nav,
        h("span", { id: "current-user", class: "user" }, `${user.name} (${user.role})`),
        button("switch-user", "Switch user", signOut),
        button("logout", "Sign out", signOut),
      );
      const shell: Shell = {
        user,
        org: status.org_name ?? "",
        content,
        setScreen,
        openInbox: (filter) => {
          setScreen("inbox");
          void renderInbox(shell, filter);
        },
        openCase: (id) => {
          setScreen("case");
          void renderCase(shell, id);
        },
      };
      shell.openInbox();
    }
    root.dataset.state = "ready";
  } catch (reason) {
    version.textContent = "unknown";
    content.replaceChildren(errorBox(toCommandError(reason), "app-error"));
    root.dataset.state = "error";
  }
}

export function button(id: string, label: string, onClick: () => void, cls = "secondary"): HTMLButtonElement {
  const b = h("button", { id, type: "button", class: cls }, label);
  b.addEventListener("click", onClick);
  return b;
}
