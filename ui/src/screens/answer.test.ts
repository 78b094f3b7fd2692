// The answer screen against a mocked Rust side: the instructions we issued, newest first, with the
// amount, the account's last four and the confirmation code; one the core says may not be answered
// for offers no Choose button and says why; the search sent after typing stops, and older pages on
// request; the challenge and passphrase sent once, the passphrase field cleared and nowhere in the
// page, the response in large digits with the code, the last four and the note; the core's
// refusals with their codes; the navigation entry for the roles the core permits, and none for
// auditors; the words in Turkish and Spanish.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { AnswerView, IssuedEntry, IssuedPage } from "../api";
import { renderApp } from "../app";
import type { Role } from "../bindings/Role";
import { setLocale } from "../i18n";
import { ISSUED_PAGE, SEARCH_DELAY_MS, renderAnswer } from "./answer";
import { shellOf, userOf } from "../testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const PASSPHRASE = "TEST-ONLY org demo";

function entry(seq: number, extra: Partial<IssuedEntry> = {}): IssuedEntry {
  return {
    seq,
    id: `instr-${seq}`,
    partner_name: "Globex Corporation",
    issued_by: "alice",
    issued_at: "2026-11-23T09:40:48Z",
    confirmation_code: `551 300 843 923 52${seq}`,
    account_last4: "2051",
    account: "DE02 1203 0000 0000 2020 51",
    amount: null,
    currency: "EUR",
    valid_until: "2026-12-23T09:40:48Z",
    standing: "answerable",
    ...extra,
  };
}

const answer = (e: IssuedEntry): AnswerView => ({ response: "5633 4013", challenge: "305 118", instruction: e });

type Call = { cmd: string; args: Record<string, unknown> };

/** A mocked Rust side; `override` answers first (or throws). */
function backend(override: (cmd: string, args: Record<string, unknown>) => unknown = () => undefined): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const given = override(cmd, args);
    if (given !== undefined) return given;
    if (cmd === "list_issued_instructions") {
      const page: IssuedPage = { items: [entry(3, { amount: "1250.00" }), entry(2, { standing: "altered", account: null, currency: null }), entry(1)], next: null };
      return page;
    }
    if (cmd === "answer_callback") return answer(entry(3, { amount: "1250.00" }));
    throw new Error(`unexpected ${cmd}`);
  });
  return calls;
}

async function opened(role: Role = "clerk") {
  const shell = shellOf(userOf("carol", role));
  await renderAnswer(shell);
  await flush();
  return shell.content;
}

function choose(root: HTMLElement, id: string) {
  root.querySelector<HTMLButtonElement>(`button.pick[data-id="${id}"]`)!.click();
}

async function submit(root: HTMLElement, challenge: string, passphrase = PASSPHRASE) {
  root.querySelector<HTMLInputElement>("#answer-challenge")!.value = challenge;
  root.querySelector<HTMLInputElement>("#answer-passphrase")!.value = passphrase;
  root.querySelector<HTMLFormElement>("#answer-form")!.requestSubmit();
  await flush();
}

describe("answering a callback", () => {
  it("lists what we issued, newest first, and offers no answer for a copy the core says was changed", async () => {
    const calls = backend();
    const root = await opened();
    expect(calls[0]).toEqual({ cmd: "list_issued_instructions", args: { query: null, limit: ISSUED_PAGE, after: null } });
    const rows = [...root.querySelectorAll<HTMLElement>("#answer-table tbody tr")];
    expect(rows.map((r) => r.dataset.id)).toEqual(["instr-3", "instr-2", "instr-1"]);
    expect(rows[0].textContent).toContain("Globex Corporation");
    expect(rows[0].textContent).toContain("1,250.00");
    expect(rows[0].textContent).toContain("•••• 2051");
    expect(rows[0].textContent).toContain("551 300 843 923 523");
    expect(rows[2].textContent).toContain("no amount (EUR)");
    expect(rows[1].querySelector("button.pick")).toBeNull();
    expect(rows[1].querySelector("[data-standing=altered]")?.textContent).toBe("Our copy was changed: never answer for it");
    expect(root.querySelector("#answer-form")).toBeNull();
  });

  it("searches once typing stops, and loads older pages on request", async () => {
    const calls = backend((cmd, args) => {
      if (cmd !== "list_issued_instructions") return undefined;
      if (args.after === 10) return { items: [entry(1)], next: null };
      return { items: [entry(12), entry(11)].filter((e) => !args.query || e.confirmation_code.endsWith(String(args.query).slice(-1))), next: 10 };
    });
    const root = await opened();
    root.querySelector<HTMLButtonElement>("#answer-more")!.click();
    await flush();
    expect(calls.at(-1)?.args).toEqual({ query: null, limit: ISSUED_PAGE, after: 10 });
    expect([...root.querySelectorAll<HTMLElement>("#answer-table tbody tr")].map((r) => r.dataset.id)).toEqual(["instr-12", "instr-11", "instr-1"]);
    expect(root.querySelector("#answer-more")).toBeNull();

    const search = root.querySelector<HTMLInputElement>("#answer-search")!;
    for (const typed of ["5", "52", "521"]) {
      search.value = typed;
      search.dispatchEvent(new Event("input"));
    }
    const before = calls.length;
    await flush();
    expect(calls.length).toBe(before);
    await wait(SEARCH_DELAY_MS + 20);
    await flush();
    expect(calls.slice(before)).toEqual([{ cmd: "list_issued_instructions", args: { query: "521", limit: ISSUED_PAGE, after: null } }]);
    expect([...root.querySelectorAll<HTMLElement>("#answer-table tbody tr")].map((r) => r.dataset.id)).toEqual(["instr-11"]);
  });

  it("says when nothing was issued, and when nothing matches", async () => {
    backend((cmd) => (cmd === "list_issued_instructions" ? { items: [], next: null } : undefined));
    const root = await opened();
    expect(root.querySelector("#answer-none")?.textContent).toBe("No bank details have been issued from this workspace yet.");
    const search = root.querySelector<HTMLInputElement>("#answer-search")!;
    search.value = "umbrella";
    search.dispatchEvent(new Event("input"));
    await wait(SEARCH_DELAY_MS + 20);
    await flush();
    expect(root.querySelector("#answer-none")?.textContent).toBe("No instruction we issued matches this search.");
  });

  it("sends the challenge and the passphrase once, clears the passphrase and shows the response to read out", async () => {
    const calls = backend();
    const root = await opened();
    choose(root, "instr-3");
    expect(root.querySelector("#answer-form")?.getAttribute("data-id")).toBe("instr-3");
    expect(root.querySelector(`button.pick[data-id="instr-3"]`)?.getAttribute("aria-pressed")).toBe("true");
    await submit(root, "305 118");
    expect(calls.filter((c) => c.cmd === "answer_callback")).toEqual([
      { cmd: "answer_callback", args: { request: { id: "instr-3", challenge: "305 118", passphrase: PASSPHRASE } } },
    ]);
    expect(root.querySelector<HTMLInputElement>("#answer-passphrase")!.value).toBe("");
    expect(root.innerHTML).not.toContain(PASSPHRASE);
    expect(root.querySelector("#answer-response")?.textContent).toBe("5633 4013");
    expect(root.querySelector("#answer-response")?.classList.contains("response")).toBe(true);
    expect(root.querySelector("#answer-code")?.textContent).toBe("551 300 843 923 523");
    expect(root.querySelector("#answer-last4")?.textContent).toBe("2051");
    const note = root.querySelector("#answer-note")?.textContent ?? "";
    expect(note).toContain("Read out:");
    expect(note).toContain("Never read out:");
    expect(note).toContain("the passphrase");
    // Choosing another instruction takes the response off the screen.
    choose(root, "instr-1");
    expect(root.querySelector("#answer-response")).toBeNull();
  });

  it("shows the core's refusals with their codes and no response", async () => {
    let refusal = { code: "authentication_failed", message: "wrong passphrase for the organisation key" };
    backend((cmd) => {
      if (cmd === "answer_callback") throw refusal;
      return undefined;
    });
    const root = await opened();
    choose(root, "instr-3");
    await submit(root, "305 118", "not it");
    expect(root.querySelector("#answer-error")?.getAttribute("data-code")).toBe("authentication_failed");
    expect(root.querySelector("#answer-error")?.textContent).toContain("wrong passphrase");
    expect(root.querySelector<HTMLInputElement>("#answer-passphrase")!.value).toBe("");
    expect(root.querySelector("#answer-response")).toBeNull();
    refusal = { code: "invalid_input", message: "the challenge: expected 6 digits, found 5" };
    await submit(root, "30511");
    expect(root.querySelector("#answer-error")?.getAttribute("data-code")).toBe("invalid_input");
  });

  it("is in Turkish and Spanish too", async () => {
    backend();
    setLocale("tr");
    let root = await opened();
    expect(root.querySelector("#answer-title")?.textContent).toBe("Geri aramayı yanıtla");
    setLocale("es");
    root = await opened();
    expect(root.querySelector("#answer-title")?.textContent).toBe("Responder a una devolución de llamada");
    choose(root, "instr-3");
    await submit(root, "305118");
    expect(root.querySelector("#answer-note")?.textContent).toContain("No lea nunca:");
  });
});

describe("the Answer a callback entry", () => {
  async function app(role: Role): Promise<HTMLElement> {
    backend((cmd) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return { dir: "/ws", exists: true, org_name: "Initech GmbH", user: userOf("carol", role) };
      if (cmd === "work_queue" || cmd === "workspace_mode" || cmd === "list_changes" || cmd === "setup_checklist") throw { code: "x", message: "x" };
      return undefined;
    });
    const root = document.createElement("main");
    await renderApp(root);
    await flush();
    return root;
  }

  it("is offered to clerks, approvers and admins and opens the screen", async () => {
    for (const role of ["clerk", "approver", "admin"] as Role[]) {
      const root = await app(role);
      root.querySelector<HTMLButtonElement>("#nav-answer")!.click();
      await flush();
      expect(root.dataset.screen).toBe("answer");
      expect(root.querySelector("#answer-table")).not.toBeNull();
      clearMocks();
    }
  });

  it("is not offered to auditors", async () => {
    const root = await app("auditor");
    expect(root.querySelector("#nav-answer")).toBeNull();
  });
});
