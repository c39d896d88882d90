// Renders the bot's Adaptive Cards with Microsoft's own JavaScript renderer (npm
// `adaptivecards`) in headless Chromium (Debian's, driven by playwright-core), reports what
// the renderer made of each card, and (with CASEDESK_SCREENSHOTS) saves a PNG of each.
//
// Input: CASEDESK_CARDS, a JSON file {"name": {"card": {...}, "open": "button title"?}}.
// Output (stdout): {"name": {"errors": [...], "text": "...", "buttons": [...], "inputs": n}}.
// The page loads nothing from the network: the renderer is read from node_modules.
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const RENDERER = readFileSync(require.resolve("adaptivecards/dist/adaptivecards.min.js"), "utf8");
const CARDS = JSON.parse(readFileSync(process.env.CASEDESK_CARDS, "utf8"));
const SHOTS = process.env.CASEDESK_SCREENSHOTS || "";

// Close to Teams' light theme (fonts, colours, spacing); the layout is the renderer's.
const HOST_CONFIG = {
  fontFamily: "'Segoe UI', 'Noto Sans', 'DejaVu Sans', system-ui, sans-serif",
  supportsInteractivity: true,
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: "#E1DFDD" },
  fontSizes: { small: 12, default: 14, medium: 16, large: 20, extraLarge: 24 },
  fontWeights: { lighter: 200, default: 400, bolder: 600 },
  containerStyles: {
    default: {
      backgroundColor: "#FFFFFF",
      foregroundColors: {
        default: { default: "#242424", subtle: "#616161" },
        accent: { default: "#5B5FC7", subtle: "#7F85F5" },
        good: { default: "#237B4B", subtle: "#237B4B" },
        warning: { default: "#835C00", subtle: "#835C00" },
        attention: { default: "#C4314B", subtle: "#C4314B" },
      },
    },
    emphasis: { backgroundColor: "#F5F5F5", foregroundColors: { default: { default: "#242424", subtle: "#616161" } } },
  },
  actions: { maxActions: 6, spacing: "default", buttonSpacing: 8, actionsOrientation: "horizontal",
    actionAlignment: "left", showCard: { actionMode: "inline", inlineTopMargin: 12 } },
  factSet: { title: { weight: "bolder", size: "default", wrap: true, maxWidth: 150 },
    value: { wrap: true }, spacing: 8 },
};

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; padding: 16px; background: #F5F5F5; font-family: 'Segoe UI', 'Noto Sans', sans-serif; }
  #frame { width: 440px; background: #FFFFFF; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.15); overflow: hidden; }
  .ac-pushButton { border: 1px solid #D1D1D1; background: #FFFFFF; color: #242424; border-radius: 4px;
    padding: 5px 12px; font: 600 14px 'Segoe UI', 'Noto Sans', sans-serif; cursor: pointer; }
  .ac-pushButton.style-positive { background: #5B5FC7; color: #FFFFFF; border-color: #5B5FC7; }
  .ac-pushButton.style-destructive { color: #C4314B; border-color: #C4314B; }
  .ac-input { font: 14px 'Segoe UI', 'Noto Sans', sans-serif; padding: 4px; border: 1px solid #D1D1D1; border-radius: 4px; }
</style></head><body><div id="frame"></div></body></html>`;

function render(cardJson, hostConfig) {
  const AC = window.AdaptiveCards;
  AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
    // Teams' markdown subset as far as CaseDesk's own text uses it: **bold**, _italic_, `code`.
    const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    result.outputHtml = escaped
      .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|\W)_(.+?)_(?=\W|$)/g, "$1<em>$2</em>")
      .replace(/`(.+?)`/g, "<code>$1</code>");
    result.didProcess = true;
  };
  const card = new AC.AdaptiveCard();
  card.hostConfig = new AC.HostConfig(hostConfig);
  const context = new AC.SerializationContext();
  card.parse(cardJson, context);
  const errors = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    errors.push(`parse: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents) errors.push(`validate: ${e.message}`);
  const frame = document.getElementById("frame");
  frame.innerHTML = "";
  const element = card.render();
  if (!element) return { errors: [...errors, "render: nothing rendered"], text: "", buttons: [], inputs: 0 };
  frame.appendChild(element);
  const buttons = [...frame.querySelectorAll("button")].map((b) => b.getAttribute("aria-label") || b.innerText.trim());
  return { errors, text: frame.innerText, buttons, inputs: frame.querySelectorAll("input, select, textarea").length };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const results = {};
try {
  const context = await browser.newContext({ viewport: { width: 472, height: 800 }, deviceScaleFactor: 1 });
  await context.route("**/*", (route) => route.abort()); // nothing leaves the machine
  const page = await context.newPage();
  await page.setContent(PAGE);
  await page.addScriptTag({ content: RENDERER });
  await page.addScriptTag({ content: render.toString() });
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  for (const [name, entry] of Object.entries(CARDS)) {
    results[name] = await page.evaluate(([card, config]) => render(card, config), [entry.card, HOST_CONFIG]);
    if (entry.open) {
      await page.getByRole("button", { name: entry.open, exact: true }).first().click();
      results[name].text = await page.locator("#frame").innerText();
      results[name].inputs = await page.locator("#frame").locator("input:visible, textarea:visible, select:visible").count();
    }
    if (SHOTS) await page.locator("#frame").screenshot({ path: `${SHOTS}/${name}.png` });
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
