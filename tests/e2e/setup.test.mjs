// The first run (issue 19): the app started on an empty data directory shows the guided setup
// (each secret typed twice), creates the workspace, signs the admin in straight away and lands on
// My work with the setup checklist. Both screens are checked with axe-core and, for
// `make screenshots`, saved as setup.png and setup-checklist.png.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { OUT_DIR, mainScreen, openApp, session } from "./app.mjs";

describe("the first run", { timeout: 180_000 }, () => {
  let driver;
  const { byId, type, click, screen, textOf } = session(() => driver);

  before(async () => {
    const dir = mkdtempSync(path.join(OUT_DIR, "first-run-"));
    driver = await openApp({ args: ["--data-dir", dir] });
  });

  after(async () => {
    await driver?.quit();
  });

  it("sets up a workspace and signs the admin in on My work with the checklist", async () => {
    await screen("setup");
    await type("setup-org", "Initech GmbH");
    await type("setup-admin", "alice");
    await type("setup-password", "TEST-ONLY alice first run");
    await type("setup-password-again", "TEST-ONLY alice first run");
    await type("setup-passphrase", "TEST-ONLY organisation first run");
    await type("setup-passphrase-again", "TEST-ONLY organisation first run");
    // The whole form from its top, as it opens.
    await driver.executeScript("window.scrollTo(0, 0);");
    await mainScreen(driver, "setup");
    await click("setup-submit");
    await screen("queue");
    await byId("setup-checklist");
    assert.match(await textOf("current-user"), /^alice /);
    await mainScreen(driver, "setup-checklist");
  });
});
