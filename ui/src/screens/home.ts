// The first screen: what Countersign is, and which version is running (asked of the Rust side,
// so it is the version of the binary, not of this bundle).
import { appInfo, toCommandError } from "../api";

export const TAGLINE = "Stops the payment half of business email compromise.";

/** Renders the home screen into `root`; resolves once the version (or an error) is shown. */
export async function renderHome(root: HTMLElement): Promise<void> {
  const title = element("h1", "Countersign", "app-name");
  const tagline = element("p", TAGLINE, "app-tagline");
  tagline.className = "tagline";
  const version = element("span", "…", "app-version");
  const versionLine = element("p", "Version ");
  versionLine.className = "version";
  versionLine.append(version);
  root.replaceChildren(title, tagline, versionLine);
  root.dataset.state = "loading";

  try {
    const info = await appInfo();
    title.textContent = info.name;
    version.textContent = info.version;
    root.dataset.state = "ready";
  } catch (reason) {
    const error = toCommandError(reason);
    version.textContent = "unknown";
    const alert = element("p", `${error.message} (${error.code})`, "app-error");
    alert.setAttribute("role", "alert");
    alert.className = "error";
    root.append(alert);
    root.dataset.state = "error";
  }
}

// Text only through textContent: nothing from the Rust side is ever parsed as HTML.
function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text: string,
  id?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  if (id) {
    node.id = id;
  }
  return node;
}
