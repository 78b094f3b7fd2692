// The partner screens against a mocked Rust side: the list, the onboarding wizard (a misheard
// fingerprint refused with the core's words and nothing pinned, then the right one), the partner
// page (keys, numbers, account timeline, rotation, a refused revocation) and issuing our bank
// details (the passphrase sent once and cleared, the code and its QR shown).
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { CardPreview, FraudMarkEntry, PartnerRow, PartnerView } from "../api";
import type { Shell } from "../app";
import { setLocale } from "../i18n";
import { lines, renderMarks, renderOnboarding, renderPartners } from "./partners";
import { renderPartner } from "./partner";
import { renderIssue } from "./issue";
import { userOf } from "../testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const GLOBEX_FPR = "36653 67829 08626 49703 65424 09250";
const NEW_FPR = "11111 22222 33333 44444 55555 66666";

function shell(): Shell & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    user: userOf("alice", "admin"),
    org: "Initech GmbH",
    content: document.createElement("div"),
    openQueue: vi.fn(),
    openInbox: vi.fn(),
    openCase: vi.fn(),
    openPartners: (message?: string) => opened.push(`partners${message ? `: ${message}` : ""}`),
    openPartner: (id: number) => opened.push(`partner ${id}`),
    setScreen: (name: string) => opened.push(`screen ${name}`),
  };
}

const row: PartnerRow = {
  id: 1,
  name: "Globex Corporation",
  country: "DE",
  active_keys: [GLOBEX_FPR],
  current_account: "DE89 3704 0044 0532 0130 00",
};

const qr = { width: 21, dark: Array.from({ length: 441 }, (_, i) => i % 3 === 0), payload: "countersign:key?fp=1" };

const preview: CardPreview = {
  path: "/cards/globex.card",
  name: "Globex Corporation",
  country: "DE",
  domains: ["globex.example"],
  contacts: [{ kind: "phone", value: "+49 30 999999", label: "Accounts" }],
  created_at: "2026-01-01T00:00:00Z",
  fingerprint: GLOBEX_FPR,
  qr,
};

const detail: PartnerView = {
  summary: row,
  domains: ["globex.example"],
  phones: [
    { e164: "+49301234567", display: "+49 30 1234567", label: "Accounts receivable", source: "onboarding", recorded_by: "alice", approved_by: "dave", recorded_at: "2026-01-01T00:00:00Z" },
    { e164: "+49307654321", display: "+49 30 7654321", label: null, source: "change", recorded_by: "alice", approved_by: "dave", recorded_at: "2026-01-02T00:00:00Z" },
  ],
  keys: [
    {
      fingerprint: GLOBEX_FPR,
      status: "active",
      verified_how: "fingerprint read back out of band and typed by alice",
      verified_by: "alice",
      verified_at: "2026-01-01T00:00:00Z",
      status_changed_at: null,
      status_reason: null,
    },
  ],
  accounts: [
    { display: "DE89 3704 0044 0532 0130 00", bic: "COBADEFFXXX", country: "DE", status: "current", source: "contract", first_seen: "2026-01-01T00:00:00Z", last_seen: "2026-01-01T00:00:00Z", cases: [] },
    { display: "GB82 WEST 1234 5698 7654 32", bic: "WESTGB2L", country: "GB", status: "fraudulent", source: "instruction", first_seen: "2026-02-01T00:00:00Z", last_seen: "2026-02-01T00:00:00Z", cases: [2] },
  ],
  recovery_key: null,
  created_at: "2026-01-01T00:00:00Z",
  created_by: "alice",
  frozen: false,
  freezes: [],
};

function set(root: HTMLElement, id: string, value: string) {
  const input = root.querySelector<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(`#${id}`);
  if (!input) throw new Error(`no #${id}`);
  input.value = value;
}

function submit(root: HTMLElement, id: string) {
  const form = root.querySelector<HTMLFormElement>(`#${id}`);
  if (!form) throw new Error(`no #${id}`);
  form.dispatchEvent(new Event("submit", { cancelable: true }));
}

function click(root: HTMLElement, id: string) {
  const b = root.querySelector<HTMLButtonElement>(`#${id}`);
  if (!b) throw new Error(`no #${id}`);
  b.click();
}

describe("partners", () => {
  it("lists the partners and opens one", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_partners") return [row];
      throw new Error(cmd);
    });
    const s = shell();
    await renderPartners(s);
    const table = s.content.querySelector("#partners-table")!;
    expect(table.textContent).toContain("Globex Corporation");
    expect(table.textContent).toContain(GLOBEX_FPR);
    click(s.content, "partner-open-1");
    expect(s.opened).toContain("partner 1");
  });

  it("says when there are none, and shows the core's refusal", async () => {
    mockIPC(() => []);
    const s = shell();
    await renderPartners(s);
    expect(s.content.querySelector("#partners-empty")).not.toBeNull();
    mockIPC(() => {
      throw { code: "not_signed_in", message: "Sign in first." };
    });
    await renderPartners(s);
    expect(s.content.querySelector("#partners-error")?.getAttribute("data-code")).toBe("not_signed_in");
  });

  it("reads lines of numbers and domains, leaving blanks out", () => {
    expect(lines(" +49 30 1234567 \n\n+49 30 7654321, ")).toEqual(["+49 30 1234567", "+49 30 7654321"]);
    expect(lines("  ")).toEqual([]);
  });
});

describe("the onboarding wizard", () => {
  it("refuses a misheard fingerprint with the core's words, pins nothing, then onboards with the right one", async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === "pick_partner_file") return "/cards/globex.card";
      if (cmd === "preview_card") return preview;
      if (cmd === "confirm_fingerprint") {
        const typed = (args as { fingerprint: string }).fingerprint;
        if (typed.replace(/\s/g, "") !== GLOBEX_FPR.replace(/\s/g, "")) {
          throw { code: "check_failed", message: "the fingerprint you typed does not match the card of Globex Corporation: nothing was pinned" };
        }
        return GLOBEX_FPR;
      }
      if (cmd === "add_partner") return { outcome: "applied", value: detail };
      throw new Error(cmd);
    });
    const s = shell();
    renderOnboarding(s);
    const area = () => s.content.querySelector<HTMLElement>("#onboard")!;
    expect(area().dataset.step).toBe("card");

    click(s.content, "onboard-pick");
    await flush();
    expect(s.content.querySelector<HTMLInputElement>("#onboard-card-path")!.value).toBe("/cards/globex.card");
    submit(s.content, "onboard-card-form");
    await flush();
    expect(calls.find((c) => c.cmd === "preview_card")?.args).toEqual({ path: "/cards/globex.card" });

    // The fingerprint, large and in six groups, with its QR code; the card's own words marked as such.
    expect(area().dataset.step).toBe("fingerprint");
    const groups = [...s.content.querySelectorAll("#onboard-fingerprint .group")].map((g) => g.textContent);
    expect(groups).toEqual(GLOBEX_FPR.split(" "));
    expect(s.content.querySelector("#onboard-qr path")?.getAttribute("d")).toMatch(/^M4 4h1v1h-1z/);
    expect(s.content.querySelector("#onboard-card-name")?.textContent).toBe("Globex Corporation");

    // Read back: the screen no longer shows the fingerprint to copy.
    click(s.content, "onboard-next");
    expect(area().dataset.step).toBe("readback");
    expect(s.content.querySelector("#onboard-fingerprint")).toBeNull();
    set(s.content, "onboard-typed", "36653 67829 08626 49730 65424 09250");
    submit(s.content, "onboard-readback-form");
    await flush();
    const error = s.content.querySelector("#onboard-error")!;
    expect(error.getAttribute("data-code")).toBe("check_failed");
    expect(error.textContent).toContain("nothing was pinned");
    expect(area().dataset.step).toBe("readback");
    expect(calls.some((c) => c.cmd === "add_partner")).toBe(false);

    set(s.content, "onboard-typed", GLOBEX_FPR.replace(/ /g, ""));
    submit(s.content, "onboard-readback-form");
    await flush();
    expect(area().dataset.step).toBe("details");
    expect(s.content.querySelector<HTMLInputElement>("#onboard-country")!.value).toBe("DE");
    set(s.content, "onboard-phones", "+49 30 1234567, Accounts receivable\n+44 20 7946 0958");
    // The card lists a number: the admin may put it on file too (issue 20: its source is the card).
    expect(s.content.querySelector("label[for=onboard-card-numbers]")?.textContent).toContain("+49 30 999999 (Accounts)");
    s.content.querySelector<HTMLInputElement>("#onboard-card-numbers")!.checked = true;
    set(s.content, "onboard-domains", "globex-group.example");
    set(s.content, "onboard-iban", "DE89 3704 0044 0532 0130 00");
    set(s.content, "onboard-bic", "COBADEFFXXX");
    submit(s.content, "onboard-details-form");
    await flush();
    expect(calls.find((c) => c.cmd === "add_partner")?.args).toEqual({
      request: {
        card_path: "/cards/globex.card",
        confirm_fingerprint: GLOBEX_FPR.replace(/ /g, ""),
        phones: [
          { number: "+49 30 1234567", label: "Accounts receivable" },
          { number: "+44 20 7946 0958", label: null },
        ],
        card_numbers: true,
        domains: ["globex-group.example"],
        country: "DE",
        iban: "DE89 3704 0044 0532 0130 00",
        bic: "COBADEFFXXX",
      },
    });
    expect(area().dataset.step).toBe("done");
    expect(s.content.querySelector("#onboard-done")?.textContent).toContain("Globex Corporation");
    click(s.content, "onboard-open");
    expect(s.opened).toContain("partner 1");
  });

  it("says the pinning waits for a second person when the core makes it a pending change", async () => {
    mockIPC((cmd) => {
      if (cmd === "preview_card") return preview;
      if (cmd === "confirm_fingerprint") return GLOBEX_FPR;
      if (cmd === "add_partner") {
        return {
          outcome: "pending",
          change: {
            id: 9,
            kind: "partner_add",
            summary: `Onboard Globex Corporation and pin its key ${GLOBEX_FPR}`,
            flags: [{ code: "lookalike_domain", message: "globex.example looks like gl0bex.example, a domain on file" }],
          },
        };
      }
      throw new Error(cmd);
    });
    const s = shell();
    const opened: string[] = [];
    s.openChanges = () => opened.push("changes");
    renderOnboarding(s);
    set(s.content, "onboard-card-path", "/cards/globex.card");
    submit(s.content, "onboard-card-form");
    await flush();
    click(s.content, "onboard-next");
    set(s.content, "onboard-typed", GLOBEX_FPR);
    submit(s.content, "onboard-readback-form");
    await flush();
    set(s.content, "onboard-phones", "+49 30 1234567");
    submit(s.content, "onboard-details-form");
    await flush();
    expect(s.content.querySelector<HTMLElement>("#onboard")!.dataset.step).toBe("done");
    const box = s.content.querySelector<HTMLElement>("#onboard-pending")!;
    expect(box.textContent).toContain(`Pending change 9: Onboard Globex Corporation and pin its key ${GLOBEX_FPR} — waits for another approver or admin.`);
    expect(box.querySelector("li[data-code=lookalike_domain]")?.textContent).toContain("gl0bex.example");
    // Nothing is pinned, so there is no partner to open yet.
    expect(s.content.querySelector("#onboard-open")).toBeNull();
    expect(s.content.querySelector("#onboard-done")).toBeNull();
    click(s.content, "onboard-changes");
    expect(opened).toEqual(["changes"]);
  });

  it("shows an unreadable card's error and stays on the first step", async () => {
    mockIPC(() => {
      throw { code: "invalid_card", message: "the signature does not verify" };
    });
    const s = shell();
    renderOnboarding(s);
    set(s.content, "onboard-card-path", "/tmp/x.card");
    submit(s.content, "onboard-card-form");
    await flush();
    expect(s.content.querySelector("#onboard-error")?.getAttribute("data-code")).toBe("invalid_card");
    expect(s.content.querySelector<HTMLElement>("#onboard")!.dataset.step).toBe("card");
  });

  it("speaks Turkish and Spanish", () => {
    mockIPC(() => null);
    setLocale("tr");
    const s = shell();
    renderOnboarding(s);
    expect(s.content.querySelector("#onboard-title")?.textContent).toBe("İş ortağı ekle");
    setLocale("es");
    renderOnboarding(s);
    expect(s.content.querySelector("#onboard-read")?.textContent).toBe("Leer la tarjeta");
  });
});

describe("the partner page", () => {
  it("shows keys, on-file numbers and the account history, and accepts a rotation statement", async () => {
    let rotated = false;
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "partner_detail") {
        if (!rotated) return detail;
        return {
          ...detail,
          summary: { ...row, active_keys: [NEW_FPR] },
          keys: [
            { ...detail.keys[0], status: "retired", status_changed_at: "2026-03-01T00:00:00Z", status_reason: `replaced by ${NEW_FPR}` },
            { ...detail.keys[0], fingerprint: NEW_FPR, verified_how: "rotation statement signed by the previous key" },
          ],
        };
      }
      if (cmd === "pick_partner_file") return "/in/globex-rotation.json";
      if (cmd === "rotate_partner_key") {
        rotated = true;
        return { outcome: "applied", value: NEW_FPR };
      }
      throw new Error(cmd);
    });
    const s = shell();
    await renderPartner(s, 1);
    const keys = s.content.querySelector("#partner-keys")!;
    expect(keys.querySelector("li")?.getAttribute("data-status")).toBe("active");
    expect(keys.textContent).toContain("read back out of band");
    expect(s.content.querySelector("#partner-phones")?.textContent).toContain("+49 30 1234567");
    // Issue 20: each number with its label and where it came from, worded by its source's code.
    const phones = [...s.content.querySelectorAll<HTMLElement>("#partner-phones li")];
    expect(phones[0].querySelector(".phone-label")?.textContent).toBe(" · Accounts receivable");
    expect(phones.map((li) => li.querySelector<HTMLElement>(".phone-provenance")?.dataset.source)).toEqual(["onboarding", "change"]);
    expect(phones[0].querySelector(".phone-provenance")?.textContent).toMatch(/^typed at onboarding by alice \(contract or onboarding call\), approved by dave, on /);
    expect(phones[1].querySelector(".phone-provenance")?.textContent).toMatch(/^added later by alice's change, approved by dave, on /);
    const history = [...s.content.querySelectorAll("#partner-accounts li")];
    expect(history.map((li) => li.getAttribute("data-status"))).toEqual(["current", "fraudulent"]);
    expect(history[1].textContent).toContain("#2");
    expect(history[1].querySelector("time")?.getAttribute("datetime")).toBe("2026-02-01T00:00:00Z");

    // The number dialled is one of the on-file numbers, chosen, never typed.
    const dialed = s.content.querySelector<HTMLSelectElement>("#rotate-dialed")!;
    expect([...dialed.options].map((o) => [o.value, o.textContent])).toEqual([
      ["+49301234567", "+49 30 1234567"],
      ["+49307654321", "+49 30 7654321"],
    ]);
    click(s.content, "rotate-pick");
    await flush();
    set(s.content, "rotate-typed", NEW_FPR);
    submit(s.content, "rotate-form");
    await flush();
    expect(calls.find((c) => c.cmd === "rotate_partner_key")?.args).toEqual({
      request: { id: 1, statement_path: "/in/globex-rotation.json", confirm_fingerprint: NEW_FPR, dialed: "+49301234567" },
    });
    expect(s.content.querySelector("#partner-notice")?.textContent).toContain(NEW_FPR);
    expect([...s.content.querySelectorAll("#partner-keys li")].map((li) => li.getAttribute("data-status"))).toEqual(["retired", "active"]);
  });

  // Issue 20 (left over from issue 19): the numbers' provenance was English whatever the language.
  it("words where each number came from in the user's language", async () => {
    mockIPC((cmd) => {
      if (cmd === "partner_detail") return detail;
      throw new Error(cmd);
    });
    setLocale("es");
    const s = shell();
    await renderPartner(s, 1);
    const phones = [...s.content.querySelectorAll<HTMLElement>("#partner-phones .phone-provenance")].map((e) => e.textContent ?? "");
    expect(phones[0]).toMatch(/^introducido en el alta por alice \(contrato o llamada de alta\), aprobado por dave, el /);
    expect(phones[1]).toMatch(/^añadido después mediante un cambio de alice, aprobado por dave, el /);
    expect(phones.join(" ")).not.toMatch(/onboarding|change|typed|approved/);
  });

  // Issue 20: whether the partner's card names a recovery key, its fingerprint, and what its absence
  // means, in each language.
  it("says whether the partner has a recovery key, with its fingerprint", async () => {
    let withKey = false;
    mockIPC((cmd) => {
      if (cmd === "partner_detail") return withKey ? { ...detail, recovery_key: NEW_FPR } : detail;
      throw new Error(cmd);
    });
    const s = shell();
    await renderPartner(s, 1);
    const none = s.content.querySelector<HTMLElement>("#partner-recovery-key")!;
    expect(none.dataset.recovery).toBe("none");
    expect(none.textContent).toContain("a stolen signing key could rotate");
    withKey = true;
    setLocale("tr");
    await renderPartner(s, 1);
    const pinned = s.content.querySelector<HTMLElement>("#partner-recovery-key")!;
    expect(pinned.dataset.recovery).toBe("pinned");
    expect(pinned.textContent).toContain("Kurtarma anahtarı");
    expect(pinned.querySelector("#partner-recovery-fingerprint")?.getAttribute("aria-label")).toBe(NEW_FPR);
  });

  // Issue 20: an admin puts one more number on file with its label; a second person approves it.
  it("puts a number on file with its label, as a change for a second person; a clerk is not offered it", async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === "partner_detail") return detail;
      if (cmd === "add_partner_phone") {
        return { outcome: "pending", change: { id: 14, kind: "partner_add_phone", summary: "Put +49 30 7654322 on file for Globex Corporation", flags: [] } };
      }
      throw new Error(cmd);
    });
    const s = shell();
    await renderPartner(s, 1);
    set(s.content, "phone-number", " +49 30 7654322 ");
    set(s.content, "phone-label", "Treasury");
    submit(s.content, "phone-form");
    await flush();
    expect(calls.find((c) => c.cmd === "add_partner_phone")?.args).toEqual({ id: 1, phone: { number: " +49 30 7654322 ", label: "Treasury" } });
    expect(s.content.querySelector("#partner-notice")?.textContent).toContain("Put +49 30 7654322 on file");

    const clerk = { ...shell(), user: userOf("carol", "clerk") };
    await renderPartner(clerk, 1);
    expect(clerk.content.querySelector("#phone-form")).toBeNull();
  });

  it("says an accepted rotation waits for a second person, and offers no number when none is on file", async () => {
    mockIPC((cmd) => {
      if (cmd === "partner_detail") return detail;
      if (cmd === "rotate_partner_key") {
        return { outcome: "pending", change: { id: 12, kind: "partner_rotate_key", summary: `Accept Globex Corporation's new key ${NEW_FPR} in place of ${GLOBEX_FPR}`, flags: [] } };
      }
      throw new Error(cmd);
    });
    const s = shell();
    await renderPartner(s, 1);
    set(s.content, "rotate-path", "/in/globex-rotation.json");
    set(s.content, "rotate-typed", NEW_FPR);
    submit(s.content, "rotate-form");
    await flush();
    expect(s.content.querySelector("#partner-notice")?.textContent).toContain("Pending change 12: Accept Globex Corporation's new key");
    expect(s.content.querySelector("#partner-keys li")?.getAttribute("data-status")).toBe("active");

    mockIPC(() => ({ ...detail, phones: [] }));
    await renderPartner(s, 1);
    expect(s.content.querySelector("#rotate-dialed")).toBeNull();
    expect(s.content.querySelector("#rotate-no-phones")?.textContent).toContain("no number on file");
  });

  it("applies a revocation signed by the partner's recovery key from the file chosen, offered only where a recovery key is pinned", async () => {
    const asked: unknown[] = [];
    let withRecovery = false;
    mockIPC((cmd, args) => {
      if (cmd === "partner_detail") return withRecovery ? { ...detail, recovery_key: NEW_FPR } : detail;
      if (cmd === "pick_partner_file") {
        expect(args).toEqual({ kind: "revocation" });
        return "/in/globex-revocation.json";
      }
      if (cmd === "import_key_revocation") {
        asked.push(args);
        return GLOBEX_FPR;
      }
      throw new Error(cmd);
    });
    const s = shell();
    await renderPartner(s, 1);
    expect(s.content.querySelector("#recovery-revoke-form"), "no recovery key pinned").toBeNull();
    withRecovery = true;
    await renderPartner(s, 1);
    const apply = s.content.querySelector<HTMLButtonElement>("#recovery-revoke-submit")!;
    expect(apply.disabled, "nothing to apply before a file is chosen").toBe(true);
    s.content.querySelector<HTMLButtonElement>("#recovery-revoke-pick")!.click();
    await flush();
    expect(s.content.querySelector("#recovery-revoke-file")?.textContent).toBe("/in/globex-revocation.json");
    expect(apply.disabled).toBe(false);
    submit(s.content, "recovery-revoke-form");
    await flush();
    expect(asked).toEqual([{ id: 1, statementPath: "/in/globex-revocation.json" }]);
    expect(s.content.querySelector("#partner-notice")?.textContent).toContain(`The key ${GLOBEX_FPR} is revoked by the partner's recovery key.`);
    // A clerk may not revoke keys: the form is absent, not a button that fails.
    const clerk = { ...shell(), user: userOf("carol", "clerk") };
    await renderPartner(clerk, 1);
    expect(clerk.content.querySelector("#recovery-revoke-form")).toBeNull();
  });

  it("shows the core's refusal of a revocation beside the form", async () => {
    mockIPC((cmd, args) => {
      if (cmd === "partner_detail") return detail;
      if (cmd === "revoke_partner_key") {
        expect(args).toEqual({ id: 1, fingerprint: GLOBEX_FPR, reason: "stolen laptop" });
        throw { code: "not_permitted", message: "only an admin may revoke partner keys" };
      }
      throw new Error(cmd);
    });
    const s = shell();
    await renderPartner(s, 1);
    set(s.content, "revoke-reason", "stolen laptop");
    submit(s.content, "revoke-form");
    await flush();
    const error = s.content.querySelector("#partner-error")!;
    expect(error.getAttribute("data-code")).toBe("not_permitted");
    expect(error.textContent).toContain("only an admin");
  });
});

describe("issuing our bank details", () => {
  it("sends the passphrase once, clears it, and shows the code, its QR and the file", async () => {
    const sent: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "list_partners") return [row, { ...row, id: 2, name: "Acme Tekstil A.Ş.", country: "TR" }];
      if (cmd === "issue_instruction") {
        sent.push(args);
        const { passphrase } = (args as { request: { passphrase: string } }).request;
        if (passphrase !== "TEST-ONLY org demo") throw { code: "authentication_failed", message: "wrong passphrase for the organisation key" };
        return { id: "0f0e", partner_name: "Acme Tekstil A.Ş.", confirmation_code: "1234 5678 9012", qr: { ...qr, payload: "1234 5678 9012" }, saved_to: "/exports/bank-details-for-partner-2.json" };
      }
      throw new Error(cmd);
    });
    const s = shell();
    await renderIssue(s, 2);
    expect(s.content.querySelector<HTMLSelectElement>("#issue-partner")!.value).toBe("2");
    const passphrase = s.content.querySelector<HTMLInputElement>("#issue-passphrase")!;
    expect(passphrase.type).toBe("password");

    passphrase.value = "wrong one";
    submit(s.content, "issue-form");
    await flush();
    expect(s.content.querySelector("#issue-error")?.getAttribute("data-code")).toBe("authentication_failed");
    expect(passphrase.value).toBe("");
    expect(s.content.querySelector("#issue-result")).toBeNull();

    passphrase.value = "TEST-ONLY org demo";
    submit(s.content, "issue-form");
    await flush();
    expect(sent[1]).toEqual({ request: { partner_id: 2, passphrase: "TEST-ONLY org demo" } });
    expect(passphrase.value).toBe("");
    expect(s.content.querySelector("#issue-error")).toBeNull();
    expect(s.content.querySelector("#issue-code")?.textContent).toBe("1234 5678 9012");
    expect(s.content.querySelector("#issue-qr path")).not.toBeNull();
    expect(s.content.querySelector("#issue-saved")?.textContent).toBe("/exports/bank-details-for-partner-2.json");
    expect(s.content.textContent).not.toContain("TEST-ONLY org demo");
  });
});

describe("a long partner list", () => {
  it("shows the first page and adds the next with Load more, asking the Rust side by id", async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "list_fraud_marks") return [];
      if (cmd !== "list_partners") throw new Error(cmd);
      const { limit, after } = args as { limit: number; after: number | null };
      asked.push([limit, after]);
      const from = (after ?? 0) + 1;
      return Array.from({ length: Math.max(0, Math.min(limit, 250 - from + 1)) }, (_, i) => ({ ...row, id: from + i, name: `Partner ${from + i}` }));
    });
    const s = shell();
    await renderPartners(s);
    await flush();
    const rows = () => s.content.querySelectorAll("#partners-table tbody tr").length;
    expect([rows(), asked]).toEqual([200, [[201, null]]]);
    s.content.querySelector<HTMLButtonElement>("#partners-more")!.click();
    await flush();
    expect([rows(), asked.at(-1)]).toEqual([250, [201, 200]]);
    expect(s.content.querySelector("#partners-more"), "no page follows").toBeNull();
  });
});

describe("marked accounts", () => {
  const suspected: FraudMarkEntry = {
    id: 1,
    account_key: "iban:GB82WEST12345698765432",
    display: "GB82 WEST 1234 5698 7654 32",
    status: "suspected",
    marked_at: "2026-12-01T09:00:00Z",
    marked_by: "carol",
    case_id: 2,
    reason: "the partner denied the change on the callback",
    confirmed_by: null,
  };
  const fraudulent: FraudMarkEntry = { ...suspected, account_key: "iban:DE02100100109307118603", display: "DE02 1001 0010 9307 1186 03", status: "fraudulent", confirmed_by: "dave" };

  it("lists each account with its status, who marked it and why; confirms fraud and proposes clearing", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    let marks = [suspected, fraudulent];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "list_fraud_marks") return marks;
      if (cmd === "confirm_fraud") {
        marks = [{ ...suspected, status: "fraudulent", confirmed_by: "dave" }, fraudulent];
        return marks[0];
      }
      if (cmd === "clear_fraud_mark") {
        return { outcome: "pending", change: { id: 4, kind: "account_clear", summary: "Clear the mark on iban:DE02100100109307118603 (fraudulent): a mix-up", flags: [] } };
      }
      throw new Error(cmd);
    });
    const s = shell();
    s.user = userOf("dave", "approver");
    const section = document.createElement("section");
    await renderMarks(section, s);
    const rows = [...section.querySelectorAll<HTMLElement>("#marks-table tbody tr")];
    expect(rows.map((r) => r.dataset.status)).toEqual(["suspected", "fraudulent"]);
    expect(rows[0].textContent).toContain("GB82 WEST 1234 5698 7654 32");
    expect(rows[0].textContent).toContain("by carol");
    expect(rows[0].textContent).toContain("case #2");
    expect(rows[0].querySelector(".badge")?.getAttribute("title")).toContain("a callback about this account was denied");
    expect(rows[1].textContent).toContain("confirmed by dave");
    // Only a suspected account can be confirmed; either can be cleared (by a second person).
    expect(section.querySelector("#mark-confirm-0")).not.toBeNull();
    expect(section.querySelector("#mark-confirm-1")).toBeNull();

    section.querySelector<HTMLInputElement>("#mark-reason-0")!.value = "the partner's CFO confirmed in writing";
    section.querySelector<HTMLButtonElement>("#mark-confirm-0")!.click();
    await flush();
    expect(calls.find((c) => c.cmd === "confirm_fraud")?.args).toEqual({ accountKey: suspected.account_key, reason: "the partner's CFO confirmed in writing" });
    expect(section.querySelector("#marks-notice")?.textContent).toBe("GB82 WEST 1234 5698 7654 32 is confirmed fraudulent.");

    section.querySelector<HTMLInputElement>("#mark-reason-1")!.value = "a mix-up";
    section.querySelector<HTMLButtonElement>("#mark-clear-1")!.click();
    await flush();
    expect(calls.find((c) => c.cmd === "clear_fraud_mark")?.args).toEqual({ accountKey: fraudulent.account_key, reason: "a mix-up" });
    expect(section.querySelector("#marks-notice")?.textContent).toContain("Pending change 4: Clear the mark");
  });

  it("shows the core's refusal, and offers no buttons to a clerk", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_fraud_marks") return [suspected];
      if (cmd === "confirm_fraud") throw { code: "not_permitted", message: "you recorded the denied callback that marked it: a second person confirms it" };
      throw new Error(cmd);
    });
    const s = shell();
    s.user = userOf("carol", "approver");
    const section = document.createElement("section");
    await renderMarks(section, s);
    section.querySelector<HTMLButtonElement>("#mark-confirm-0")!.click();
    await flush();
    expect(section.querySelector("#marks-action-error")?.getAttribute("data-code")).toBe("not_permitted");
    expect(section.querySelector<HTMLButtonElement>("#mark-confirm-0")!.disabled).toBe(false);

    s.user = userOf("carol", "clerk");
    await renderMarks(section, s);
    expect(section.querySelector("#marks-table")).not.toBeNull();
    expect(section.querySelector("#mark-confirm-0")).toBeNull();
    expect(section.querySelector("#mark-clear-0")).toBeNull();

    mockIPC(() => []);
    await renderMarks(section, s);
    expect(section.querySelector("#marks-empty")?.textContent).toBe("No account is marked.");
  });
});
