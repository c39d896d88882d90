"""`casedesk templates check`: every problem in an office's reply templates, with file, line and
a fix, before a single draft is written with them.

Checked, per file: Jinja syntax; unknown filters and tests; fields that are not mail-merge
fields (core.reply_templates.MERGE_FIELDS, with a did-you-mean); includes of files that do
not exist; a trial render with sample values (what the sandbox or a strict field refuses only
at run time); and the layout (a file the fallback chain can never choose, a folder that is not
a category, a file name that looks like a misspelt topic). When a rules file is given, every
`template:` it names must exist.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from jinja2 import BaseLoader, FileSystemLoader, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from casedesk.adapters.embedded.jinja_drafter import builtin_loader, template_environment
from casedesk.core.models import Category, Topic
from casedesk.core.reply_templates import (
    MERGE_FIELDS,
    NO_AUTO_DRAFT,
    SUFFIX,
    Office,
    is_partial,
    sample_values,
    template_file,
    template_name,
)

BUILT_IN_LABEL = "(built-in templates)"
TAGS = (
    "if", "elif", "else", "endif", "for", "endfor", "include", "set", "endset", "raw",
    "endraw", "macro", "endmacro", "call", "endcall", "filter", "endfilter", "with", "endwith",
)  # fmt: skip


@dataclass(frozen=True)
class TemplateProblem:
    file: str
    line: int
    message: str
    fix: str
    severity: str = "error"  # or "warning"
    in_folder: bool = True  # False: `file` is the rules file, named as given

    def render(self, folder: str) -> str:
        where = f"{folder.rstrip('/')}/{self.file}" if self.in_folder else self.file
        return f"{where}:{self.line}: {self.severity}: {self.message.rstrip('.')}. Fix: {self.fix}"


@dataclass
class CheckReport:
    folder: str
    templates: list[str]  # every file checked, relative to the folder
    problems: list[TemplateProblem]

    @property
    def errors(self) -> list[TemplateProblem]:
        return [p for p in self.problems if p.severity == "error"]


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def _syntax_fix(exc: TemplateSyntaxError) -> str:
    text = exc.message or ""
    unknown = re.search(r"unknown tag '(\w+)'", text)
    if unknown:
        return f"{_suggest(unknown[1], TAGS)}tags are {{% if %}}, {{% for %}}, {{% include %}}, ..."
    closing = re.search(r"innermost block that needs to be closed is '(\w+)'", text)
    if closing:
        return f"close the block with {{% end{closing[1]} %}}"
    return "check that every {{ has its }} and every {% has its %} on this line"


class _Checker:
    def __init__(self, folder: Path | None, loader: BaseLoader, now: datetime) -> None:
        self.folder = folder
        self.loader = loader
        self.env: ImmutableSandboxedEnvironment = template_environment(folder)
        self.files = sorted(loader.list_templates())
        self.available = set(self.files) | set(builtin_loader().list_templates())
        self.values = sample_values(
            Office("Office of the MP", "the MP", "the constituency", ""), now
        )
        self.problems: list[TemplateProblem] = []

    def add(self, file: str, line: int, message: str, fix: str, severity: str = "error") -> None:
        self.problems.append(TemplateProblem(file, line, message, fix, severity))

    def source(self, file: str) -> str:
        text, _, _ = self.loader.get_source(self.env, file)
        return text

    def run(self) -> None:
        for file in self.files:
            if self.layout(file):
                self.check_file(file)

    def layout(self, file: str) -> bool:
        """Warn about files the chain cannot choose; True when the file is a template at all."""
        if not file.endswith(SUFFIX):
            if file.endswith(".j2"):
                stem = file[: -len(".j2")]
                self.add(file, 1, "not used: reply templates end in .txt.j2",
                         f"rename it to {stem}{SUFFIX}", "warning")  # fmt: skip
            return False
        parts = template_name(file).split("/")
        if len(parts) == 2 and not is_partial(file):
            folder, stem = parts
            categories = [c.value for c in Category]
            topics = [t.value for t in Topic]
            if folder not in categories:
                self.add(file, 1, f"{folder!r} is not a category, so this file is only used when "
                         "a rule names it", f"{_suggest(folder, categories)}category folders are "
                         f"{', '.join(categories)}", "warning")  # fmt: skip
            elif stem not in topics and _suggest(stem, topics):
                self.add(file, 1, f"{stem!r} is not a topic, so this file is only used when a "
                         "rule names it", f"{_suggest(stem, topics)}topics are {', '.join(topics)}",
                         "warning")  # fmt: skip
        first = parts[0]
        if first in {c.value for c in NO_AUTO_DRAFT}:
            self.add(file, 1, f"{first} mail never gets an automatic draft",
                     "keep it only as a template staff pick by hand (casedesk draft REF "
                     "--template NAME)", "warning")  # fmt: skip
        return True

    def check_file(self, file: str) -> None:
        text = self.source(file)
        try:
            tree = self.env.parse(text, name=file)
        except TemplateSyntaxError as exc:
            self.add(file, exc.lineno, f"syntax: {exc.message}", _syntax_fix(exc))
            return
        try:
            self.env.compile(tree, name=file)  # unknown filters and tests fail here
        except TemplateSyntaxError as exc:
            name = re.search(r"named '(\w+)'", exc.message or "")
            kind = "filter" if "filter" in (exc.message or "") else "test"
            known = self.env.filters if kind == "filter" else self.env.tests
            fix = _suggest(name[1], known) if name else ""
            self.add(file, exc.lineno, exc.message or "cannot compile",
                     f"{fix}see https://jinja.palletsprojects.com/en/stable/templates/#list-of-builtin-filters")  # fmt: skip
            return
        unknown_fields = self.fields(file, tree)
        missing_includes = self.includes(file, tree)
        if not unknown_fields and not missing_includes and not is_partial(file):
            self.try_render(file)

    def fields(self, file: str, tree: nodes.Template) -> bool:
        assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
        reported: set[tuple[str, int]] = set()
        for name in tree.find_all(nodes.Name):
            if name.ctx != "load" or name.name in MERGE_FIELDS or name.name in assigned:
                continue
            if name.name in ("loop", "range", "true", "false", "none", "True", "False", "None"):
                continue
            key = (name.name, name.lineno)
            if key in reported:
                continue
            reported.add(key)
            self.add(file, name.lineno, f"unknown field {name.name!r}",
                     f"{_suggest(name.name, MERGE_FIELDS)}fields are listed in docs/replies.md "
                     "(casedesk templates check --json lists them too)")  # fmt: skip
        return bool(reported)

    def includes(self, file: str, tree: nodes.Template) -> bool:
        missing = False
        for node in tree.find_all((nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
            target = getattr(node, "template", None)
            if not isinstance(target, nodes.Const) or not isinstance(target.value, str):
                continue
            if target.value not in self.available:
                missing = True
                self.add(file, node.lineno, f"includes {target.value!r}, which does not exist",
                         f"{_suggest(target.value, self.available)}partials are files whose name "
                         "starts with _ (e.g. _signature.txt.j2)")  # fmt: skip
        return missing

    def try_render(self, file: str) -> None:
        try:
            self.env.get_template(file).render(self.values)
        except TemplateError as exc:
            self.add(file, _render_line(exc.__traceback__, file), f"fails when rendered: {exc}",
                     "use only merge fields and simple filters; the sandbox refuses attribute "
                     "and method access on values")  # fmt: skip


def _frames(tb: TracebackType | None) -> Iterator[TracebackType]:
    while tb is not None:
        yield tb
        tb = tb.tb_next


def _render_line(tb: TracebackType | None, file: str) -> int:
    """The template line a render error came from (Jinja rewrites tracebacks to point there)."""
    lines = [
        t.tb_lineno
        for t in _frames(tb)
        if t.tb_frame.f_code.co_filename.replace("\\", "/").endswith(file)
        or t.tb_frame.f_code.co_filename == "<template>"
    ]
    return lines[-1] if lines else 1


def check_templates(
    folder: Path | None,
    now: datetime,
    rule_templates: Iterable[tuple[str, int, str]] = (),
) -> CheckReport:
    """Check the office's folder (the built-in set when None). rule_templates: (rules file,
    line, template name) for each rule's `template:`, which must exist in folder or built-ins."""
    loader: BaseLoader = FileSystemLoader(str(folder)) if folder is not None else builtin_loader()
    checker = _Checker(folder, loader, now)
    checker.run()
    for source, line, name in rule_templates:
        wanted = template_file(name)
        if wanted not in checker.available or is_partial(wanted):
            names = sorted(template_name(f) for f in checker.available if not is_partial(f))
            checker.problems.append(TemplateProblem(
                source, line, f"rule names template {name!r}, which does not exist",
                f"{_suggest(name, names)}add {wanted} to the templates folder, or use one of: "
                f"{', '.join(names)}", in_folder=False))  # fmt: skip
    label = str(folder) if folder is not None else BUILT_IN_LABEL
    return CheckReport(label, checker.files, checker.problems)
