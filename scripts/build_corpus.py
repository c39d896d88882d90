#!/usr/bin/env python3
"""Build corpus/triage.jsonl, the labelled CaseDesk triage corpus, from corpus/sources/.

Standard library only and deterministic: the same sources always give the same file.

    python scripts/build_corpus.py            # write corpus/triage.jsonl and corpus/sources/SOURCES.md
    python scripts/build_corpus.py --check    # build in memory, validate, print counts, write nothing

Inputs (see corpus/README.md for the provenance rules):
  corpus/sources/adapted/*.txt          hand-adapted items, one block per item, each naming its source
  corpus/sources/raw/campaign_templates.txt   real published "write to your MP" templates
  corpus/sources/raw/spamassassin/      spam messages from the SpamAssassin public corpus
  corpus/sources/raw/sisimai/           bounces and auto-replies from sisimai/set-of-emails

Personal details are invented here: names, reserved example-domain addresses (RFC 2606 / RFC 6761),
Ofcom drama phone numbers (07700 900xxx) and postcodes in the non-existent area "ZX".
"""

from __future__ import annotations

import argparse
import email
import json
import random
import re
import sys
from collections import Counter, defaultdict
from email import policy
from pathlib import Path

SEED = 20251116
DEV_SHARE = 0.25

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SOURCES = CORPUS / "sources"
OUT = CORPUS / "triage.jsonl"
SOURCES_MD = SOURCES / "SOURCES.md"

LABELS = ["casework", "campaign", "policy", "invitation", "press", "abuse", "spam", "other"]
TOPICS = [
    "housing",
    "benefits",
    "immigration",
    "health",
    "social_care",
    "education",
    "police_crime",
    "transport",
    "environment_planning",
    "council_services",
    "tax",
    "employment",
    "consumer_utilities",
    "international",
    "animal_welfare",
    "other",
]
WRITTEN = "written for CaseDesk"

SA_REPO = "stdlib-js/datasets-spam-assassin"
SA_COMMIT = "1b84d49ab4b28092ead009b3ceeb67ae525289d1"
SA_LICENCE = "CC0-1.0 (corpus contents as redistributed by stdlib-js; originally the Apache SpamAssassin public corpus)"
SIS_REPO = "sisimai/set-of-emails"
SIS_COMMIT = "18e585c22288b83c1f6943949cb86b2623b362ce"
SIS_LICENCE = "BSD-2-Clause"

# ---------------------------------------------------------------------------------------------
# Invented people and places
# ---------------------------------------------------------------------------------------------

FIRST = [
    "Aisha",
    "Alan",
    "Amelia",
    "Amir",
    "Andrew",
    "Angela",
    "Anil",
    "Ann",
    "Barbara",
    "Bethany",
    "Bilal",
    "Brian",
    "Callum",
    "Carol",
    "Chen",
    "Chloe",
    "Chidi",
    "Claire",
    "Colin",
    "Craig",
    "Daniel",
    "Darren",
    "Deborah",
    "Declan",
    "Deepa",
    "Denise",
    "Derek",
    "Dylan",
    "Eilidh",
    "Elaine",
    "Eleanor",
    "Emeka",
    "Emma",
    "Fatima",
    "Fiona",
    "Gareth",
    "Gemma",
    "Gillian",
    "Graham",
    "Hannah",
    "Harpreet",
    "Hassan",
    "Helen",
    "Ian",
    "Imran",
    "Irene",
    "Jack",
    "Jade",
    "Jagdeep",
    "James",
    "Janet",
    "Jason",
    "Jennifer",
    "Joanne",
    "John",
    "Joseph",
    "Julie",
    "Karen",
    "Kayleigh",
    "Keith",
    "Kemi",
    "Kevin",
    "Kirsty",
    "Krzysztof",
    "Laura",
    "Leanne",
    "Lee",
    "Leon",
    "Lesley",
    "Liam",
    "Linda",
    "Lorraine",
    "Lucy",
    "Maggie",
    "Mandeep",
    "Marek",
    "Margaret",
    "Mark",
    "Martin",
    "Maryam",
    "Michelle",
    "Mohammed",
    "Nadia",
    "Natalie",
    "Neil",
    "Nicola",
    "Niamh",
    "Nkechi",
    "Oliver",
    "Olu",
    "Owen",
    "Patricia",
    "Paul",
    "Pauline",
    "Peter",
    "Priya",
    "Rachel",
    "Rajesh",
    "Rebecca",
    "Rhys",
    "Richard",
    "Robert",
    "Rosa",
    "Ruth",
    "Ryan",
    "Samina",
    "Samuel",
    "Sandra",
    "Sarah",
    "Sean",
    "Shabana",
    "Sharon",
    "Sian",
    "Simon",
    "Sophie",
    "Stephen",
    "Stuart",
    "Susan",
    "Tanya",
    "Teresa",
    "Thomas",
    "Tomasz",
    "Tracey",
    "Tyrone",
    "Usman",
    "Valerie",
    "Victoria",
    "Wayne",
    "Wendy",
    "Yusuf",
    "Zara",
    "Zoe",
]
LAST = [
    "Abbott",
    "Adeyemi",
    "Ahmed",
    "Ali",
    "Allen",
    "Anderson",
    "Armstrong",
    "Atkinson",
    "Bailey",
    "Baker",
    "Banks",
    "Barker",
    "Begum",
    "Bennett",
    "Bhatti",
    "Bird",
    "Bradley",
    "Brennan",
    "Brown",
    "Butler",
    "Campbell",
    "Carter",
    "Chapman",
    "Chaudhry",
    "Clarke",
    "Cole",
    "Collins",
    "Cooper",
    "Cox",
    "Davies",
    "Dawson",
    "Doherty",
    "Douglas",
    "Dunn",
    "Edwards",
    "Ellis",
    "Evans",
    "Farrell",
    "Fisher",
    "Fletcher",
    "Foster",
    "Fraser",
    "Gallagher",
    "Gill",
    "Gordon",
    "Graham",
    "Grant",
    "Green",
    "Griffiths",
    "Hall",
    "Harris",
    "Hartley",
    "Hayes",
    "Hill",
    "Holmes",
    "Hughes",
    "Hussain",
    "Iqbal",
    "Jackson",
    "James",
    "Jenkins",
    "Johnson",
    "Jones",
    "Kaur",
    "Kelly",
    "Khan",
    "Kowalski",
    "Lewis",
    "Lloyd",
    "Lynch",
    "Malik",
    "Marshall",
    "Mason",
    "McDonald",
    "McLean",
    "Mensah",
    "Miller",
    "Mitchell",
    "Moore",
    "Morgan",
    "Murphy",
    "Nowak",
    "Nwosu",
    "Obi",
    "O'Brien",
    "Okafor",
    "Owen",
    "Parker",
    "Patel",
    "Pearson",
    "Phillips",
    "Price",
    "Rahman",
    "Reid",
    "Reynolds",
    "Richards",
    "Roberts",
    "Robinson",
    "Rogers",
    "Ross",
    "Russell",
    "Scott",
    "Shah",
    "Sharma",
    "Shaw",
    "Simpson",
    "Singh",
    "Smith",
    "Stewart",
    "Sullivan",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Walsh",
    "Ward",
    "Watson",
    "White",
    "Wilkinson",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Yilmaz",
    "Young",
]
TOWNS = [
    "Ashby Vale",
    "Brackenford",
    "Castlemere",
    "Dunholm",
    "Eastwick Green",
    "Fairley",
    "Gorsebrook",
    "Hallowell",
    "Ivybridge End",
    "Kingsmoor",
    "Lindenhurst",
    "Marshfield Row",
    "Northcote",
    "Oakhampton Cross",
    "Pelham",
    "Queensbury Lea",
    "Redwater",
    "Saltcombe",
    "Thornbury Heath",
    "Upton Magna",
    "Westerleigh",
    "Yardley Chase",
]
STREETS = [
    "Elm Road",
    "Station Road",
    "Church Lane",
    "Victoria Street",
    "Mill Lane",
    "Park Avenue",
    "Queen's Road",
    "Orchard Close",
    "Meadow Way",
    "High Street",
    "Windsor Crescent",
    "Beech Grove",
    "Chapel Street",
    "Albert Terrace",
    "Willow Court",
]
MP_NAMES = [
    ("Helen", "Ashworth", "Ms"),
    ("David", "Okonjo", "Mr"),
    ("Priya", "Raman", "Ms"),
    ("Gareth", "Lloyd-Price", "Mr"),
    ("Catherine", "Muir", "Mrs"),
    ("Tom", "Hargreaves", "Mr"),
    ("Amina", "Yusuf", "Dr"),
    ("Richard", "Pemberton", "Sir"),
]
MAIL_DOMAINS = [
    "example.org",
    "example.com",
    "example.net",
    "mail.example",
    "inbox.example",
    "post.example",
]


def person(rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    local_style = rng.randrange(6)
    lf, ll = first.lower(), re.sub(r"[^a-z]", "", last.lower())
    local = [
        f"{lf}.{ll}",
        f"{lf}{ll}{rng.randrange(10, 99)}",
        f"{lf[0]}{ll}",
        f"{lf}_{ll}",
        f"{ll}.{lf}",
        f"{lf}{rng.randrange(1950, 2005)}",
    ][local_style]
    mp_first, mp_last, mp_title = rng.choice(MP_NAMES)
    town = rng.choice(TOWNS)
    postcode = f"ZX{rng.randrange(1, 20)} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXY')}{rng.choice('ABDEFGHJLNPQRSTUWXY')}"
    return {
        "first": first,
        "last": last,
        "name": f"{first} {last}",
        "email": f"{local}@{rng.choice(MAIL_DOMAINS)}",
        "town": town,
        "address": f"{rng.randrange(1, 140)} {rng.choice(STREETS)}, {town} {postcode}",
        "phone": f"07700 900{rng.randrange(0, 1000):03d}",
        "mp": rng.choice(
            [
                f"{mp_title} {mp_last}",
                f"{mp_first} {mp_last}",
                f"{mp_first}",
                f"{mp_title} {mp_last}",
            ]
        ),
        "mp_full": f"{mp_first} {mp_last}",
        "mp_first": mp_first,
    }


def fill(text: str, who: dict[str, str]) -> str:
    for key in ("mp_first", "mp_full", "mp", "name", "first", "last", "address", "phone", "town"):
        text = text.replace("{" + key + "}", who[key])
    return text


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())[:24] or "news"


# ---------------------------------------------------------------------------------------------
# Addresses and links in third-party text: keep them only on reserved example domains
# ---------------------------------------------------------------------------------------------

RESERVED = re.compile(r"(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$", re.I)
EMAIL_RE = re.compile(r"([A-Za-z0-9._%+=-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
URL_RE = re.compile(r"(https?://)([A-Za-z0-9.-]+)")


def safe_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if RESERVED.search(host):
        return host
    labels = [
        p
        for p in host.split(".")
        if p
        and p
        not in {
            "www",
            "com",
            "net",
            "org",
            "uk",
            "co",
            "jp",
            "ne",
            "ed",
            "or",
            "ie",
            "biz",
            "info",
            "edu",
            "ca",
            "de",
        }
    ]
    base = "-".join(labels[-2:]) if labels else "host"
    return f"{base}.example"


def sanitize(text: str) -> str:
    text = EMAIL_RE.sub(lambda m: f"{m.group(1)}@{safe_host(m.group(2))}", text)
    text = URL_RE.sub(lambda m: m.group(1) + safe_host(m.group(2)), text)
    text = re.sub(
        r"(?<![/\w.@-])(www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)",
        lambda m: safe_host(m.group(1)),
        text,
    )
    # bare IPv4 addresses other than documentation ranges
    text = re.sub(
        r"\b(?!192\.0\.2\.|198\.51\.100\.|203\.0\.113\.)\d{1,3}(\.\d{1,3}){3}\b", "192.0.2.1", text
    )
    return text


# ---------------------------------------------------------------------------------------------
# Parsing the block files
# ---------------------------------------------------------------------------------------------


def parse_blocks(path: Path, body_key: str = "body") -> list[dict[str, str]]:
    """Blocks start with '=== id'; 'key: value' lines follow; '<body_key>:' starts the free text."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    in_body = False
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("=== "):
            if current is not None:
                current[body_key] = "\n".join(body).strip()
                blocks.append(current)
            current, in_body, body = {"id": line[4:].strip(), "_file": path.name}, False, []
            continue
        if current is None:
            continue  # file header comments
        if in_body:
            body.append(line)
        elif line.strip() == f"{body_key}:":
            in_body = True
        elif ":" in line:
            key, value = line.split(":", 1)
            current[key.strip()] = value.strip()
    if current is not None:
        current[body_key] = "\n".join(body).strip()
        blocks.append(current)
    return blocks


def parse_flags(spec: str) -> dict[str, str]:
    flags = {}
    for part in spec.split("|"):
        if ":" in part:
            k, v = part.split(":", 1)
            flags[k.strip()] = v.strip()
    return flags


def yes(value: str | None) -> bool:
    return (value or "").strip().lower() in {"yes", "true", "1"}


# ---------------------------------------------------------------------------------------------
# Item builders
# ---------------------------------------------------------------------------------------------


def sender_for(label: str, block: dict[str, str], who: dict[str, str], rng: random.Random) -> str:
    if label == "press" and block.get("outlet"):
        domain = slug(block["outlet"]) + ".example"
        return f"{who['name']} <{who['first'].lower()}.{re.sub(r'[^a-z]', '', who['last'].lower())}@{domain}>"
    if label == "abuse" and rng.random() < 0.5:
        handle = rng.choice(
            [
                "patriot",
                "truthteller",
                "angryvoter",
                "notyourfan",
                "realbrit",
                "justsaying",
                "taxpayer",
            ]
        )
        return f"{handle}{rng.randrange(1, 9999)}@{rng.choice(MAIL_DOMAINS)}"
    if label == "spam":
        word = rng.choice(
            ["secure-mail", "notify", "alerts", "promo", "update-center", "marketing", "info"]
        )
        return f"{rng.choice(['Support', 'Customer Service', 'Accounts', 'Team', 'Admin'])} <{word}{rng.randrange(10, 999)}@{rng.choice(['offers', 'mailer', 'bulk', 'news'])}.example>"
    return f"{who['name']} <{who['email']}>"


def adapted_items() -> list[dict]:
    items = []
    for path in sorted((SOURCES / "adapted").glob("*.txt")):
        for block in parse_blocks(path):
            flags = parse_flags(block.get("label", ""))
            label = flags.get("label") or block.get("label", "").split("|")[0].strip()
            rng = random.Random(f"{SEED}:{block['id']}")
            who = person(rng)
            body = fill(block["body"], who)
            item = {
                "id": block["id"],
                "from": sender_for(label, block, who, rng),
                "subject": fill(block.get("subject", ""), who),
                "body": body,
                "label": label,
                "cluster": None,
                "urgent": yes(flags.get("urgent")),
                "topic": flags.get("topic", "other"),
                "threat": yes(flags.get("threat")),
                "safeguarding": yes(flags.get("safeguarding")),
                "source": block.get("source", ""),
                "licence": block.get("licence", ""),
                "_group": block.get("source", "")
                if block.get("source", "") != WRITTEN
                else block["id"],
                "_file": block["_file"],
            }
            items.append(item)
    return items


# Short personal lines that real senders add to campaign templates (the tools invite it). Written for CaseDesk.
PERSONAL = {
    "environment_planning": [
        "I swim in the river every week from April to October and I have been ill twice after heavy rain.",
        "My children learn to sail at the harbour and I worry every time they fall in.",
        "I walk my dog along the river and some days the smell is unbearable.",
        "I have lived here for thirty years and I have never seen the river in such a state.",
        "As a keen angler I have watched fish numbers collapse on our stretch of the river.",
    ],
    "animal_welfare": [
        "I buy higher-welfare pork where I can, but shoppers should not have to do the regulator's job.",
        "I grew up on a farm and I know good welfare is possible without crates.",
        "Many people I know in the village feel the same way about this.",
    ],
    "benefits": [
        "I see the effect of this every week as a volunteer at our local food bank.",
        "As a mother of three I know how quickly things can go wrong for a family.",
        "I work in a primary school and I see children arriving hungry.",
        "My own family relied on benefits for a while when my husband was ill.",
    ],
    "housing": [
        "I volunteer with a night shelter and see the people this would help.",
        "I was homeless myself for a few months in my twenties.",
        "Two of my friends have been served no-fault evictions in the past year.",
    ],
    "immigration": [
        "My own grandparents came to this country as refugees.",
        "I teach English to asylum seekers at our church on Saturday mornings.",
        "Our town has a proud record of welcoming people and I want that to continue.",
        "I volunteer with a local refugee support group.",
    ],
    "international": [
        "I have friends with family in the region and they hear terrible news every day.",
        "I have never written to an MP before but I could not stay silent.",
        "Our church has been raising money for humanitarian aid.",
    ],
}
GREETINGS = [
    "Dear {mp},",
    "Dear {mp_full} MP,",
    "Dear {mp},",
    "Dear Sir/Madam,",
    "Hello {mp_first},",
    "Dear {mp_full},",
    "Dear MP,",
]
SIGNOFFS = [
    "Yours sincerely,",
    "Kind regards,",
    "Best wishes,",
    "Thank you,",
    "Regards,",
    "Yours faithfully,",
    "Many thanks,",
]
CLOSERS = [
    "I look forward to your response.",
    "I would be grateful to know what action you will take.",
    "Please let me know your position on this.",
    "",
    "Thank you for taking the time to read this.",
]


def typo(text: str, rng: random.Random, n: int) -> str:
    words = text.split(" ")
    for _ in range(n):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) < 5 or not w.isalpha():
            continue
        j = rng.randrange(1, len(w) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        elif kind == 1:
            w = w[:j] + w[j + 1 :]
        else:
            w = w[:j] + w[j] + w[j:]
        words[i] = w
    return " ".join(words)


def campaign_items() -> list[dict]:
    items = []
    templates = parse_blocks(SOURCES / "raw" / "campaign_templates.txt", body_key="text")
    for tpl in templates:
        rng_t = random.Random(f"{SEED}:{tpl['id']}")
        copies = rng_t.randint(9, 15)
        paragraphs = [p.strip() for p in tpl["text"].split("\n\n") if p.strip()]
        for c in range(copies):
            rng = random.Random(f"{SEED}:{tpl['id']}:{c}")
            who = person(rng)
            paras = list(paragraphs)
            if len(paras) >= 4 and rng.random() < 0.3:  # reorder two middle paragraphs
                i = rng.randrange(1, len(paras) - 2)
                paras[i], paras[i + 1] = paras[i + 1], paras[i]
            if len(paras) >= 4 and rng.random() < 0.2:  # drop one middle paragraph
                del paras[rng.randrange(1, len(paras) - 1)]
            personal = PERSONAL.get(tpl.get("topic", ""), [])
            if personal and rng.random() < 0.55:
                line = rng.choice(personal)
                if rng.random() < 0.5:
                    paras.insert(0, line)
                else:
                    paras.insert(len(paras), line)
            if rng.random() < 0.35:
                paras = [typo(p, rng, rng.randint(1, 3)) for p in paras]
            closer = rng.choice(CLOSERS)
            sign = rng.choice(SIGNOFFS) + "\n" + who["name"]
            if rng.random() < 0.6:
                sign += "\n" + who["address"]
            body = "\n\n".join(
                [fill(rng.choice(GREETINGS), who)] + paras + ([closer] if closer else []) + [sign]
            )
            subject = tpl.get("subject", "")
            roll = rng.random()
            if roll < 0.15:
                subject = "Letter from your constituent"
            elif roll < 0.25:
                subject = subject.upper()
            elif roll < 0.3:
                subject = "Fwd: " + subject
            items.append(
                {
                    "id": f"{tpl['id']}-{c + 1:02d}",
                    "from": f"{who['name']} <{who['email']}>",
                    "subject": subject,
                    "body": body,
                    "label": "campaign",
                    "cluster": tpl["id"],
                    "urgent": False,
                    "topic": tpl.get("topic", "other"),
                    "threat": False,
                    "safeguarding": False,
                    "source": tpl.get("source", ""),
                    "licence": tpl.get("licence", ""),
                    "_group": tpl["id"],
                    "_file": "raw/campaign_templates.txt",
                }
            )
    return items


def plain_body(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    if part is None:
        for p in msg.walk():
            if p.get_content_type() == "text/plain":
                part = p
                break
    if part is None:
        return ""
    try:
        return part.get_content()
    except Exception:  # undecodable charset in old mail
        return part.get_payload(decode=True).decode("latin-1", "replace")


def trim(text: str, limit: int = 1500) -> str:
    text = text.replace("\r\n", "\n")
    text = re.split(r"\n-- ?\n", text)[0]  # mailing-list signature blocks
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        text = text[: cut if cut > limit // 2 else limit].rstrip()
    return text


SPAM_TOPICS = [
    (re.compile(r"mortgage|refinanc|insurance|loan|debt|credit|rates", re.I), "consumer_utilities"),
    (re.compile(r"work from home|job|career|employ|income|opportunity|earn", re.I), "employment"),
    (re.compile(r"health|weight|pharmacy|hgh|medic|memory", re.I), "health"),
]


def spamassassin_items() -> list[dict]:
    items = []
    paths = sorted((SOURCES / "raw" / "spamassassin").glob("*.txt")) + sorted(
        (SOURCES / "raw" / "spamassassin_batch2").glob("*.txt")
    )
    for path in paths:
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = trim(sanitize(plain_body(msg)))
        subject = re.sub(r"^\[[A-Za-z-]+\]\s*", "", str(msg["subject"] or "")).strip()
        subject = re.sub(r"\s{3,}\S*$", "", subject)  # trailing tracking tokens after long padding
        sender = sanitize(str(msg["from"] or "unknown@spam.example"))
        text = subject + " " + body
        topic = next((t for rx, t in SPAM_TOPICS if rx.search(text)), "other")
        key = path.name.split(".")[0]
        items.append(
            {
                "id": f"spm-sa-{key}",
                "from": sender,
                "subject": subject,
                "body": body,
                "label": "spam",
                "cluster": None,
                "urgent": False,
                "topic": topic,
                "threat": False,
                "safeguarding": False,
                "source": f"repo:{SA_REPO}:data/{key.split('_')[0]}/{path.name.split('_', 1)[1]}@{SA_COMMIT}",
                "licence": SA_LICENCE,
                "_group": path.name,
                "_file": f"raw/{path.parent.name}/{path.name}",
            }
        )
    return items


OFFICE_SUBJECTS = [
    "Re: Your enquiry to the constituency office",
    "Your case reference CD-2025-00{n}",
    "Re: Meeting request",
    "Surgery appointment confirmation",
    "Re: Letter from your MP",
]


def sisimai_items() -> list[dict]:
    items = []
    for path in sorted((SOURCES / "raw" / "sisimai").glob("*.eml")):
        rng = random.Random(f"{SEED}:{path.name}")
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = trim(sanitize(plain_body(msg)), 1200)
        office_subject = rng.choice(OFFICE_SUBJECTS).format(n=rng.randrange(1000, 9999))
        subject = str(msg["subject"] or "").replace("Nyaan", office_subject)
        sender = sanitize(str(msg["from"] or "MAILER-DAEMON@mx.example"))
        items.append(
            {
                "id": f"oth-sis-{path.stem}",
                "from": sender,
                "subject": subject,
                "body": body or "(no text)",
                "label": "other",
                "cluster": None,
                "urgent": False,
                "topic": "other",
                "threat": False,
                "safeguarding": False,
                "source": f"repo:{SIS_REPO}:maildir/bsd/{path.name}@{SIS_COMMIT}",
                "licence": SIS_LICENCE,
                "_group": path.name,
                "_file": f"raw/sisimai/{path.name}",
            }
        )
    return items


# ---------------------------------------------------------------------------------------------
# Split, validate, report
# ---------------------------------------------------------------------------------------------


def batch(item: dict) -> int:
    """Sources added for issue 5 live in files named batch2_* (or a *_batch2 folder). They are split in a
    second pass so that adding them never moves an item of the first corpus between train and dev."""
    return 2 if "batch2" in item["_file"] else 1


def assign_splits(items: list[dict]) -> None:
    """Stratified by label; whole groups (a source document, or a campaign cluster) go to one split.
    The first corpus is split exactly as before; batch-2 groups are split among themselves, and a batch-2
    item whose source document is already in the first corpus joins that document's split."""
    group_split: dict[str, str] = {}
    for number in (1, 2):
        _split_batch([it for it in items if batch(it) == number], group_split, number)
    for it in items:
        it["split"] = group_split[it["_group"]]


def _split_batch(items: list[dict], group_split: dict[str, str], number: int) -> None:
    by_label: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for it in items:
        by_label[it["label"]][it["_group"]].append(it)
    salt = "split" if number == 1 else f"split{number}"
    for label in LABELS:
        groups = by_label.get(label, {})
        names = sorted(groups)
        random.Random(f"{SEED}:{salt}:{label}").shuffle(names)
        total = sum(len(groups[g]) for g in names)
        target = round(total * DEV_SHARE)
        dev = 0
        for g in names:
            if g in group_split:  # a source shared across labels keeps its first split
                continue
            if dev < target and dev + len(groups[g]) <= target + max(2, len(groups[g]) // 2):
                group_split[g] = "dev"
                dev += len(groups[g])
            else:
                group_split[g] = "train"


def validate(items: list[dict]) -> list[str]:
    errors = []
    seen = set()
    for it in items:
        where = it.get("id", "?")
        for key in (
            "id",
            "from",
            "subject",
            "body",
            "label",
            "topic",
            "source",
            "licence",
            "split",
        ):
            if not isinstance(it.get(key), str):
                errors.append(f"{where}: {key} missing or not text")
        if it["id"] in seen:
            errors.append(f"{where}: duplicate id")
        seen.add(it["id"])
        if it["label"] not in LABELS:
            errors.append(f"{where}: bad label {it['label']!r}")
        if it["topic"] not in TOPICS:
            errors.append(f"{where}: bad topic {it['topic']!r}")
        if it["split"] not in ("train", "dev"):
            errors.append(f"{where}: bad split")
        for key in ("urgent", "threat", "safeguarding"):
            if not isinstance(it.get(key), bool):
                errors.append(f"{where}: {key} not boolean")
        if it["threat"] and not it["urgent"]:
            errors.append(f"{where}: a threat must be urgent")
        if (it["label"] == "campaign") != (it["cluster"] is not None):
            errors.append(f"{where}: cluster must be set for campaign items and only for them")
        if not it["body"].strip():
            errors.append(f"{where}: empty body")
        if not it["source"].strip():
            errors.append(f"{where}: no source")
        for addr in EMAIL_RE.finditer(it["from"] + " " + it["subject"] + " " + it["body"]):
            if not RESERVED.search(addr.group(2)):
                errors.append(f"{where}: non-reserved address {addr.group(0)}")
        if re.search(
            r"\{(name|first|last|mp|mp_first|mp_full|address|phone|town)\}",
            it["body"] + it["subject"],
        ):
            errors.append(f"{where}: unfilled placeholder")
    clusters: dict[str, list[dict]] = defaultdict(list)
    for it in items:
        if it["cluster"]:
            clusters[it["cluster"]].append(it)
    for cid, members in clusters.items():
        if len({m["from"] for m in members}) < 3:
            errors.append(f"cluster {cid}: fewer than 3 distinct senders")
        if len({m["split"] for m in members}) > 1:
            errors.append(f"cluster {cid}: straddles train/dev")
    groups: dict[str, set] = defaultdict(set)
    for it in items:
        groups[it["_group"]].add(it["split"])
    for g, splits in groups.items():
        if len(splits) > 1:
            errors.append(f"source group {g}: straddles train/dev")
    return errors


def report(items: list[dict]) -> str:
    lines = []
    n = len(items)
    written = sum(1 for it in items if it["source"] == WRITTEN)
    lines.append(f"items: {n}   written for CaseDesk: {written} ({100 * written / n:.1f}%)")
    lines.append(f"campaign clusters: {len({it['cluster'] for it in items if it['cluster']})}")
    for key, order in (("label", LABELS), ("topic", TOPICS)):
        lines.append(
            f"\nby {key}:  {'total':>5} {'train':>6} {'dev':>5} {'urgent':>7} {'threat':>7} {'safeg':>6}"
        )
        for value in order:
            sel = [it for it in items if it[key] == value]
            if not sel:
                continue
            lines.append(
                f"  {value:<22}{len(sel):>5} {sum(it['split'] == 'train' for it in sel):>6} "
                f"{sum(it['split'] == 'dev' for it in sel):>5} {sum(it['urgent'] for it in sel):>7} "
                f"{sum(it['threat'] for it in sel):>7} {sum(it['safeguarding'] for it in sel):>6}"
            )
    splits = Counter(it["split"] for it in items)
    lines.append(f"\nsplit: train {splits['train']}  dev {splits['dev']}")
    lines.append(
        f"urgent {sum(it['urgent'] for it in items)}  threat {sum(it['threat'] for it in items)}  "
        f"safeguarding {sum(it['safeguarding'] for it in items)}"
    )
    return "\n".join(lines)


def sources_md(items: list[dict]) -> str:
    rows: dict[str, dict] = {}
    for it in items:
        src = it["source"]
        if src.startswith(f"repo:{SA_REPO}"):
            src = f"repo:{SA_REPO}:data/spam-1, data/spam-2 (selected files)@{SA_COMMIT}"
        if src.startswith(f"repo:{SIS_REPO}"):
            src = f"repo:{SIS_REPO}:maildir/bsd (selected files)@{SIS_COMMIT}"
        if src.startswith("repo:ipavlopoulos/toxic_spans"):
            src = src.split(" (comment")[0]
        row = rows.setdefault(src, {"licence": it["licence"], "labels": Counter(), "files": set()})
        row["labels"][it["label"]] += 1
        row["files"].add(it["_file"])
    out = [
        "# Sources",
        "",
        "Generated by `scripts/build_corpus.py` from the source blocks; do not edit by hand.",
        "Every item in `corpus/triage.jsonl` names its source; this is the list of those sources, the licence",
        "recorded for each, how many items each gave, and the file under `corpus/sources/` that holds the excerpt.",
        "Excerpts of web pages are stored in the `excerpt:` field of each block in `adapted/*.txt`;",
        "raw datasets are stored as files under `raw/`.",
        "",
        "| source | licence | items | stored in |",
        "| --- | --- | --- | --- |",
    ]
    for src in sorted(rows):
        row = rows[src]
        counts = ", ".join(f"{k} {v}" for k, v in sorted(row["labels"].items()))
        files = ", ".join(sorted(row["files"]))
        cell = src.replace("|", "\\|")
        out.append(f"| {cell} | {row['licence'].replace('|', '/')} | {counts} | {files} |")
    out.append("")
    return "\n".join(out)


def build() -> list[dict]:
    items = adapted_items() + campaign_items() + spamassassin_items() + sisimai_items()
    items.sort(key=lambda it: it["id"])
    assign_splits(items)
    return items


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check", action="store_true", help="validate and print counts; write nothing"
    )
    args = parser.parse_args()
    items = build()
    errors = validate(items)
    print(report(items))
    if errors:
        print(f"\n{len(errors)} problem(s):", file=sys.stderr)
        for e in errors[:50]:
            print("  " + e, file=sys.stderr)
        return 1
    if not args.check:
        keys = [
            "id",
            "from",
            "subject",
            "body",
            "label",
            "cluster",
            "urgent",
            "topic",
            "threat",
            "safeguarding",
            "source",
            "licence",
            "split",
        ]
        with OUT.open("w", encoding="utf-8") as fh:
            for it in items:
                fh.write(json.dumps({k: it[k] for k in keys}, ensure_ascii=False) + "\n")
        SOURCES_MD.write_text(sources_md(items), encoding="utf-8")
        # re-read and re-validate what was written
        for number, line in enumerate(OUT.read_text(encoding="utf-8").splitlines(), 1):
            row = json.loads(line)
            assert row["label"] in LABELS and row["topic"] in TOPICS, f"line {number}"
        print(
            f"\nwrote {OUT.relative_to(ROOT)} ({len(items)} lines) and {SOURCES_MD.relative_to(ROOT)}"
        )
    print("\nvalidation: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
