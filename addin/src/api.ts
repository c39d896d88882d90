// The CaseDesk API, same origin as the pane (/addin/ locally, /api/addin/pane/ on Functions).
// Responses are never cached (the server says no-store; fetch is told the same).

import { apiToken, type AuthConfig } from "./auth";

const BASE = "/api/addin/";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Person {
  id: string;
  name: string;
}

export interface Me {
  member: Person & { role: string };
  choices: { categories: string[]; topics: string[] };
  people: Person[];
  limits: { message_bytes: number };
}

/** The open message, as the pane can hand it over: its bytes, or where CaseDesk can fetch it. */
export type MessageSource = { eml: string } | { mailbox: string; itemId: string };

export interface CaseSummary {
  ref: string;
  subject: string;
  status: string;
  category: string;
  updated_at: string;
}

export interface CaseView {
  found: true;
  case: {
    ref: string;
    subject: string;
    status: string;
    category: string;
    topic: string;
    urgent: boolean;
    flags: string[];
    priority: string;
    due_at: string | null;
    assignee: string | null;
    assignee_name: string | null;
    signoff_required: boolean;
    constituent: { name: string; email: string; postcode: string | null; ward: string | null };
  };
  triage: {
    category: string;
    topic: string;
    urgent: boolean;
    confidence: number;
    reasons: string[];
    classifier: string;
  } | null;
  campaign: { id: string; name: string; size: number } | null;
  other_cases: CaseSummary[];
  draft: string | null;
  folder: { location: string; url: string | null };
}

export type MessageAnswer = CaseView | { found: false };

async function parse<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new ApiError(
      response.status,
      String(body.error ?? "error"),
      String(body.message ?? `CaseDesk answered ${response.status}`),
    );
  }
  return body as T;
}

export async function loadConfig(): Promise<AuthConfig> {
  return parse<AuthConfig>(await fetch(BASE + "config", { cache: "no-store" }));
}

export class Api {
  constructor(private readonly config: AuthConfig) {}

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const token = await apiToken(this.config);
    const response = await fetch(BASE + path, {
      method,
      cache: "no-store",
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return parse<T>(response);
  }

  me(): Promise<Me> {
    return this.call("GET", "me");
  }

  // Lookups are POSTs: addresses, subjects and message ids stay out of URLs (and so out of logs).
  message(internetMessageId: string): Promise<MessageAnswer> {
    return this.call("POST", "message", { internetMessageId });
  }

  compose(to: string, subject: string): Promise<{ cases: (CaseSummary & { draft: string | null })[] }> {
    return this.call("POST", "compose", { to, subject });
  }

  correct(ref: string, category: string, topic: string): Promise<{ after: Record<string, unknown> }> {
    return this.call("POST", "correct", { ref, category, topic });
  }

  claim(ref: string): Promise<unknown> {
    return this.call("POST", "claim", { ref });
  }

  assign(ref: string, assignee: string): Promise<unknown> {
    return this.call("POST", "assign", { ref, assignee });
  }

  note(ref: string, text: string): Promise<unknown> {
    return this.call("POST", "note", { ref, text });
  }

  create(source: MessageSource): Promise<CaseView & { outcome: string }> {
    return this.call("POST", "create", source);
  }
}
