// The partner's side of a callback in the real app (issue 19): a customer, Massive Dynamic, runs
// its own workspace (made here with the CLI) and has pinned our card; we have pinned theirs (alice
// proposes, dave approves, with the CLI). alice issues our bank details to them in the app; their
// workspace receives the file and holds it (a first instruction), their clerk asks the CLI for a
// challenge; carol (a clerk) answers it in the app with the organisation key's passphrase; the
// response is the one `countersign respond` computes from the saved file, and the customer's
// callback is confirmed with it. Our log has the answer (the challenge, never the response).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { By } from "selenium-webdriver";
import { OUT_DIR, docScreenshot, openApp, screenshot, session } from "./app.mjs";

const CLI = process.env.COUNTERSIGN_CLI;
const WORK = path.join(OUT_DIR, "home/answer");
const CUSTOMER = path.join(WORK, "customer");
const CUSTOMER_NAME = "Massive Dynamic Inc";
const OUR_NUMBER = "+49 89 2019 0000";
const THEIR_NUMBER = "+1 212 555 0134";
const ORG_PASSPHRASE = "TEST-ONLY org demo";

/**
 * Runs the CLI with `--json` as `user` (password "TEST-ONLY <user> demo") on the demo workspace,
 * or on the customer's with `dir` (`acting: false` for `init`, which acts as nobody); its exit
 * status and JSON output.
 */
function cli(user, args, { dir = null, env = {}, acting = true } = {}) {
  const global = [...(dir ? ["--data-dir", dir] : []), ...(acting ? ["--as", user] : [])];
  const run = spawnSync(CLI, ["--json", ...global, ...args], {
    encoding: "utf8",
    env: { ...process.env, COUNTERSIGN_PASSWORD: `TEST-ONLY ${user} demo`, COUNTERSIGN_PASSPHRASE: ORG_PASSPHRASE, ...env },
  });
  let json = null;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    // A command that failed before it printed: the assertion below shows stderr.
  }
  return { status: run.status, json, stderr: run.stderr, stdout: run.stdout };
}

/** `cli`, which must exit 0. */
function ok(user, args, options) {
  const run = cli(user, args, options);
  assert.equal(run.status, 0, `${args.join(" ")}: ${run.stdout}${run.stderr}`);
  return run.json;
}

const fingerprintOf = (card) => JSON.parse(execFileSync(CLI, ["fingerprint", "--json", card], { encoding: "utf8" })).fingerprint;

describe("answering a customer's callback about the bank details we issued", { timeout: 300_000 }, () => {
  let driver;
  const { byId, retry, soon, textOf, click, type, screen, signIn, switchTo } = session(() => driver);
  let saved;
  let code;
  let caseId;
  let challenge;
  let response;

  before(async () => {
    assert.ok(CLI, "run.sh sets COUNTERSIGN_CLI");
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    // The customer's workspace: its admin maria, a clerk carl, our card pinned with our number.
    ok("maria", ["init", "--org-name", CUSTOMER_NAME, "--admin", "maria"], { dir: CUSTOMER, acting: false });
    ok("maria", ["user", "add", "--name", "carl", "--role", "clerk"], { dir: CUSTOMER, env: { COUNTERSIGN_NEW_PASSWORD: "TEST-ONLY carl demo" } });
    const theirCard = path.join(WORK, "massive.card");
    ok("maria", ["card", "export", "--out", theirCard], { dir: CUSTOMER });
    const ourCard = path.join(WORK, "initech.card");
    ok("alice", ["card", "export", "--out", ourCard]);
    ok("maria", ["partner", "add", "--card", ourCard, "--confirm-fingerprint", fingerprintOf(ourCard), "--phone", OUR_NUMBER], { dir: CUSTOMER });
    // Ours: their card pinned, a change that dave approves (four eyes).
    const proposed = ok("alice", ["partner", "add", "--card", theirCard, "--confirm-fingerprint", fingerprintOf(theirCard), "--phone", THEIR_NUMBER, "--country", "US"]);
    assert.ok(proposed.pending_change, JSON.stringify(proposed));
    ok("dave", ["change", "approve", String(proposed.pending_change.id)]);
    driver = await openApp();
  });

  after(async () => {
    await driver?.quit();
  });

  it("alice issues our bank details to the customer", async () => {
    await signIn("alice");
    await screen("queue");
    await click("nav-partners");
    await screen("partners");
    const open = await retry(async () => {
      for (const button of await driver.findElements(By.css("#partners-table button[id^=partner-open-]"))) {
        if ((await button.getText()) === CUSTOMER_NAME) return button;
      }
      return null;
    });
    assert.ok(open, `${CUSTOMER_NAME} is in the partner list`);
    await open.click();
    await screen("partner");
    await click("partner-issue");
    await screen("issue");
    await type("issue-passphrase", ORG_PASSPHRASE);
    await click("issue-submit");
    code = await textOf("issue-code");
    saved = await textOf("issue-saved");
    assert.match(code, /^\d{3}( \d{3}){4}$/);
  });

  it("the customer receives it, holds it and its clerk asks for a challenge", () => {
    const received = cli("maria", ["receive", saved], { dir: CUSTOMER });
    const result = received.json?.results?.[0];
    assert.ok(result, received.stdout + received.stderr);
    assert.equal(result.verdict, "hold", JSON.stringify(result));
    assert.equal(result.confirmation_code, code);
    caseId = result.case_id;
    challenge = ok("carl", ["case", "challenge", String(caseId)], { dir: CUSTOMER }).challenge;
    assert.match(challenge, /^\d{3} \d{3}$/);
  });

  it("carol answers in the app: the response of `countersign respond`, with the code and the last four to read out", async () => {
    // Switch user: carol signs in over the open screen.
    await switchTo("carol");
    await click("nav-answer");
    await screen("answer");
    await byId("answer-table");
    await type("answer-search", "massive");
    const row = await driver.wait(
      soon(async () => {
        for (const tr of await driver.findElements(By.css("#answer-table tbody tr"))) {
          if ((await (await tr.findElement(By.css("td.confirmation"))).getText()) === code) return tr;
        }
        return null;
      }),
      20_000,
      "the issued instruction in the list",
    );
    const id = await row.getAttribute("data-id");
    await retry(async () => (await driver.findElement(By.css(`button.pick[data-id="${id}"]`))).click());
    await byId("answer-form");
    // The digits as the caller reads them, a space in the middle.
    await type("answer-challenge", challenge);
    await type("answer-passphrase", ORG_PASSPHRASE);
    await click("answer-submit");
    response = await textOf("answer-response");
    assert.match(response, /^\d{4} \d{4}$/);
    assert.equal(await (await byId("answer-passphrase")).getAttribute("value"), "", "the passphrase field is cleared");
    assert.equal(await textOf("answer-code"), code);
    assert.equal(await textOf("answer-last4"), "2051");
    assert.match(await textOf("answer-note"), /Never read out:/);
    await screenshot(driver, "answer-1-response");
    await docScreenshot(driver, "answer");

    const partnerSide = JSON.parse(execFileSync(CLI, ["--json", "respond", "--challenge", challenge, saved], { encoding: "utf8" }));
    assert.equal(response, partnerSide.response, "the app's answer is what `countersign respond` computes from the file");
  });

  it("the customer's callback is confirmed with it, and our log has the answer without the response", () => {
    const callback = ok(
      "carl",
      ["case", "callback", String(caseId), "--dialed", OUR_NUMBER, "--reached", "carol", "--code", response, "--outcome", "confirmed"],
      { dir: CUSTOMER },
    );
    assert.equal(callback.status, "callback_confirmed", JSON.stringify(callback));
    const answers = ok("alice", ["audit", "log", "--action", "instruction.respond"]);
    const ours = answers.filter((e) => e.actor === "carol");
    assert.equal(ours.length, 1, JSON.stringify(answers));
    const details = typeof ours[0].details === "string" ? ours[0].details : JSON.stringify(ours[0].details);
    assert.match(details, new RegExp(challenge));
    assert.ok(!details.includes(response) && !details.includes(response.replace(" ", "")), details);
  });
});
