"""Drafter from Jinja2 templates the office owns, with the built-in set behind them.

Which file answers a case: core.reply_templates.template_chain (docs/replies.md), tried in the
office's folder first and then in the built-in set, so an office that writes its own
casework.txt.j2 gets it for every casework case, and one that only edits _signature.txt.j2
gets the built-in letters with its own signature.

The environment is sandboxed (templates are files people edit) and strict (a misspelt field
fails loudly instead of printing nothing). Constituent text reaches a template only as the
value of a field, which Jinja prints and never evaluates. An office template that fails to
render is reported in the log and the built-in one is used, so a typo never stops triage.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from casedesk.core.models import Case, Draft, ParsedMessage, StoredMessage
from casedesk.core.reply_templates import (
    NO_AUTO_DRAFT,
    Office,
    StaffMember,
    inert,
    is_partial,
    merge_values,
    reply_subject,
    template_chain,
    template_file,
)
from casedesk.errors import CaseDeskError
from casedesk.ports import Clock

log = logging.getLogger("casedesk.drafts")
BUILT_IN = "built-in:"


def builtin_loader() -> PackageLoader:
    return PackageLoader("casedesk", "templates/drafts")


def template_environment(templates_dir: Path | None) -> ImmutableSandboxedEnvironment:
    """The one environment drafting and `casedesk templates check` share."""
    loaders: list[BaseLoader] = []
    if templates_dir is not None:
        loaders.append(FileSystemLoader(str(templates_dir)))
    loaders.append(builtin_loader())
    return ImmutableSandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,  # plain-text mail: what the template says is what is sent
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class UnknownTemplateError(CaseDeskError):
    """A template asked for by name does not exist."""


class JinjaDrafter:
    calls_a_model = False  # templates in this process: milliseconds

    def __init__(
        self,
        office_name: str,
        mp_name: str,
        constituency: str,
        clock: Clock,
        templates_dir: Path | None = None,
        office_email: str = "",
        staff: Mapping[str, StaffMember] | None = None,
    ) -> None:
        self.office = Office(office_name, mp_name, constituency, office_email)
        self.clock = clock
        self.staff = dict(staff or {})
        self.env = template_environment(templates_dir)
        self.builtin_env = template_environment(None)
        self._office_files = (
            set(FileSystemLoader(str(templates_dir)).list_templates())
            if templates_dir is not None and templates_dir.is_dir()
            else set()
        )
        self._builtin_files = set(builtin_loader().list_templates())

    def choose(self, case: Case, template: str | None = None) -> str:
        """The file that answers this case: the office's copy of the first name in the chain,
        else the built-in one. A named template that exists nowhere is skipped."""
        chain = [
            f for f in template_chain(case.category, case.topic, template) if not is_partial(f)
        ]
        for files in (self._office_files, self._builtin_files):
            for name in chain:
                if name in files:
                    return name
        return chain[-1]

    def draft(
        self,
        case: Case,
        message: ParsedMessage | StoredMessage,
        template: str | None = None,
        chosen_by_staff: bool = False,
        overrides: Mapping[str, object] | None = None,
    ) -> Draft | None:
        """overrides: merge values to print instead (the AI drafter's placeholders for the
        constituent's details, so the copy the model sees names nobody)."""
        if case.category in NO_AUTO_DRAFT and not chosen_by_staff:
            return None
        if chosen_by_staff and template:
            wanted = template_file(template)
            if wanted not in self._office_files | self._builtin_files or is_partial(wanted):
                raise UnknownTemplateError(
                    f"no template {template!r}; `casedesk templates check` lists the ones there are"
                )
        name = self.choose(case, template)
        subject = message.subject or case.subject
        values = merge_values(
            case, subject, message.sent_at, self.clock.now(), self.office, self.staff
        ) | dict(overrides or {})
        try:
            body = self.env.get_template(name).render(values)
        except TemplateError as exc:
            if name not in self._office_files:
                raise
            # The office's file is broken: say so (no constituent text) and use the built-in.
            log.warning(
                "office template failed; using the built-in one",
                extra={"event": "draft.template_failed", "template": name,
                       "error": f"{type(exc).__name__}: {exc}"[:200]},
            )  # fmt: skip
            name = self._builtin_choice(case, template)
            body = self.builtin_env.get_template(name).render(values)
            name = BUILT_IN + name
        return Draft(subject=reply_subject(subject), body=body, template=name)

    def _builtin_choice(self, case: Case, template: str | None) -> str:
        for name in template_chain(case.category, case.topic, template):
            if name in self._builtin_files and not is_partial(name):
                return name
        raise TemplateNotFound("default.txt.j2")

    # --- mailings (LetterTemplates): campaign replies and follow-ups ---------------------------

    def source(self, template: str) -> tuple[str, str]:
        """The file a named template resolves to (the office's, else built-in) and its text:
        what a mailing's sign-off covers."""
        wanted = template_file(template)
        if is_partial(wanted):
            raise UnknownTemplateError(f"{template!r} is a partial (its name starts with _)")
        env = self.env if wanted in self._office_files | self._builtin_files else None
        if env is None or env.loader is None:
            raise UnknownTemplateError(
                f"no template {template!r}; `casedesk templates check` lists the ones there are "
                "(campaign-reply and follow-up are built in)"
            )
        text, _, _ = env.loader.get_source(env, wanted)
        origin = wanted if wanted in self._office_files else BUILT_IN + wanted
        return origin, text

    def merge(
        self,
        case: Case,
        subject: str,
        written_at: datetime | None,
        template: str,
        extra: Mapping[str, str],
    ) -> str:
        """One constituent's copy; a template that fails to render stops the mailing (it was
        previewed and signed off, so no fallback is silently used)."""
        values = merge_values(case, subject, written_at, self.clock.now(), self.office, self.staff)
        values.update({k: inert(v) for k, v in extra.items() if k in values})
        return self.env.get_template(template_file(template)).render(values)
