// The few Office.js mailbox calls the pane makes, as promises.
// Read mode: item.internetMessageId (Mailbox 1.1), item.displayReplyForm (1.1).
// Compose mode: item.to / item.subject getAsync (1.1), body.setSelectedDataAsync (1.2).

export type Mode =
  | { kind: "read"; internetMessageId: string; itemId: string }
  | { kind: "compose"; to: string; subject: string }
  | { kind: "none" };

function settle<T>(call: (done: (r: Office.AsyncResult<T>) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    call((result) => {
      if (result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value);
      else reject(new Error(result.error?.message ?? "Outlook refused the request"));
    });
  });
}

export async function currentMode(): Promise<Mode> {
  const item = Office.context.mailbox?.item;
  if (!item) return { kind: "none" };
  const read = item as Office.MessageRead;
  if (typeof read.internetMessageId === "string" && read.internetMessageId) {
    return { kind: "read", internetMessageId: read.internetMessageId, itemId: read.itemId ?? "" };
  }
  const compose = item as Office.MessageCompose;
  if (compose.to && typeof compose.to.getAsync === "function") {
    const [to, subject] = await Promise.all([
      settle<Office.EmailAddressDetails[]>((done) => compose.to.getAsync(done)),
      settle<string>((done) => compose.subject.getAsync(done)),
    ]);
    return { kind: "compose", to: to[0]?.emailAddress ?? "", subject };
  }
  return { kind: "none" };
}

/**
 * Read mode: the open message as Base64 EML (item.getAsFileAsync, Mailbox 1.14, read item
 * permission), or null where this Outlook has no such call (then CaseDesk fetches it itself).
 */
export async function messageAsEml(): Promise<string | null> {
  if (!Office.context.requirements.isSetSupported("Mailbox", "1.14")) return null;
  const item = Office.context.mailbox.item as Office.MessageRead;
  return settle<string>((done) => item.getAsFileAsync(done));
}

export function mailboxAddress(): string {
  return Office.context.mailbox?.userProfile?.emailAddress ?? "";
}

export function restItemId(itemId: string): string {
  if (!itemId) return "";
  return Office.context.mailbox.convertToRestId(itemId, Office.MailboxEnums.RestVersion.v2_0);
}

/** Plain text as the HTML body of a reply: escaped, never interpreted. */
export function textAsHtml(text: string): string {
  const escaped = text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
  return escaped.split("\n").join("<br>");
}

/** Read mode: open Outlook's reply form with the draft in it (nothing is sent). */
export function replyWithDraft(text: string): void {
  (Office.context.mailbox.item as Office.MessageRead).displayReplyForm({ htmlBody: textAsHtml(text) });
}

/** Compose mode: put the draft where the cursor is, as plain text. */
export function insertDraft(text: string): Promise<void> {
  const item = Office.context.mailbox.item as Office.MessageCompose;
  return settle<void>((done) =>
    item.body.setSelectedDataAsync(text, { coercionType: Office.CoercionType.Text }, done),
  );
}

/** A pinned pane follows the selection: re-render when the user picks another message. */
export function onItemChanged(handler: () => void): void {
  const mailbox = Office.context.mailbox;
  if (mailbox && typeof mailbox.addHandlerAsync === "function") {
    mailbox.addHandlerAsync(Office.EventType.ItemChanged, handler);
  }
}
