"""Drafter from Jinja2 templates the office can edit: <category>.j2, falling back to other.j2."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from casedesk.core.models import Case, Category, Draft, ParsedMessage
from casedesk.ports import Clock

LONDON = ZoneInfo("Europe/London")
NO_REPLY = frozenset({Category.SPAM, Category.ABUSE})


def salutation(name: str) -> str:
    """'Dear Priya Shah' from a display name; 'Dear constituent' when there is none."""
    cleaned = " ".join(name.replace('"', "").split())
    if not cleaned or "@" in cleaned:
        return "Dear constituent"
    if "," in cleaned:  # "Shah, Priya" as Outlook often writes it
        last, _, first = cleaned.partition(",")
        cleaned = f"{first.strip()} {last.strip()}"
    return f"Dear {cleaned}"


class JinjaDrafter:
    def __init__(
        self,
        office_name: str,
        mp_name: str,
        constituency: str,
        clock: Clock,
        templates_dir: Path | None = None,
    ) -> None:
        loaders: list[FileSystemLoader | PackageLoader] = []
        if templates_dir is not None:
            loaders.append(FileSystemLoader(str(templates_dir)))
        loaders.append(PackageLoader("casedesk", "templates/drafts"))
        # Sandboxed and strict: templates are office-edited files; a typo must fail loudly.
        self.env = SandboxedEnvironment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
        )
        self.office_name, self.mp_name, self.clock = office_name, mp_name, clock
        self.constituency = constituency

    def template_for(self, category: Category) -> str:
        name = f"{category.value}.j2"
        try:
            self.env.get_template(name)
        except TemplateNotFound:
            return "other.j2"
        return name

    def draft(self, case: Case, message: ParsedMessage) -> Draft | None:
        if case.category in NO_REPLY:
            return None
        name = self.template_for(case.category)
        subject = message.subject or case.subject
        body = self.env.get_template(name).render(
            salutation=salutation(case.constituent_name),
            constituent_name=case.constituent_name,
            case_ref=case.ref,
            subject=subject,
            summary=case.summary,
            category=case.category.value,
            topic=case.topic.value,
            is_urgent=case.is_urgent,
            office_name=self.office_name,
            mp_name=self.mp_name,
            constituency=self.constituency,
            today=self.clock.now().astimezone(LONDON).strftime("%-d %B %Y"),
        )
        reply_subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        return Draft(subject=reply_subject, body=body, template=name)
