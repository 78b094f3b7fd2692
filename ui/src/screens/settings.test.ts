// The settings screen against a mocked Rust side: the four sections, adding a user (the first
// password sent once and cleared), disabling one, a new first password for another user (neither
// offered on one's own row, which points to My account), the
// policy with the core's refusal shown, our account, the key backup (a wrong passphrase refused
// and cleared) and the rotation (both passphrases sent once and cleared, the statement's place
// and the retired key shown); a section the core refuses does not hide the others; and the
// Settings button is offered to admins only.
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { OrgKeyView, PolicyView, UserEntry } from "../api";
import { renderApp, type Shell } from "../app";
import { setLocale } from "../i18n";
import { renderSettings } from "./settings";
import type { Role } from "../codes";
import { userOf } from "../testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const OLD_FPR = "36653 67829 08626 49703 65424 09250";
const NEW_FPR = "11111 22222 33333 44444 55555 66666";

const policy: PolicyView = {
  change_window_days: 90,
  rotation_window_days: 30,
  amount_unusual_factor: 3,
  amount_history_min: 3,
  first_instruction_needs_callback: true,
  shared_account_needs_callback: true,
  close_name_match_needs_callback: false,
  require_totp_for_approvers: false,
  approval_threshold_minor: 1000000,
  cooling_off_hours: 24,
};

function shell(): Shell {
  return {
    user: userOf("alice", "admin"),
    org: "Initech GmbH",
    content: document.createElement("div"),
    openQueue: vi.fn(),
    openInbox: vi.fn(),
    openCase: vi.fn(),
    openPartners: vi.fn(),
    openPartner: vi.fn(),
    openAccount: vi.fn(),
    setScreen: vi.fn(),
  };
}

type Call = { cmd: string; args: Record<string, unknown> };

/** What a command that may need four eyes answers when it took effect. */
const applied = <T>(value: T) => ({ outcome: "applied", value });
/** What it answers when it waits for a second person. */
const pending = (id: number, kind: string, summary: string) => ({ outcome: "pending", change: { id, kind, summary, flags: [] } });

/** A mocked Rust side with a small workspace; `override` answers first (or throws). */
function backend(override: (cmd: string, args: Record<string, unknown>) => unknown = () => undefined): Call[] {
  const calls: Call[] = [];
  let users: UserEntry[] = [
    { name: "alice", role: "admin", disabled: false },
    { name: "carol", role: "clerk", disabled: false },
  ];
  let key: OrgKeyView = { fingerprint: OLD_FPR, retired: [] };
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const answer = override(cmd, args);
    if (answer !== undefined) return answer;
    switch (cmd) {
      case "list_users":
        return users;
      case "add_user": {
        const request = args.request as { name: string; role: Role };
        users = [...users, { name: request.name, role: request.role, disabled: false }];
        return applied(users[users.length - 1]);
      }
      case "set_user_disabled":
        users = users.map((u) => (u.name === args.name ? { ...u, disabled: args.disabled as boolean } : u));
        return applied(null);
      case "reset_user_password":
        return applied(null);
      case "get_policy":
        return policy;
      case "set_policy":
        return applied(args.policy);
      case "get_org_account":
        return null;
      case "set_org_account":
        return applied({ name: "Initech GmbH", iban: "DE02120300000000202051", bic: "BYLADEM1001", currency: "EUR" });
      case "org_key_info":
        return key;
      case "backup_org_key":
        return { fingerprint: key.fingerprint, saved_to: "/home/alice/organisation-key-backup.key" };
      case "rotate_org_key":
        key = { fingerprint: NEW_FPR, retired: [{ fingerprint: OLD_FPR, retired_at: "2026-11-30T17:00:00Z" }] };
        return { old_fingerprint: OLD_FPR, new_fingerprint: NEW_FPR, saved_to: "/home/alice/organisation-key-rotation.json" };
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  return calls;
}

function input(root: ParentNode, id: string): HTMLInputElement {
  const el = root.querySelector<HTMLInputElement>(`#${id}`);
  if (!el) throw new Error(`no #${id}`);
  return el;
}

function submit(root: ParentNode, id: string) {
  const form = root.querySelector<HTMLFormElement>(`#${id}`);
  if (!form) throw new Error(`no #${id}`);
  form.dispatchEvent(new Event("submit", { cancelable: true }));
}

function click(root: ParentNode, id: string) {
  const b = root.querySelector<HTMLButtonElement>(`#${id}`);
  if (!b) throw new Error(`no #${id}`);
  b.click();
}

describe("settings", () => {
  it("shows users, the policy, our account and the organisation key", async () => {
    backend();
    const s = shell();
    await renderSettings(s);
    const rows = [...s.content.querySelectorAll("#users-table tbody tr")].map((r) => r.getAttribute("data-user"));
    expect(rows).toEqual(["alice", "carol"]);
    expect(s.content.querySelector("#users-table")?.textContent).toContain("clerk");
    // Neither a new first password nor "Disable" for oneself (the core refuses both): one's own
    // row points to My account, where the password is changed with the current one.
    expect(s.content.querySelector("#user-reset-alice")).toBeNull();
    expect(s.content.querySelector("#user-toggle-alice")).toBeNull();
    expect(s.content.querySelector("#user-reset-carol")).not.toBeNull();
    expect(s.content.querySelector("#user-toggle-carol")).not.toBeNull();
    expect(s.content.querySelector('[data-user="alice"]')?.textContent).toContain("change your own password or second factor on My account");
    click(s.content, "user-account-alice");
    expect(s.openAccount).toHaveBeenCalledOnce();
    expect(input(s.content, "policy-change_window_days").value).toBe("90");
    expect(input(s.content, "policy-first_instruction_needs_callback").checked).toBe(true);
    expect(input(s.content, "policy-close_name_match_needs_callback").checked).toBe(false);
    expect(s.content.querySelector("#account-unset")).not.toBeNull();
    expect(input(s.content, "account-currency").value).toBe("EUR");
    expect(s.content.querySelector("#org-fingerprint")?.textContent).toBe(OLD_FPR);
    expect(s.content.querySelector("#retired-keys")).toBeNull();
  });

  it("adds a user with a first password that is sent once and cleared", async () => {
    const calls = backend();
    const s = shell();
    await renderSettings(s);
    input(s.content, "new-user-name").value = "dave";
    s.content.querySelector<HTMLSelectElement>("#new-user-role")!.value = "approver";
    input(s.content, "new-user-password").value = "TEST-ONLY dave first";
    submit(s.content, "new-user-form");
    expect(input(s.content, "new-user-password").value).toBe("");
    await flush();
    expect(calls.filter((c) => c.cmd === "add_user").map((c) => c.args)).toEqual([
      { request: { name: "dave", role: "approver", password: "TEST-ONLY dave first" } },
    ]);
    expect(s.content.querySelector("#users-notice")?.textContent).toBe("dave was added as approver.");
    expect([...s.content.querySelectorAll("#users-table tbody tr")].length).toBe(3);
    // The re-rendered form holds no password.
    expect(input(s.content, "new-user-password").value).toBe("");
  });

  it("shows the core's refusal of a weak first password, and clears it", async () => {
    backend((cmd) => {
      if (cmd === "add_user") throw { code: "invalid_input", message: "the password: must have at least 10 characters" };
    });
    const s = shell();
    await renderSettings(s);
    input(s.content, "new-user-name").value = "dave";
    input(s.content, "new-user-password").value = "short";
    submit(s.content, "new-user-form");
    await flush();
    const error = s.content.querySelector("#new-user-error")!;
    expect(error.getAttribute("data-code")).toBe("invalid_input");
    expect(error.textContent).toContain("at least 10 characters");
    expect(input(s.content, "new-user-password").value).toBe("");
  });

  it("disables and enables a user", async () => {
    const calls = backend();
    const s = shell();
    await renderSettings(s);
    click(s.content, "user-toggle-carol");
    await flush();
    expect(calls.find((c) => c.cmd === "set_user_disabled")?.args).toEqual({ name: "carol", disabled: true });
    expect(s.content.querySelector("#users-notice")?.textContent).toContain("carol is disabled");
    expect(s.content.querySelector("#user-toggle-carol")?.textContent).toBe("Enable");
    click(s.content, "user-toggle-carol");
    await flush();
    expect(calls.filter((c) => c.cmd === "set_user_disabled").at(-1)?.args).toEqual({ name: "carol", disabled: false });
  });

  it("sets a new first password for another user and clears it", async () => {
    const calls = backend();
    const s = shell();
    await renderSettings(s);
    click(s.content, "user-reset-carol");
    input(s.content, "reset-password").value = "TEST-ONLY carol again";
    submit(s.content, "reset-form");
    expect(input(s.content, "reset-password").value).toBe("");
    await flush();
    expect(calls.find((c) => c.cmd === "reset_user_password")?.args).toEqual({ request: { name: "carol", password: "TEST-ONLY carol again" } });
    expect(s.content.querySelector("#users-notice")?.textContent).toBe("carol has a new first password.");
  });

  it("saves the policy as typed and shows the core's refusal of an invalid one", async () => {
    let refuse = true;
    const calls = backend((cmd) => {
      if (cmd === "set_policy" && refuse) throw { code: "invalid_input", message: "amount_unusual_factor must be between 2 and 1000" };
    });
    const s = shell();
    await renderSettings(s);
    input(s.content, "policy-amount_unusual_factor").value = "1";
    submit(s.content, "policy-form");
    await flush();
    expect(s.content.querySelector("#policy-error")?.getAttribute("data-code")).toBe("invalid_input");
    refuse = false;
    input(s.content, "policy-amount_unusual_factor").value = "5";
    input(s.content, "policy-require_totp_for_approvers").checked = true;
    submit(s.content, "policy-form");
    await flush();
    expect(calls.filter((c) => c.cmd === "set_policy").at(-1)?.args).toEqual({
      policy: { ...policy, amount_unusual_factor: 5, require_totp_for_approvers: true },
    });
    expect(s.content.querySelector("#policy-notice")?.textContent).toBe("The policy is saved.");
  });

  it("saves our account and shows it as the core stored it", async () => {
    const calls = backend();
    const s = shell();
    await renderSettings(s);
    input(s.content, "account-iban").value = "DE02 1203 0000 0000 2020 51";
    input(s.content, "account-bic").value = "byladem1001";
    submit(s.content, "account-form");
    await flush();
    expect(calls.find((c) => c.cmd === "set_org_account")?.args).toEqual({
      account: { name: "", iban: "DE02 1203 0000 0000 2020 51", bic: "byladem1001", currency: "EUR" },
    });
    expect(input(s.content, "account-iban").value).toBe("DE02120300000000202051");
    expect(input(s.content, "account-name").value).toBe("Initech GmbH");
    expect(s.content.querySelector("#account-unset")).toBeNull();
  });

  it("says which changes wait for a second person instead of pretending they took effect", async () => {
    const calls = backend((cmd) => {
      if (cmd === "add_user") return pending(4, "user_add", "Add erin as an approver");
      if (cmd === "reset_user_password") return pending(5, "user_reset_password", "Reset the password (and key) of carol, a clerk");
      if (cmd === "set_policy") return pending(6, "policy_set", "Loosen the policy: amount_unusual_factor");
      if (cmd === "set_org_account") return pending(7, "org_account", "Set our own account to DE89370400440532013000 (COBADEFFXXX)");
    });
    const s = shell();
    await renderSettings(s);
    input(s.content, "new-user-name").value = "erin";
    s.content.querySelector<HTMLSelectElement>("#new-user-role")!.value = "approver";
    input(s.content, "new-user-password").value = "TEST-ONLY erin first";
    submit(s.content, "new-user-form");
    await flush();
    const added = s.content.querySelector<HTMLElement>("#users-notice")!;
    expect(added.textContent).toBe("Pending change 4: Add erin as an approver — waits for another approver or admin.");
    expect(added.dataset.changeId).toBe("4");
    expect(s.content.querySelector("#users-table")?.textContent).not.toContain("erin");

    click(s.content, "user-reset-carol");
    input(s.content, "reset-password").value = "TEST-ONLY carol again";
    submit(s.content, "reset-form");
    await flush();
    expect(s.content.querySelector("#users-notice")?.textContent).toContain("Pending change 5: Reset the password");

    input(s.content, "policy-amount_unusual_factor").value = "5";
    submit(s.content, "policy-form");
    await flush();
    expect(s.content.querySelector("#policy-notice")?.textContent).toContain("Pending change 6: Loosen the policy");

    input(s.content, "account-iban").value = "DE89 3704 0044 0532 0130 00";
    input(s.content, "account-bic").value = "COBADEFFXXX";
    submit(s.content, "account-form");
    await flush();
    expect(s.content.querySelector("#account-notice")?.textContent).toContain("Pending change 7: Set our own account");
    // Nothing changed yet: the account stays unset.
    expect(s.content.querySelector("#account-unset")).not.toBeNull();
    expect(calls.filter((c) => c.cmd === "set_org_account")).toHaveLength(1);
  });

  it("backs up the key: a wrong passphrase is refused, and the passphrase never stays in the form", async () => {
    let wrong = true;
    const calls = backend((cmd) => {
      if (cmd === "backup_org_key" && wrong) throw { code: "authentication_failed", message: "wrong passphrase for the organisation key" };
    });
    const s = shell();
    await renderSettings(s);
    input(s.content, "backup-passphrase").value = "not it";
    submit(s.content, "backup-form");
    expect(input(s.content, "backup-passphrase").value).toBe("");
    await flush();
    expect(s.content.querySelector("#backup-error")?.getAttribute("data-code")).toBe("authentication_failed");
    wrong = false;
    input(s.content, "backup-passphrase").value = "TEST-ONLY org passphrase";
    submit(s.content, "backup-form");
    await flush();
    expect(calls.filter((c) => c.cmd === "backup_org_key").at(-1)?.args).toEqual({ request: { passphrase: "TEST-ONLY org passphrase" } });
    expect(s.content.querySelector("#backup-notice")?.textContent).toContain("/home/alice/organisation-key-backup.key");
    expect(input(s.content, "backup-passphrase").value).toBe("");
  });

  it("rotates the key: both passphrases sent once and cleared, the statement's place and the retired key shown", async () => {
    const calls = backend();
    const s = shell();
    await renderSettings(s);
    input(s.content, "rotate-passphrase").value = "TEST-ONLY org passphrase";
    input(s.content, "rotate-new-passphrase").value = "TEST-ONLY next org passphrase";
    input(s.content, "rotate-confirm").checked = true;
    submit(s.content, "rotate-form");
    expect(input(s.content, "rotate-passphrase").value).toBe("");
    expect(input(s.content, "rotate-new-passphrase").value).toBe("");
    await flush();
    expect(calls.filter((c) => c.cmd === "rotate_org_key").map((c) => c.args)).toEqual([
      { request: { passphrase: "TEST-ONLY org passphrase", new_passphrase: "TEST-ONLY next org passphrase" } },
    ]);
    expect(s.content.querySelector("#org-fingerprint")?.textContent).toBe(NEW_FPR);
    expect(s.content.querySelector("#rotate-result")?.textContent).toContain(`Our key is now ${NEW_FPR}; ${OLD_FPR} is retired.`);
    expect(s.content.querySelector("#rotate-saved")?.textContent).toBe("/home/alice/organisation-key-rotation.json");
    expect(s.content.querySelector("#retired-keys")?.textContent).toContain(OLD_FPR);
    expect(input(s.content, "rotate-passphrase").value).toBe("");
  });

  it("shows a section the core refuses without hiding the others", async () => {
    backend((cmd) => {
      if (cmd === "list_users") throw { code: "not_permitted", message: "carol is a clerk; only admin or auditor may list users" };
    });
    const s = shell();
    await renderSettings(s);
    expect(s.content.querySelector("#users-error")?.getAttribute("data-code")).toBe("not_permitted");
    expect(s.content.querySelector("#policy-form")).not.toBeNull();
    expect(s.content.querySelector("#org-fingerprint")?.textContent).toBe(OLD_FPR);
  });

  it("is in the chosen language", async () => {
    backend();
    setLocale("es");
    const s = shell();
    await renderSettings(s);
    expect(s.content.querySelector("#settings-title")?.textContent).toBe("Ajustes");
    expect(s.content.querySelector("#backup-submit")?.textContent).toBe("Guardar una copia…");
  });
});

describe("the Settings button", () => {
  async function app(role: string): Promise<HTMLElement> {
    backend((cmd) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return { dir: "/ws", exists: true, org_name: "Initech GmbH", user: userOf("alice", role as Role) };
      if (cmd === "case_page") return { cases: [], next: null };
    });
    const root = document.createElement("main");
    await renderApp(root);
    await flush();
    return root;
  }

  it("is offered to admins and opens the settings", async () => {
    const root = await app("admin");
    click(root, "nav-settings");
    await flush();
    expect(root.dataset.screen).toBe("settings");
    expect(root.querySelector("#settings-users")).not.toBeNull();
  });

  it("is not offered to a clerk", async () => {
    const root = await app("clerk");
    expect(root.querySelector("#nav-settings")).toBeNull();
  });
});
