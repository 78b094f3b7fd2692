// First run's three ways to start (issue 17) and the database password a team workspace's server
// asks for, against a mocked Rust side: what each form sends, what it shows when refused, and the
// status line of the team workspace once joined.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { renderApp } from "../app";
import { setLocale } from "../i18n";
import { parsePort } from "./setup";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const team = { server: "carol@db.example.com:5433/payments", schema: "countersign" };

const firstRun = { dir: "/home/carol/.local/share/countersign", exists: false, org_name: null, user: null, team: null, needs_password: false };
const joined = { ...firstRun, exists: true, org_name: "Initech GmbH", team };

function type(root: HTMLElement, id: string, value: string) {
  const input = root.querySelector<HTMLInputElement>(`#${id}`);
  if (!input) throw new Error(`no #${id}`);
  input.value = value;
}

function choose(root: HTMLElement, mode: string) {
  const radio = root.querySelector<HTMLInputElement>(`#setup-mode-${mode}`)!;
  radio.checked = true;
  radio.dispatchEvent(new Event("change", { bubbles: true }));
}

function submit(root: HTMLElement, id: string) {
  root.querySelector<HTMLFormElement>(`#${id}`)!.dispatchEvent(new Event("submit", { cancelable: true }));
}

describe("first run", () => {
  it("reads the port as a number, or 0 for the Rust side to refuse", () => {
    expect(parsePort("5432")).toBe(5432);
    expect(parsePort(" 65535 ")).toBe(65535);
    for (const bad of ["", "65536", "54 32", "-1", "5432x", "0x10"]) expect(parsePort(bad)).toBe(0);
  });

  it("offers this computer first, and shows only the fields each way needs", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return firstRun;
      throw new Error(cmd);
    });
    const root = document.createElement("main");
    await renderApp(root);
    const form = root.querySelector<HTMLFormElement>("#setup-form")!;
    const server = root.querySelector<HTMLFieldSetElement>("#team-server")!;
    const workspace = root.querySelector<HTMLFieldSetElement>("#setup-workspace")!;
    expect(root.querySelector<HTMLInputElement>("#setup-mode-local")!.checked).toBe(true);
    expect([server.hidden, server.disabled, workspace.hidden]).toEqual([true, true, false]);
    expect(root.querySelector("#setup-submit")?.textContent).toBe("Create workspace");
    choose(root, "join");
    expect(form.dataset.mode).toBe("join");
    expect([server.hidden, workspace.hidden, workspace.disabled]).toEqual([false, true, true]);
    expect(root.querySelector<HTMLInputElement>("#team-schema")!.value).toBe("countersign");
    expect(root.querySelector<HTMLInputElement>("#team-port")!.value).toBe("5432");
    expect(root.querySelector<HTMLInputElement>("#team-password")!.type).toBe("password");
    expect(root.querySelector<HTMLElement>("#team-owner-hint")!.hidden).toBe(true);
    expect(root.querySelector("#setup-submit")?.textContent).toBe("Join workspace");
    choose(root, "team");
    expect([server.hidden, workspace.hidden]).toEqual([false, false]);
    expect(root.querySelector<HTMLElement>("#team-owner-hint")!.hidden).toBe(false);
    expect(root.querySelector("#setup-submit")?.textContent).toBe("Create team workspace");
  });

  it("joins a team workspace with what was typed, then signs in under the team's status line", async () => {
    let sent: Record<string, unknown> | null = null;
    let watched = false;
    mockIPC((cmd, args) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return sent ? joined : firstRun;
      if (cmd === "pick_ca_file") return "/home/carol/team ca.pem";
      if (cmd === "watch_workspace") {
        watched = true;
        return null;
      }
      if (cmd === "join_team") {
        sent = (args as { request: Record<string, unknown> }).request;
        return joined;
      }
      throw new Error(cmd);
    });
    const root = document.createElement("main");
    await renderApp(root);
    choose(root, "join");
    type(root, "team-host", " db.example.com ");
    type(root, "team-port", "5433");
    type(root, "team-database", "payments");
    type(root, "team-user", "carol");
    type(root, "team-password", "database secret");
    root.querySelector<HTMLButtonElement>("#team-ca-pick")!.click();
    await flush();
    expect(root.querySelector<HTMLInputElement>("#team-ca")!.value).toBe("/home/carol/team ca.pem");
    submit(root, "setup-form");
    await flush();
    expect(sent).toEqual({
      host: "db.example.com",
      port: 5433,
      database: "payments",
      schema: "countersign",
      user: "carol",
      ca_file: "/home/carol/team ca.pem",
      password: "database secret",
    });
    expect(root.dataset.screen).toBe("login");
    expect(watched).toBe(true);
    const line = root.querySelector<HTMLElement>("#team-status")!;
    expect(line.textContent).toBe("Team workspace on carol@db.example.com:5433/payments (schema countersign)");
    expect(line.dataset.connection).toBe("connected");
  });

  it("creates a team workspace with the server and the workspace, and shows a refusal as its sentence", async () => {
    let sent: unknown = null;
    mockIPC((cmd, args) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return firstRun;
      if (cmd === "create_team_workspace") {
        sent = (args as { request: unknown }).request;
        throw { code: "database_unreachable", message: "Cannot reach the team workspace's server carol@db.example.com:5432/payments: timed out." };
      }
      throw new Error(cmd);
    });
    const root = document.createElement("main");
    await renderApp(root);
    choose(root, "team");
    type(root, "team-host", "db.example.com");
    type(root, "team-database", "payments");
    type(root, "team-schema", "initech");
    type(root, "team-user", "carol");
    type(root, "setup-org", "Initech GmbH");
    type(root, "setup-admin", "alice");
    type(root, "setup-password", "pw pw pw pw pw");
    type(root, "setup-password-again", "pw pw pw pw pw");
    type(root, "setup-passphrase", "a long passphrase");
    type(root, "setup-passphrase-again", "a long passphrase");
    submit(root, "setup-form");
    await flush();
    expect(sent).toEqual({
      server: { host: "db.example.com", port: 5432, database: "payments", schema: "initech", user: "carol", ca_file: null, password: "" },
      workspace: { org_name: "Initech GmbH", admin: "alice", passphrase: "a long passphrase", password: "pw pw pw pw pw" },
    });
    const error = root.querySelector<HTMLElement>("#setup-error")!;
    expect(error.dataset.code).toBe("database_unreachable");
    expect(error.textContent).toContain("Cannot reach the team workspace's server");
    expect(root.querySelector<HTMLButtonElement>("#setup-submit")!.disabled).toBe(false);
    expect(root.querySelector<HTMLElement>("#setup-progress")!.hidden).toBe(true);
  });
});

describe("the database password", () => {
  it("is asked for when the server wants it, a refusal is shown, and the right one opens sign-in", async () => {
    const tried: string[] = [];
    let unlocked = false;
    mockIPC((cmd, args) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return unlocked ? joined : { ...firstRun, team, needs_password: true };
      if (cmd === "watch_workspace") return null;
      if (cmd === "unlock_team") {
        const password = (args as { request: { password: string } }).request.password;
        tried.push(password);
        if (password !== "right") {
          throw { code: "database_password", message: "The server carol@db.example.com:5433/payments refused the password of the database user carol: type it again." };
        }
        unlocked = true;
        return joined;
      }
      throw new Error(cmd);
    });
    const root = document.createElement("main");
    await renderApp(root);
    expect(root.dataset.screen).toBe("unlock");
    expect(root.querySelector("#unlock-intro")?.textContent).toContain("schema countersign on carol@db.example.com:5433/payments");
    type(root, "unlock-password", "wrong");
    submit(root, "unlock-form");
    await flush();
    expect(root.querySelector<HTMLElement>("#unlock-error")?.dataset.code).toBe("database_password");
    expect(root.dataset.screen).toBe("unlock");
    type(root, "unlock-password", "right");
    submit(root, "unlock-form");
    await flush();
    expect(tried).toEqual(["wrong", "right"]);
    expect(root.dataset.screen).toBe("login");
    expect(root.textContent).not.toContain("right");
  });

  it("an unreachable server is a sentence with a way to try again", async () => {
    let calls = 0;
    mockIPC((cmd) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") {
        calls += 1;
        if (calls === 1) throw { code: "database_unreachable", message: "Cannot reach the team workspace's server x: refused." };
        return joined;
      }
      if (cmd === "watch_workspace") return null;
      throw new Error(cmd);
    });
    const root = document.createElement("main");
    await renderApp(root);
    expect(root.dataset.state).toBe("error");
    expect(root.querySelector("#app-error")?.textContent).toContain("Cannot reach the team workspace's server");
    root.querySelector<HTMLButtonElement>("#app-retry")!.click();
    await flush();
    expect(root.dataset.screen).toBe("login");
  });
});
