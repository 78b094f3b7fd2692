// The ERP's payment file in the real app (issue 18), on the demo workspace run.sh builds: carol
// (clerk) screens a pain.001.001.03 file written here, with two lines to Umbrella's verified
// account (ok), one to a creditor who is no partner (held) and one naming Umbrella but paying
// Acme's account (blocked), and a group header whose control sum is wrong; reads the verdicts, a
// held line's reason as a sentence and the file's own figures; follows a partner's name to its
// account history and comes back to the report; writes the approved copy and checks it (an
// approved copy); and sees a file with a DTD refused with its line. frank (auditor) is offered
// the check only, and is told the original was screened with holds, by carol.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { By, until } from "selenium-webdriver";
import { OUT_DIR, mainScreen, openApp, screenshot, session } from "./app.mjs";

const WORK = path.join(OUT_DIR, "home/screening");
const RUN = path.join(WORK, "erp-run-0042.xml");
const REFUSED = path.join(WORK, "erp-run-with-dtd.xml");

// The demo's partners and our account (scripts/demo-workspace.sh).
const UMBRELLA = { name: "Umbrella Logistics S.L.", iban: "ES9121000418450200051332", bic: "CAIXESBBXXX" };
const ACME_IBAN = "TR330006100519786457841326";
const OUR_IBAN = "DE02120300000000202051";

/** One credit transfer. */
function transfer(id, amount, name, iban, bic, reference) {
  return [
    "      <CdtTrfTxInf>",
    `        <PmtId><EndToEndId>${id}</EndToEndId></PmtId>`,
    `        <Amt><InstdAmt Ccy="EUR">${amount}</InstdAmt></Amt>`,
    `        <CdtrAgt><FinInstnId><BIC>${bic}</BIC></FinInstnId></CdtrAgt>`,
    `        <Cdtr><Nm>${name}</Nm></Cdtr>`,
    `        <CdtrAcct><Id><IBAN>${iban}</IBAN></Id></CdtrAcct>`,
    `        <RmtInf><Ustrd>${reference}</Ustrd></RmtInf>`,
    "      </CdtTrfTxInf>",
  ].join("\n");
}

/**
 * A pain.001.001.03 payment run as an ERP writes it: one SEPA block from our account, executed
 * tomorrow; the group header's CtrlSum is `headerSum` (the block's is right).
 */
function paymentRun(lines, headerSum, prolog = "") {
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const sum = lines.reduce((s, l) => s + Math.round(Number(l[1]) * 100), 0);
  const blockSum = `${Math.floor(sum / 100)}.${String(sum % 100).padStart(2, "0")}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    prolog,
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">',
    "  <CstmrCdtTrfInitn>",
    `    <GrpHdr><MsgId>ERP-RUN-2026-0042</MsgId><CreDtTm>2026-12-01T08:00:00</CreDtTm><NbOfTxs>${lines.length}</NbOfTxs><CtrlSum>${headerSum}</CtrlSum><InitgPty><Nm>Initech GmbH</Nm></InitgPty></GrpHdr>`,
    "    <PmtInf>",
    `      <PmtInfId>RUN-0042-EUR</PmtInfId><PmtMtd>TRF</PmtMtd><BtchBookg>true</BtchBookg><NbOfTxs>${lines.length}</NbOfTxs><CtrlSum>${blockSum}</CtrlSum>`,
    "      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>",
    `      <ReqdExctnDt>${tomorrow}</ReqdExctnDt>`,
    "      <Dbtr><Nm>Initech GmbH</Nm></Dbtr>",
    `      <DbtrAcct><Id><IBAN>${OUR_IBAN}</IBAN></Id></DbtrAcct>`,
    "      <DbtrAgt><FinInstnId><BIC>BYLADEM1001</BIC></FinInstnId></DbtrAgt>",
    "      <ChrgBr>SLEV</ChrgBr>",
    ...lines.map((l) => transfer(...l)),
    "    </PmtInf>",
    "  </CstmrCdtTrfInitn>",
    "</Document>",
    "",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

const LINES = [
  ["RUN-0042-1", "1840.00", UMBRELLA.name, UMBRELLA.iban, UMBRELLA.bic, "INV-0413"],
  ["RUN-0042-2", "2150.00", UMBRELLA.name, UMBRELLA.iban, UMBRELLA.bic, "INV-0414"],
  ["RUN-0042-3", "980.00", "Northwind Traders GmbH", "DE12500105170648489890", "INGDDEFFXXX", "NW-2211"],
  ["RUN-0042-4", "12950.00", UMBRELLA.name, ACME_IBAN, "ISBKTRISXXX", "INV-0415"],
];

describe("the ERP's payment file: screened, its approved copy written and checked", { timeout: 300_000 }, () => {
  let driver;
  const { byId, retry, soon, textOf, click, type, screen, signIn, switchUser } = session(() => driver);
  let copyPath;

  const attr = (css, name) => retry(async () => (await driver.findElement(By.css(css))).getAttribute(name));
  const text = (css) => retry(async () => (await driver.findElement(By.css(css))).getText());
  const lineVerdict = (n) => attr(`#screen-lines tbody[data-line="${n}"]`, "data-verdict");
  const openPaymentFiles = async () => {
    await click("nav-screening");
    await screen("screening");
  };
  const checkFile = async (file) => {
    await type("payment-file-path", file);
    await click("check-submit");
    const result = await driver.wait(until.elementLocated(By.css(`#check-result[data-standing]`)), 20_000);
    return { standing: await result.getAttribute("data-standing"), sentence: await textOf("check-sentence") };
  };

  before(async () => {
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    writeFileSync(RUN, paymentRun(LINES, "99999.99"));
    writeFileSync(REFUSED, paymentRun(LINES.slice(0, 1), "1840.00", '<!DOCTYPE Document [<!ENTITY run "0042">]>'));
    driver = await openApp();
  });

  after(async () => {
    await driver?.quit();
  });

  it("screens the run as a clerk: the verdicts, a held line's reason in words, the file's figures", async () => {
    await signIn("carol");
    await screen("queue");
    await openPaymentFiles();
    assert.equal(await textOf("screening-title"), "Screen a payment file");
    await type("payment-file-path", RUN);
    await click("screen-submit");
    await byId("screen-report");
    assert.equal(await attr("#screen-verdict", "data-verdict"), "blocked");
    const counts = {};
    for (const verdict of ["ok", "hold", "blocked"]) counts[verdict] = await attr(`#screen-counts [data-verdict="${verdict}"]`, "data-count");
    assert.deepEqual(counts, { ok: "2", hold: "1", blocked: "1" });
    assert.equal(await textOf("screen-message-id"), "ERP-RUN-2026-0042");
    assert.equal(await textOf("screen-version"), "pain.001.001.03");
    assert.deepEqual([await lineVerdict(1), await lineVerdict(2), await lineVerdict(3), await lineVerdict(4)], ["ok", "ok", "hold", "blocked"]);

    // Worst first: the blocked line, the held one, then the ok lines in file order.
    const order = await retry(async () => Promise.all((await driver.findElements(By.css("#screen-lines tbody"))).map((b) => b.getAttribute("data-line"))));
    assert.deepEqual(order, ["4", "3", "1", "2"]);
    const held = await text('#screen-lines tbody[data-line="3"] li.finding[data-code="creditor_not_partner"]');
    assert.equal(held, 'Not a partner: neither the account nor the name "Northwind Traders GmbH" is a partner\'s');
    const blocked = await text('#screen-lines tbody[data-line="4"] li.finding[data-code="account_used_by_other_partner"]');
    assert.match(blocked, /^Another partner's account: the line names Umbrella Logistics S\.L\. but the account is Acme/);
    const figures = await text('#screen-findings li[data-code="control_sum_mismatch"]');
    assert.match(figures, /^Wrong control sum \(group header\): the group header says the amounts sum to 99999\.99, they sum to 17920(\.00)?$/);
    assert.doesNotMatch(await textOf("screen-report"), /creditor_not_partner|account_used_by_other_partner|control_sum_mismatch/);
    assert.match(await textOf("copy-hint"), /^The copy keeps the 2 ok lines of 4/);
    await screenshot(driver, "screening-1-report");
    await mainScreen(driver, "screening");
    await driver.executeScript("document.getElementById('screen-report').scrollIntoView()");
    await screenshot(driver, "screening-1-figures");
    await driver.executeScript("document.getElementById('screen-lines-section').scrollIntoView()");
    await screenshot(driver, "screening-1-lines");
  });

  it("follows a partner's name to its account history and comes back to the report", async () => {
    await retry(async () => (await byId("screen-sort")).sendKeys("Line number"));
    await driver.wait(soon(async () => (await attr("#screen-lines tbody", "data-line")) === "1"), 20_000, "sorted by line");
    await retry(async () => (await driver.findElement(By.css('#screen-lines tbody[data-line="1"] .partner-link'))).click());
    await screen("partner");
    assert.equal(await textOf("partner-title"), UMBRELLA.name);
    await byId("partner-accounts-title");
    await openPaymentFiles();
    assert.equal(await attr("#screen-report", "data-verdict"), "blocked");
  });

  it("writes the approved copy with the ok lines only, and the check calls it an approved copy", async () => {
    await click("write-copy");
    await byId("copy-saved");
    copyPath = await textOf("copy-path");
    assert.match(await textOf("copy-saved"), /^Approved copy with 2 of 4 lines saved to /);
    assert.ok(existsSync(copyPath), `the copy at ${copyPath}`);
    const copy = readFileSync(copyPath, "utf8");
    assert.equal(copy.match(/<CdtTrfTxInf>/g)?.length, 2);
    assert.ok(!copy.includes("Northwind") && !copy.includes(ACME_IBAN), "held and blocked lines are cut");
    assert.match(copy, /<NbOfTxs>2<\/NbOfTxs><CtrlSum>3990\.00<\/CtrlSum><InitgPty>/);

    const check = await checkFile(copyPath);
    assert.equal(check.standing, "approved_copy");
    assert.match(check.sentence, /^This file is the approved copy written by the screening on .* by carol: only its 2 ok lines\.$/);
    // Drawn in capitals (text-transform), like the report's verdict.
    assert.equal((await textOf("check-standing")).toLowerCase(), "approved copy");
    await screenshot(driver, "screening-2-check-copy");
  });

  it("refuses a file with a DTD, naming its line and the problem", async () => {
    await type("payment-file-path", REFUSED);
    await click("screen-submit");
    const error = await byId("screen-error");
    assert.equal(await error.getAttribute("data-code"), "payment_file_invalid");
    const message = await textOf("screen-error-message");
    assert.match(message, /^erp-run-with-dtd\.xml: line 2: the file has a document type declaration \(DTD\)/);
    assert.match(await error.getText(), /^This file cannot be screened\./);
    assert.doesNotMatch(await error.getText(), /payment_file_invalid/);
    await screenshot(driver, "screening-3-refused");
  });

  it("offers an auditor the check only: the original was screened with holds, by carol", async () => {
    await switchUser("frank");
    await openPaymentFiles();
    assert.equal(await textOf("screening-title"), "Check a payment file");
    assert.equal((await driver.findElements(By.id("screen-submit"))).length, 0);
    const check = await checkFile(RUN);
    assert.equal(check.standing, "screened_not_ok");
    assert.match(check.sentence, /by carol: 1 held and 1 blocked lines\. Do not send it to the bank as it is\.$/);
    assert.equal((await checkFile(copyPath)).standing, "approved_copy");
    assert.equal((await checkFile(REFUSED)).standing, "not_screened");
  });
});
