// The CaseDesk task pane: the case beside the message (read mode), the draft for a reply
// (compose mode). Fluent UI web components for the Microsoft look; no framework.

import "@fluentui/web-components/button/define.js";
import "@fluentui/web-components/badge/define.js";
import "@fluentui/web-components/divider/define.js";
import { setTheme } from "@fluentui/web-components";
import { webLightTheme } from "@fluentui/tokens";

import { Api, ApiError, loadConfig, type CaseView, type Me, type MessageSource } from "./api";
import { announce, button, facts, h, londonTime, section, words } from "./dom";
import {
  currentMode,
  insertDraft,
  mailboxAddress,
  messageAsEml,
  onItemChanged,
  replyWithDraft,
  restItemId,
  type Mode,
} from "./office";

setTheme(webLightTheme);

const pane = (): HTMLElement => document.getElementById("pane") as HTMLElement;

function show(...content: (Node | null)[]): void {
  const main = pane();
  main.replaceChildren(h("h1", { id: "pane-title", class: "visually-hidden" }, "CaseDesk"));
  for (const node of content) if (node) main.append(node);
  main.setAttribute("aria-busy", "false");
}

function problem(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Run an action, then say what happened in the status region (screen readers hear it). */
async function act(what: string, run: () => Promise<unknown>, after?: () => Promise<void>): Promise<void> {
  announce(`${what}…`);
  try {
    await run();
    if (after) {
      // Re-render with the server's view of the case, keeping the keyboard where it was.
      const focused = document.activeElement?.id;
      await after();
      if (focused) document.getElementById(focused)?.focus();
    }
    announce(`${what}: done.`);
  } catch (error) {
    announce(`${what}: ${problem(error)}`);
  }
}

function select(id: string, label: string, options: string[], chosen: string): [HTMLElement, HTMLSelectElement] {
  const control = h("select", { id, name: id }) as HTMLSelectElement;
  for (const value of options) {
    const option = h("option", { value }, words(value)) as HTMLOptionElement;
    option.selected = value === chosen;
    control.append(option);
  }
  return [h("div", { class: "field" }, h("label", { for: id }, label), control), control];
}

function caseSection(view: CaseView): HTMLElement {
  const c = view.case;
  const marks = [
    c.urgent ? h("fluent-badge", { appearance: "filled", color: "danger" }, "Urgent") : null,
    ...c.flags.map((flag) => h("fluent-badge", { appearance: "tint", color: "warning" }, words(flag))),
    c.signoff_required ? h("fluent-badge", { appearance: "tint", color: "informative" }, "MP sign-off") : null,
  ];
  return section(
    "Case",
    "case-heading",
    h("p", { class: "ref" }, h("strong", {}, c.ref), " · ", h("span", { class: "subject" }, c.subject)),
    h("p", { class: "badges" }, ...marks),
    facts([
      ["Status", words(c.status)],
      ["Assigned to", c.assignee_name ?? c.assignee ?? "Unassigned"],
      ["Reply due", londonTime(c.due_at)],
      ["Priority", c.priority],
      ["Constituent", `${c.constituent.name || c.constituent.email}${c.constituent.postcode ? ` · ${c.constituent.postcode}` : ""}`],
      ["Ward", c.constituent.ward],
    ]),
  );
}

function triageSection(view: CaseView): HTMLElement {
  const t = view.triage;
  const reasons = h("ul", { class: "reasons" }, ...(t?.reasons ?? []).map((r) => h("li", {}, r)));
  return section(
    "Why CaseDesk filed it so",
    "triage-heading",
    facts([
      ["Category", words(view.case.category)],
      ["Topic", words(view.case.topic)],
      ["Urgency", view.case.urgent ? "Urgent" : "Not urgent"],
      ["Confidence", t ? `${Math.round(t.confidence * 100)}% (${t.classifier})` : "—"],
    ]),
    t?.reasons.length ? reasons : null,
  );
}

function correctionForm(api: Api, me: Me, view: CaseView, reload: () => Promise<void>): HTMLElement {
  const [categoryField, category] = select("category", "Category", me.choices.categories, view.case.category);
  const [topicField, topic] = select("topic", "Topic", me.choices.topics, view.case.topic);
  const save = button("Save category and topic", () => {
    void act("Saving the correction", () => api.correct(view.case.ref, category.value, topic.value), reload);
  }, { appearance: "primary", id: "save-correction" });
  return section(
    "Change category or topic",
    "correct-heading",
    h("p", { class: "hint" }, "CaseDesk learns from corrections. Yours is recorded with your name."),
    categoryField,
    topicField,
    save,
  );
}

function caseworkActions(api: Api, me: Me, view: CaseView, reload: () => Promise<void>): HTMLElement {
  const ref = view.case.ref;
  const [assigneeField, assignee] = select("assignee", "Assign to", me.people.map((p) => p.id), view.case.assignee ?? "");
  for (const option of Array.from(assignee.options)) {
    option.textContent = me.people.find((p) => p.id === option.value)?.name ?? option.value;
  }
  const note = h("textarea", { id: "note", name: "note", rows: "3" }) as HTMLTextAreaElement;
  return section(
    "Actions",
    "actions-heading",
    h("div", { class: "buttons" },
      button("Claim this case", () => void act("Claiming the case", () => api.claim(ref), reload), { id: "claim" }),
    ),
    assigneeField,
    button("Assign", () => void act("Assigning the case", () => api.assign(ref, assignee.value), reload), { id: "assign" }),
    h("div", { class: "field" }, h("label", { for: "note" }, "Note for the case file"), note),
    button("Add note", () => void act("Adding the note", () => api.note(ref, note.value)), { id: "add-note" }),
  );
}

function folderSection(view: CaseView): HTMLElement {
  const folder = view.folder;
  const link = folder.url
    ? h("a", { href: folder.url, target: "_blank", rel: "noopener noreferrer", id: "open-folder" }, "Open the case folder")
    : h("p", {}, "Case folder: ", h("code", { class: "path" }, folder.location));
  return section("Case folder", "folder-heading", link);
}

function draftSection(view: CaseView): HTMLElement {
  if (!view.draft) {
    return section("Reply draft", "draft-heading", h("p", {}, "CaseDesk wrote no draft for this case."));
  }
  const draft = view.draft;
  return section(
    "Reply draft",
    "draft-heading",
    h("pre", { class: "draft", tabindex: "0", "aria-label": "Reply draft text" }, draft),
    button("Reply with this draft", () => {
      replyWithDraft(draft);
      announce("Reply opened with the draft. Nothing is sent until you send it.");
    }, { appearance: "primary", id: "reply-with-draft" }),
  );
}

function otherCases(view: CaseView): HTMLElement {
  const items = view.other_cases.map((c) =>
    h("li", {}, h("strong", {}, c.ref), " ", h("span", { class: "subject" }, c.subject), ` (${words(c.status)})`),
  );
  return section(
    "The constituent's other cases",
    "others-heading",
    items.length ? h("ul", { class: "others" }, ...items) : h("p", {}, "None."),
  );
}

function campaignSection(view: CaseView): HTMLElement | null {
  if (!view.campaign) return null;
  return section(
    "Campaign",
    "campaign-heading",
    h("p", {}, `Part of “`, h("span", { class: "subject" }, view.campaign.name), `”: ${view.campaign.size} letters so far.`),
  );
}

/** The open message for CaseDesk: its EML where Outlook can give it, else its REST id. */
async function messageSource(me: Me, itemId: string): Promise<MessageSource> {
  const eml = await messageAsEml();
  if (eml === null) return { mailbox: mailboxAddress(), itemId: restItemId(itemId) };
  const bytes = Math.floor((eml.length * 3) / 4);
  if (bytes > me.limits.message_bytes) {
    const mb = (n: number): string => (n / 1_048_576).toFixed(1);
    throw new Error(
      `the message is ${mb(bytes)} MB; CaseDesk takes messages up to ${mb(me.limits.message_bytes)} MB by hand. ` +
        "Forward it without its attachments instead.",
    );
  }
  return { eml };
}

async function readMode(api: Api, me: Me, mode: Extract<Mode, { kind: "read" }>): Promise<void> {
  const reload = async (): Promise<void> => readMode(api, me, mode);
  const answer = await api.message(mode.internetMessageId);
  if (!answer.found) {
    show(
      section(
        "Not filed",
        "notfound-heading",
        h("p", {}, "CaseDesk has not filed this message (it may have been forwarded by hand)."),
        h("p", { class: "hint" }, "Creating a case files it as if it had arrived in the office mailbox: " +
          "classified, routed and given a draft. It is recorded with your name."),
        button("Create a case from this message", () => {
          void act("Creating a case", async () => {
            const created = await api.create(await messageSource(me, mode.itemId));
            caseView(api, me, created, reload);
            const heading = document.getElementById("case-heading");
            heading?.setAttribute("tabindex", "-1");
            heading?.focus(); // the button is gone: keep the keyboard on what replaced it
          });
        }, { appearance: "primary", id: "create-case" }),
      ),
    );
    return;
  }
  caseView(api, me, answer, reload);
}

function caseView(api: Api, me: Me, answer: CaseView, reload: () => Promise<void>): void {
  show(
    caseSection(answer),
    triageSection(answer),
    campaignSection(answer),
    otherCases(answer),
    draftSection(answer),
    folderSection(answer),
    correctionForm(api, me, answer, reload),
    caseworkActions(api, me, answer, reload),
  );
}

async function composeMode(api: Api, mode: Extract<Mode, { kind: "compose" }>): Promise<void> {
  if (!mode.to) {
    show(h("p", {}, "Add the constituent as a recipient to see their cases and drafts."));
    return;
  }
  const { cases } = await api.compose(mode.to, mode.subject);
  if (!cases.length) {
    show(h("p", {}, "CaseDesk has no cases for this recipient."));
    return;
  }
  const [caseField, chosen] = select("compose-case", "Case", cases.map((c) => c.ref), cases[0].ref);
  for (const option of Array.from(chosen.options)) {
    const c = cases.find((x) => x.ref === option.value);
    option.textContent = c ? `${c.ref} · ${c.subject}` : option.value;
  }
  const preview = h("pre", { class: "draft", tabindex: "0", "aria-label": "Reply draft text" });
  const current = () => cases.find((c) => c.ref === chosen.value) ?? cases[0];
  const refresh = () => {
    preview.textContent = current().draft ?? "CaseDesk wrote no draft for this case.";
  };
  chosen.addEventListener("change", refresh);
  refresh();
  show(
    section(
      "Insert a draft",
      "compose-heading",
      caseField,
      preview,
      button("Insert draft", () => {
        const draft = current().draft;
        if (!draft) return announce("This case has no draft to insert.");
        void act("Inserting the draft", () => insertDraft(draft));
      }, { appearance: "primary", id: "insert-draft" }),
    ),
  );
}

async function render(api: Api, me: Me): Promise<void> {
  const mode = await currentMode();
  if (mode.kind === "read") return readMode(api, me, mode);
  if (mode.kind === "compose") return composeMode(api, mode);
  show(h("p", {}, "Select a message to see its case."));
}

async function start(): Promise<void> {
  try {
    const api = new Api(await loadConfig());
    const me = await api.me();
    await render(api, me);
    onItemChanged(() => void render(api, me).catch((error) => show(h("p", { role: "alert" }, problem(error)))));
  } catch (error) {
    show(h("p", { role: "alert", class: "error" }, problem(error)));
  }
}

Office.onReady(() => void start());
