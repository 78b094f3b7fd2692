// My account against a mocked Rust side: the header's name opens it for every role; a password
// change sends the current and the new password once and clears the fields, shows the core's
// refusal, and refuses two different new passwords without sending; enrolling a second factor
// sends the password once, clears it and shows the secret and its QR code; a session that must
// enrol opens on this screen with the explanation and no other views, and signs out to sign in
// again with a code.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { TotpEnrolment, UserView } from "../api";
import { renderApp } from "../app";
import { setLocale } from "../i18n";
import { ROLE_CODES } from "../codes";
import { queueOf, userOf } from "../testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

const enrolment: TotpEnrolment = {
  secret: SECRET,
  otpauth_uri: `otpauth://totp/Countersign:erin?secret=${SECRET}&issuer=Countersign`,
  // A 21×21 code: the first row dark, the rest light.
  qr: { width: 21, dark: Array.from({ length: 441 }, (_, i) => i < 21), payload: `otpauth://totp/Countersign:erin?secret=${SECRET}&issuer=Countersign` },
};

type Call = { cmd: string; args: Record<string, unknown> };

/** A mocked Rust side with `user` signed in; `override` answers first (or throws). */
function backend(user: UserView, override: (cmd: string, args: Record<string, unknown>) => unknown = () => undefined): Call[] {
  const calls: Call[] = [];
  let signedIn: UserView | null = user;
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const answer = override(cmd, args);
    if (answer !== undefined) return answer;
    switch (cmd) {
      case "app_info":
        return { name: "Countersign", version: "1" };
      case "workspace_status":
        return { dir: "/tmp/ws", exists: true, org_name: "Initech GmbH", user: signedIn };
      case "case_page":
        return { cases: [], next: null };
      case "work_queue":
        return queueOf();
      case "change_password":
        return null;
      case "enrol_totp":
        return enrolment;
      case "logout":
        signedIn = null;
        return null;
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

async function openAccount(user: UserView, override?: (cmd: string, args: Record<string, unknown>) => unknown): Promise<[HTMLElement, Call[]]> {
  const calls = backend(user, override);
  const root = document.createElement("main");
  await renderApp(root);
  await flush();
  expect(root.dataset.screen).toBe("queue");
  click(root, "nav-account");
  await flush();
  expect(root.dataset.screen).toBe("account");
  return [root, calls];
}

describe("my account", () => {
  it.each(ROLE_CODES)("is opened from the user's name in the header by a %s", async (role) => {
    const [root] = await openAccount(userOf("carol", role));
    expect(root.querySelector("#current-user")?.textContent).toBe(`carol (${role})`);
    expect(root.querySelector("#my-account-title")?.textContent).toBe("My account");
    expect(root.querySelector("#my-account-user")?.textContent).toBe(`Signed in as carol (${role}).`);
    expect(root.querySelector("#my-password-form")).not.toBeNull();
    expect(root.querySelector("#my-totp-form")).not.toBeNull();
    expect(root.querySelector("#my-account-must-enrol")).toBeNull();
  });

  it("changes the password: both sent once, the fields cleared", async () => {
    const [root, calls] = await openAccount(userOf("carol", "clerk"));
    input(root, "my-current-password").value = "TEST-ONLY old";
    input(root, "my-new-password").value = "TEST-ONLY a new passphrase";
    input(root, "my-repeat-password").value = "TEST-ONLY a new passphrase";
    submit(root, "my-password-form");
    for (const id of ["my-current-password", "my-new-password", "my-repeat-password"]) expect(input(root, id).value).toBe("");
    await flush();
    expect(calls.filter((c) => c.cmd === "change_password")).toEqual([
      { cmd: "change_password", args: { request: { current: "TEST-ONLY old", new: "TEST-ONLY a new passphrase" } } },
    ]);
    expect(root.querySelector("#my-password-notice")?.textContent).toContain("Your password was changed");
  });

  it("shows the core's refusal of a wrong current password, and sends nothing for two different new ones", async () => {
    const [root, calls] = await openAccount(userOf("carol", "clerk"), (cmd) => {
      if (cmd === "change_password") throw { code: "authentication_failed", message: "wrong current password" };
    });
    input(root, "my-current-password").value = "TEST-ONLY wrong";
    input(root, "my-new-password").value = "TEST-ONLY a new passphrase";
    input(root, "my-repeat-password").value = "TEST-ONLY a new passphrase";
    submit(root, "my-password-form");
    await flush();
    expect(root.querySelector("#my-password-error")?.getAttribute("data-code")).toBe("authentication_failed");
    expect(input(root, "my-current-password").value).toBe("");

    input(root, "my-current-password").value = "TEST-ONLY old";
    input(root, "my-new-password").value = "TEST-ONLY a new passphrase";
    input(root, "my-repeat-password").value = "TEST-ONLY a typo";
    submit(root, "my-password-form");
    await flush();
    expect(root.querySelector("#my-password-mismatch")).not.toBeNull();
    expect(root.querySelector("#my-password-error")).toBeNull();
    expect(input(root, "my-new-password").value).toBe("");
    expect(calls.filter((c) => c.cmd === "change_password").length).toBe(1);
  });

  it("enrols a second factor: the password sent once and cleared, the secret and its QR code shown", async () => {
    const [root, calls] = await openAccount(userOf("erin", "approver"));
    input(root, "my-totp-password").value = "TEST-ONLY erin";
    submit(root, "my-totp-form");
    expect(input(root, "my-totp-password").value).toBe("");
    await flush();
    expect(calls.filter((c) => c.cmd === "enrol_totp")).toEqual([{ cmd: "enrol_totp", args: { request: { password: "TEST-ONLY erin" } } }]);
    expect(root.querySelector("#my-totp-secret")?.textContent).toBe(SECRET);
    expect(root.querySelector("#my-totp-qr path")?.getAttribute("data-modules")).toBe("21");
    expect(root.querySelector("#my-totp-result")?.textContent).toContain("From your next sign-in on");
    // Not required: nothing pushes this user to sign in again.
    expect(root.querySelector("#my-totp-sign-in")).toBeNull();
  });

  it("shows the core's refusal of a wrong password when enrolling", async () => {
    const [root] = await openAccount(userOf("erin", "approver"), (cmd) => {
      if (cmd === "enrol_totp") throw { code: "authentication_failed", message: "wrong password" };
    });
    input(root, "my-totp-password").value = "TEST-ONLY wrong";
    submit(root, "my-totp-form");
    await flush();
    expect(root.querySelector("#my-totp-error")?.getAttribute("data-code")).toBe("authentication_failed");
    expect(root.querySelector("#my-totp-secret")).toBeNull();
  });

  it("opens directly, with no other views, when the session must enrol; then signs out to sign in with a code", async () => {
    const calls = backend(userOf("erin", "approver", { must_enrol_totp: true }));
    const root = document.createElement("main");
    await renderApp(root);
    await flush();
    expect(root.dataset.screen).toBe("account");
    expect(root.querySelector("#my-account-must-enrol")?.textContent).toContain("requires you to use a second factor");
    expect(root.querySelector("#nav-inbox")).toBeNull();
    expect(root.querySelector("#nav-partners")).toBeNull();
    expect(calls.some((c) => c.cmd === "case_page")).toBe(false);
    // The second factor comes first.
    const sections = [...root.querySelectorAll("#content section")].map((s) => s.id);
    expect(sections).toEqual(["my-totp", "my-password"]);

    input(root, "my-totp-password").value = "TEST-ONLY erin";
    submit(root, "my-totp-form");
    await flush();
    expect(root.querySelector("#my-totp-result")?.textContent).toContain("sign in again");
    click(root, "my-totp-sign-in");
    await flush();
    expect(calls.some((c) => c.cmd === "logout")).toBe(true);
    expect(root.dataset.screen).toBe("login");
  });

  it("is shown in Spanish and Turkish", async () => {
    const [root] = await openAccount(userOf("carol", "clerk"));
    setLocale("es");
    await renderApp(root);
    await flush();
    click(root, "nav-account");
    await flush();
    expect(root.querySelector("#my-account-title")?.textContent).toBe("Mi cuenta");
    setLocale("tr");
    await renderApp(root);
    await flush();
    click(root, "nav-account");
    await flush();
    expect(root.querySelector("#my-account-title")?.textContent).toBe("Hesabım");
  });
});
