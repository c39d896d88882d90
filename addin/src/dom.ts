// Building the pane's DOM. Every piece of text goes in through textContent or an attribute,
// never through innerHTML: a constituent's subject that is HTML or script shows as text.

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | boolean | undefined>;

export function h(tag: string, attributes: Attributes = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

export function section(title: string, id: string, ...children: Child[]): HTMLElement {
  return h("section", { "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

/** A label and value pair in a description list. */
export function facts(rows: [string, Child][]): HTMLElement {
  const list = h("dl", { class: "facts" });
  for (const [name, value] of rows) {
    list.append(h("dt", {}, name), h("dd", {}, value ?? "—"));
  }
  return list;
}

export function button(label: string, onClick: () => void, attributes: Attributes = {}): HTMLElement {
  const element = h("fluent-button", { appearance: "secondary", ...attributes }, label);
  element.addEventListener("click", onClick);
  return element;
}

export function announce(text: string): void {
  const region = document.getElementById("announcer");
  if (region) region.textContent = text;
}

const LONDON = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});

/** Times are stored in UTC and shown in Europe/London. */
export function londonTime(iso: string | null): string {
  return iso ? LONDON.format(new Date(iso)) : "—";
}

export function words(value: string): string {
  return value.replace(/_/g, " ");
}
