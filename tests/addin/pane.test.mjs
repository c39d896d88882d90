// Browser tests of the Outlook task pane in headless Chromium (Debian's), driven by
// playwright-core, against a running `casedesk serve` (tests/e2e/test_addin_browser.py starts
// it and passes CASEDESK_URL and the scenario as JSON in CASEDESK_PANE). Office.js is the stub
// in fake_office.js, served in place of Microsoft's CDN; nothing else leaves the machine.
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const BASE = process.env.CASEDESK_URL;
const PANE = JSON.parse(process.env.CASEDESK_PANE);
const SHOTS = process.env.CASEDESK_SCREENSHOTS || "";
const FAKE_OFFICE = readFileSync(new URL("./fake_office.js", import.meta.url), "utf8");
const ACTIONS = ["reply-with-draft", "category", "topic", "save-correction", "claim", "assignee", "assign", "note", "add-note"];

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
});

async function openPane(scenario, { width = 360, forcedColors = "none" } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 1000 }, forcedColors });
  // Office.js is answered by the stub; any other request off this machine is refused.
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.href.startsWith("https://appsforoffice.microsoft.com/lib/1.1/hosted/office.js")) {
      return route.fulfill({ status: 200, contentType: "text/javascript", body: FAKE_OFFICE });
    }
    return url.hostname === "127.0.0.1" ? route.continue() : route.abort();
  });
  await context.addInitScript((s) => {
    window.__fakeOfficeScenario = s;
    // Record any attempt to use web storage: the pane must keep constituent data in memory.
    window.__storageWrites = [];
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      window.__storageWrites.push([key, String(value).slice(0, 40)]);
      return setItem.call(this, key, value);
    };
  }, scenario);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.setDefaultTimeout(10_000);
  await page.goto(`${BASE}/addin/taskpane.html`);
  try {
    await page.waitForSelector("#pane[aria-busy=false]");
  } catch (error) {
    throw new Error(`the pane did not finish loading: ${problems.join(" | ") || "no errors"}\n${error}`);
  }
  return { page, context, problems };
}

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

const read = (extra = {}) => ({ mode: "read", internetMessageId: PANE.damp_id, token: PANE.jo_token, ...extra });

async function noStorageUsed(page) {
  const state = await page.evaluate(async () => ({
    writes: window.__storageWrites,
    local: localStorage.length,
    session: sessionStorage.length,
    databases: (await indexedDB.databases()).length,
    cookies: document.cookie,
  }));
  assert.deepEqual(state, { writes: [], local: 0, session: 0, databases: 0, cookies: "" });
}

for (const width of [320, 450]) {
  test(`the read pane shows the whole case at ${width} px without sideways scrolling`, async () => {
    const { page, context, problems } = await openPane(read(), { width });
    const text = await page.locator("#pane").innerText();
    for (const expected of [PANE.damp_ref, "New", "Reply due", "Casework", "Housing", "Why CaseDesk filed it so",
      "The constituent's other cases", PANE.xss_ref, "Reply draft"]) {
      assert.ok(text.toLowerCase().includes(expected.toLowerCase()), `pane shows ${expected}`);
    }
    assert.match(text, /Assigned to\s+(Priya Shah|Tom Reid)/);
    assert.ok((await page.locator(".reasons li").count()) > 0, "triage reasons are listed");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scroll (overflow ${overflow}px)`);
    await shot(page, `read-${width}`);
    await noStorageUsed(page);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test("nested app authentication: MSAL.js gets the API token from the host's broker", async () => {
  const naa = { clientId: PANE.client_id, tenantId: PANE.tenant_id, oid: PANE.jo_oid };
  const { page, context, problems } = await openPane(read({ naa }));
  assert.match(await page.locator("#pane").innerText(), new RegExp(PANE.damp_ref));
  const state = await page.evaluate(() => ({
    bridge: window.__bridgeRequests,
    sso: window.__officeCalls.filter((c) => c[0] === "getAccessToken").length,
  }));
  assert.equal(state.sso, 0, "Office SSO is not used where NAA is available");
  assert.equal(state.bridge[0].method, "GetInitContext");
  const tokenRequests = state.bridge.filter((r) => r.method === "GetToken");
  assert.ok(tokenRequests.length >= 1);
  assert.equal(tokenRequests[0].tokenParams.clientId, PANE.client_id);
  assert.ok(tokenRequests[0].tokenParams.scope.split(" ").includes(PANE.api_scope));
  await noStorageUsed(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test("campaign membership and size are shown", async () => {
  const { page, context } = await openPane(read({ internetMessageId: PANE.campaign_id }));
  assert.match(await page.locator("#pane").innerText(), /Campaign[\s\S]*3 letters so far/);
  await context.close();
});

test("the keyboard reaches every action, in order, with a visible focus", async () => {
  const { page, context } = await openPane(read());
  const reached = [];
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press("Tab");
    const focus = await page.evaluate(() => {
      const el = document.activeElement;
      const style = el ? getComputedStyle(el) : null;
      return {
        id: el?.id || el?.tagName.toLowerCase(),
        visible: Boolean(el && el.matches(":focus-visible")),
        outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : "",
        label: el?.getAttribute("aria-label") || el?.labels?.[0]?.textContent || el?.textContent?.trim() || "",
      };
    });
    if (focus.id === "body" || reached.some((r) => r.id === focus.id && focus.id)) break;
    reached.push(focus);
  }
  const ids = reached.map((r) => r.id);
  for (const action of ACTIONS) assert.ok(ids.includes(action), `Tab reaches ${action}: ${ids.join(", ")}`);
  const order = ACTIONS.map((a) => ids.indexOf(a));
  assert.deepEqual(order, [...order].sort((a, b) => a - b), "actions come in reading order");
  for (const r of reached) {
    assert.ok(r.visible, `${r.id} shows focus`);
    assert.ok(r.label, `${r.id} has an accessible name`);
    if (["category", "topic", "assignee", "note"].includes(r.id)) assert.equal(r.outline, "solid 2px");
  }
  await context.close();
});

test("changing the category round-trips through the API and the pane shows it", async () => {
  const { page, context } = await openPane(read({ internetMessageId: PANE.correct_id }));
  await page.focus("#category");
  await page.selectOption("#category", "policy");
  await page.selectOption("#topic", "health");
  await page.focus("#save-correction");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("announcer").textContent.includes("done"));
  assert.equal(await page.evaluate(() => document.activeElement.id), "save-correction", "focus stays put");
  const triage = await page.locator("section[aria-labelledby=triage-heading]").innerText();
  assert.match(triage, /Category\s+policy/i);
  assert.match(triage, /Topic\s+health/i);
  await noStorageUsed(page);
  await context.close();
});

test("reply with this draft opens Outlook's reply form with the draft, escaped", async () => {
  const { page, context } = await openPane(read());
  await page.click("#reply-with-draft");
  const calls = await page.evaluate(() => window.__officeCalls.filter((c) => c[0] === "displayReplyForm"));
  assert.equal(calls.length, 1);
  assert.ok(calls[0][1].htmlBody.includes("<br>") && !/<(?!br>)/.test(calls[0][1].htmlBody));
  assert.match(await page.locator("#announcer").innerText(), /Nothing is sent/);
  await context.close();
});

test("compose mode inserts the named case's draft as plain text", async () => {
  const scenario = { mode: "compose", to: PANE.constituent, subject: `RE: ${PANE.xss_ref}`, token: PANE.jo_token };
  const { page, context, problems } = await openPane(scenario, { width: 320 });
  assert.equal(await page.inputValue("#compose-case"), PANE.xss_ref);
  await shot(page, "compose-320");
  await page.click("#insert-draft");
  await page.waitForFunction(() => window.__officeCalls.some((c) => c[0] === "setSelectedDataAsync"));
  const [, text, options] = await page.evaluate(() => window.__officeCalls.find((c) => c[0] === "setSelectedDataAsync"));
  assert.equal(options.coercionType, "text");
  assert.ok(text.length > 40 && text.includes("Alex Morgan"), "the draft text is inserted");
  await noStorageUsed(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test("claim goes through the casework core and the pane says it is done", async () => {
  const { page, context } = await openPane(read());
  await page.click("#claim");
  await page.waitForFunction(() => document.getElementById("announcer").textContent.includes("Claiming the case:"));
  assert.match(await page.locator("#announcer").innerText(), /Claiming the case: done\./);
  await context.close();
});

test("an HTML and script payload in a subject is shown as text and never runs", async () => {
  const { page, context, problems } = await openPane(read({ internetMessageId: PANE.xss_id }));
  const subject = await page.locator(".ref .subject").innerText();
  assert.equal(subject, PANE.xss_subject);
  const state = await page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    images: document.querySelectorAll("img").length,
    scripts: Array.from(document.scripts).map((s) => s.src.split("/").pop()),
  }));
  assert.deepEqual(state, { pwned: null, images: 0, scripts: ["office.js", "taskpane.js"] });
  assert.deepEqual(problems, []);
  await context.close();
});

test("create a case from a message CaseDesk has not seen: the pane shows the new case", async () => {
  const scenario = read({ internetMessageId: PANE.forwarded_id, eml: PANE.forwarded_eml });
  const { page, context, problems } = await openPane(scenario, { width: 320 });
  assert.match(await page.locator("#pane").innerText(), /has not filed this message/);
  await shot(page, "not-filed-320");
  await page.focus("#create-case");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("announcer").textContent.includes("Creating a case:"));
  assert.match(await page.locator("#announcer").innerText(), /Creating a case: done\./);
  const created = await page.locator(".ref").innerText();
  assert.match(created, /CD-\d{4}-\d{6}/);
  assert.ok(created.includes(PANE.forwarded_subject), "the new case is the handed-over message");
  assert.match(await page.locator("#pane").innerText(), /Reply draft/);
  assert.equal(await page.evaluate(() => document.activeElement.id), "case-heading", "focus moves to the case");
  const calls = await page.evaluate(() => window.__officeCalls.map((c) => c[0]));
  assert.ok(calls.includes("getAsFileAsync") && !calls.includes("convertToRestId"), calls.join(", "));
  // The pane now finds the message as filed, on the next open too.
  const again = await openPane(scenario);
  assert.match(await again.page.locator(".ref").innerText(), /CD-\d{4}-\d{6}/);
  await noStorageUsed(page);
  assert.deepEqual(problems, []);
  await again.context.close();
  await context.close();
});

test("an Outlook without getAsFileAsync asks CaseDesk to fetch the message, and is told why not", async () => {
  const scenario = read({ internetMessageId: "<forwarded-old@example.org>", mailbox: "1.13" });
  const { page, context } = await openPane(scenario);
  await page.click("#create-case");
  await page.waitForFunction(() => document.getElementById("announcer").textContent.includes("Creating a case:"));
  assert.match(await page.locator("#announcer").innerText(), /forward the message to the office mailbox/);
  const calls = await page.evaluate(() => window.__officeCalls.map((c) => c[0]));
  assert.ok(calls.includes("convertToRestId") && !calls.includes("getAsFileAsync"), calls.join(", "));
  assert.match(await page.locator("#pane").innerText(), /has not filed this message/);
  await context.close();
});

test("someone not on the office's people list sees no case data", async () => {
  const { page, context } = await openPane(read({ token: PANE.stranger_token }));
  assert.match(await page.locator("[role=alert]").innerText(), /not on this office's people list/);
  assert.equal(await page.locator(".ref").count(), 0);
  await context.close();
});

test("high contrast: the pane renders with system colours", async () => {
  const { page, context } = await openPane(read(), { width: 320, forcedColors: "active" });
  const state = await page.evaluate(() => ({
    forced: matchMedia("(forced-colors: active)").matches,
    border: getComputedStyle(document.querySelector("section")).borderTopStyle,
  }));
  assert.deepEqual(state, { forced: true, border: "solid" });
  await shot(page, "read-320-high-contrast");
  await context.close();
});
