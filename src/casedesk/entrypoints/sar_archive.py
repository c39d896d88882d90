"""A subject access bundle as a zip: index.html for the staffer, index.json for scripts, and
every file at its path in the case store. Everything from a letter is HTML-escaped: what a
constituent wrote is untrusted and must not run or reshape the page."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from html import escape
from pathlib import Path
from urllib.parse import quote

from casedesk.core.sar import HAND_BACK, TRANSFER, SarBundle
from casedesk.entrypoints.render import local

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; line-height: 1.45;
       padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
.warn { background: #fff4ce; border-left: 4px solid #c19c00; padding: .6rem 1rem; }
.none { color: #666; } code { font-size: .9em; word-break: break-all; }
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _link(path: str) -> str:
    return f'<a href="{_e(quote(path))}"><code>{_e(path)}</code></a>'


# (page title, heading) by what the bundle is for; subject access otherwise.
_TITLES = {
    TRANSFER: (
        "Case transfer to the successor MP: bundle for review",
        "Case transfer to the successor MP (with the constituent's consent)",
    ),
    HAND_BACK: (
        "Case file for the constituent: bundle for review",
        "Case file handed back to the constituent",
    ),
}
_SAR_TITLES = (
    "Subject access request: bundle for review",
    "Subject access request: what the office holds",
)


def render_index_html(bundle: SarBundle) -> str:
    """The page a staffer opens first: who, what, and what to check before sending."""
    p = bundle.person
    title, heading = _TITLES.get(bundle.purpose, _SAR_TITLES)
    review = bundle.third_party
    not_scanned = [f for f in bundle.files if not f.scanned]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_e(heading)}</h1>",
        '<p class="warn"><strong>Not ready to send.</strong> A member of staff must work '
        "through <em>Check before sending</em> first. This bundle holds other people's "
        "details until they are redacted.</p>",
        "<table>",
        f"<tr><th>About</th><td>{_e(p.name if p and p.name else '(no name recorded)')}</td></tr>",
        f"<tr><th>Email address</th><td>{_e(bundle.email)}</td></tr>",
        f"<tr><th>Postcode</th><td>{_e(p.postcode if p and p.postcode else '(none recorded)')}</td></tr>",
        f"<tr><th>Prepared</th><td>{_e(local(bundle.generated_at))} by {_e(bundle.generated_by)}"
        f" for {_e(bundle.office)}</td></tr>",
        "</table>",
    ]
    if not bundle.holds_anything:
        parts.append(
            "<p><strong>CaseDesk holds nothing about this address.</strong> Check the office "
            "mailboxes and any paper files before replying that nothing is held.</p>"
        )
    parts += [
        "<h2>Check before sending</h2><ol>",
        f"<li>Redact the {len(review)} other people's details listed under <em>Other people's "
        "details found</em>, unless they agreed, or it is reasonable to disclose them without "
        "their agreement.</li>",
        "<li>Read every letter and reply: names of other people written in the text are "
        "<strong>not</strong> detected automatically.</li>",
        f"<li>Open the {len(not_scanned)} files marked <em>not scanned</em> (PDFs, images, "
        "documents) and check them by hand.</li>",
        "<li>Remove anything covered by an exemption, and note why.</li>",
    ]
    if bundle.mentioned_in:
        parts.append(
            "<li>Other people's cases mention this address or full name: "
            + ", ".join(f"<code>{_e(r)}</code>" for r in bundle.mentioned_in)
            + ". They are <strong>not</strong> in this bundle; decide what to disclose from them.</li>"
        )
    quarantined = [f for f in bundle.files if f.kind == "quarantined"]
    if quarantined:
        parts.append(
            f"<li>{len(quarantined)} quarantined file(s) (mail CaseDesk could not read) contain "
            "this address: check whether each is theirs before including it.</li>"
        )
    if bundle.missing:
        parts.append(
            f"<li>{len(bundle.missing)} files named in the records could not be found in the "
            "case store; they are listed at the end. Look for them before replying.</li>"
        )
    parts.append("</ol>")
    parts.append(f"<h2>Other people's details found ({len(review)})</h2>")
    if review:
        parts.append("<table><tr><th>What</th><th>Value</th><th>Found in</th></tr>")
        for item in review:
            files = "<br>".join(_link(path) for path in item["files"])
            parts.append(
                f"<tr><td>{_e(item['kind'])}</td><td><code>{_e(item['value'])}</code></td>"
                f"<td>{files}</td></tr>"
            )
        parts.append("</table>")
        parts.append(
            '<p class="none">Phone numbers are all listed: the requester\'s own cannot be told '
            "apart from other people's.</p>"
        )
    else:
        parts.append('<p class="none">None detected. Still read every letter.</p>')
    parts.append(f"<h2>Cases ({len(bundle.cases)})</h2>")
    if bundle.cases:
        parts.append(
            "<table><tr><th>Case</th><th>Subject</th><th>Kind</th><th>Status</th>"
            "<th>Opened</th><th>Last message</th></tr>"
        )
        for c in bundle.cases:
            parts.append(
                f"<tr><td><code>{_e(c.ref)}</code></td><td>{_e(c.subject)}</td>"
                f"<td>{_e(c.category.value)}</td><td>{_e(c.status.value)}</td>"
                f"<td>{_e(local(c.created_at))}</td><td>{_e(local(c.updated_at))}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append('<p class="none">No cases.</p>')
    if bundle.other_cases:
        parts.append("<h2>Their messages in other people's cases</h2><ul>")
        for ref, ids in sorted(bundle.other_cases.items()):
            parts.append(
                f"<li><code>{_e(ref)}</code>: {len(ids)} message(s); only their own messages "
                "are included, not the rest of that case</li>"
            )
        parts.append("</ul>")
    parts.append(f"<h2>Files in this bundle ({len(bundle.files)})</h2>")
    parts.append(
        "<table><tr><th>File</th><th>What it is</th><th>Case</th><th>Size</th>"
        "<th>Checked for other people's details</th></tr>"
    )
    for f in bundle.files:
        checked = (
            (f"{len(f.third_party)} to review" if f.third_party else "nothing found")
            if f.scanned
            else "<strong>not scanned: check by hand</strong>"
        )
        parts.append(
            f"<tr><td>{_link(f.path)}</td><td>{_e(f.kind)}</td><td>{_e(f.case_ref or '')}</td>"
            f"<td>{len(f.data):,} bytes</td><td>{checked}</td></tr>"
        )
    parts.append("</table>")
    parts.append(
        f"<h2>Audit entries ({len(bundle.audit)})</h2><p>What CaseDesk and staff did with "
        "their cases and messages, in <code>records/audit.json</code>. Staff names appear as "
        "the people who acted.</p>"
    )
    parts.append(
        "<h2>Not in this bundle</h2><ul>"
        "<li>Copies of the same emails in the office mailboxes in Outlook, and replies sent "
        "from Outlook: search the mailboxes for the address.</li>"
        "<li>Paper files, phone notes and anything kept outside CaseDesk.</li></ul>"
    )
    if bundle.missing:
        parts.append("<h2>Named in the records but not found</h2><ul>")
        parts += [f"<li><code>{_e(m)}</code></li>" for m in bundle.missing]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_archive(bundle: SarBundle, target: Path) -> str:
    """Write the zip (owner-only permissions, via a temporary file); its sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("index.html", render_index_html(bundle))
            z.writestr("index.json", json.dumps(bundle.index(), indent=2, ensure_ascii=False))
            for f in bundle.files:
                z.writestr(f.path, f.data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return hashlib.sha256(target.read_bytes()).hexdigest()
