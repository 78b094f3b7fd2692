// The admin's settings in the real app, on the demo workspace run.sh builds: adding a user and
// disabling them, a policy value the core refuses (tightened at once, loosened as a pending change), a backup of the organisation key (a wrong
// passphrase refused; the file checked with the CLI) and a rotation of the key (the statement
// signed by the old key, the new key what the CLI's `card export` gives). Runs after the tests
// that receive the demo's files, since a rotation changes the key they are addressed to.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { By } from "selenium-webdriver";
import { OUT_DIR, openApp, screenshot, session } from "./app.mjs";

const DEMO = process.env.E2E_DEMO_DIR;
const CLI = process.env.COUNTERSIGN_CLI;
const ORG_PASSPHRASE = "TEST-ONLY org demo";

/** Runs the CLI as alice; its JSON output. */
const cli = (...args) =>
  JSON.parse(execFileSync(CLI, ["--json", ...args], { encoding: "utf8", env: { ...process.env, COUNTERSIGN_PASSWORD: "TEST-ONLY alice demo" } }));

/** Our organisation's fingerprint as the CLI's `card export` gives it. */
const cardFingerprint = (name) => cli("--as", "alice", "card", "export", "--out", path.join(OUT_DIR, "home", name)).fingerprint;

describe("settings: users, policy and the organisation key", { timeout: 300_000 }, () => {
  let driver;
  const { byId, retry, textOf, click, type, screen, signIn } = session(() => driver);

  const valueOf = (id) => retry(async () => (await byId(id)).getAttribute("value"));
  const errorCode = (id) => retry(async () => (await byId(id)).getAttribute("data-code"));

  before(async () => {
    assert.ok(DEMO && CLI, "run.sh sets E2E_DEMO_DIR and COUNTERSIGN_CLI");
    driver = await openApp();
  });

  after(async () => {
    await driver?.quit();
  });

  it("offers Settings to alice (admin) and adds and disables a user", async () => {
    await signIn("alice");
    await screen("queue");
    await click("nav-settings");
    await screen("settings");
    await byId("users-table");
    assert.match(await textOf("users-table"), /carol/);

    await type("new-user-name", "gina");
    await retry(async () => (await driver.findElement(By.css('#new-user-role option[value="auditor"]'))).click());
    await type("new-user-password", "TEST-ONLY gina demo");
    await click("new-user-submit");
    assert.equal(await textOf("users-notice"), "gina was added as auditor.");
    assert.equal(await valueOf("new-user-password"), "", "the password field is empty");
    await click("user-toggle-gina");
    await driver.wait(async () => (await textOf("users-notice")).startsWith("gina is disabled"), 20_000);
    assert.equal(await textOf("user-toggle-gina"), "Enable");
    await screenshot(driver, "settings-1-users");
  });

  it("shows the core's refusal of a policy value out of range", async () => {
    await type("policy-amount_unusual_factor", "1");
    await click("policy-submit");
    assert.equal(await errorCode("policy-error"), "invalid_input");
    // Worded with the setting's name and its bounds (issue 19), the core's sentence under "Details".
    assert.match(await textOf("policy-error"), /^Unusual amount \(multiple\) must be between 2 and 1000\./);
    // Tightening takes effect at once; loosening waits for a second person (four eyes).
    await type("policy-amount_unusual_factor", "2");
    await click("policy-submit");
    assert.equal(await textOf("policy-notice"), "The policy is saved.");
    await type("policy-amount_unusual_factor", "4");
    await click("policy-submit");
    await driver.wait(async () => /^Pending change/.test(await textOf("policy-notice")), 20_000);
    assert.match(await textOf("policy-notice"), /^Pending change \d+: Loosen the policy: amount_unusual_factor — waits for another approver or admin\.$/);
  });

  it("backs up the organisation key: a wrong passphrase is refused, the file holds our key", async () => {
    const ours = await textOf("org-fingerprint");
    assert.equal(ours, cardFingerprint("settings-before.card"));
    await type("backup-passphrase", "not the passphrase");
    await click("backup-submit");
    assert.equal(await errorCode("backup-error"), "authentication_failed");
    assert.equal(await valueOf("backup-passphrase"), "", "the passphrase field is cleared");
    await type("backup-passphrase", ORG_PASSPHRASE);
    await click("backup-submit");
    const notice = await textOf("backup-notice");
    const saved = notice.match(/saved to (.+)\.$/)?.[1];
    assert.ok(saved && existsSync(saved), `the backup exists: ${notice}`);
    assert.ok(saved.startsWith(process.env.COUNTERSIGN_EXPORT_DIR ?? "\0"), "saved where unattended runs save");
    assert.equal(cli("fingerprint", saved).fingerprint, ours, "the backup is our key");
    rmSync(saved);
  });

  it("rotates the organisation key: the statement is signed by the old key, the card is the new one", async () => {
    const old = await textOf("org-fingerprint");
    await type("rotate-passphrase", ORG_PASSPHRASE);
    await type("rotate-new-passphrase", ORG_PASSPHRASE);
    await click("rotate-confirm");
    await click("rotate-submit");
    await byId("rotate-result");
    const now = await textOf("org-fingerprint");
    assert.notEqual(now, old);
    assert.match(await textOf("rotate-result"), new RegExp(`Our key is now ${now}; ${old} is retired`));
    assert.match(await textOf("retired-keys"), new RegExp(old));
    assert.equal(await valueOf("rotate-passphrase"), "", "the passphrase field is cleared");
    const statement = JSON.parse(readFileSync(await textOf("rotate-saved"), "utf8"));
    assert.equal(statement.format, "countersign/key-rotation/v1");
    assert.equal(statement.signer, old, "signed by the key partners pinned");
    assert.equal(cardFingerprint("settings-after.card"), now, "our card is the new key's");
    await screenshot(driver, "settings-2-key");
  });
});
