#!/usr/bin/env python3
"""Build the CaseDesk demo inbox: samples/inbox/*.eml, samples/inbox_labels.json, samples/README.md.

Standalone, standard library only (Python 3.11+). Deterministic: fixed dates, fixed Message-IDs,
fixed MIME boundaries and no randomness, so running it twice gives byte-identical files.

    python samples/build_inbox.py          # write everything, then check it
    python samples/build_inbox.py --check  # only check the files already on disk

The office is fictional ("Alex Morgan MP", Cambridge). Every person is invented, every email
address uses a reserved example domain, phone numbers are from Ofcom's drama ranges
(07700 900xxx, 01632 960xxx, 020 7946 0xxx). Where a text is based on a real published source
(ombudsman decision, charity case study, campaign template), the item records the URL and how
it was adapted; everything else says "written for CaseDesk".
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import sys
import textwrap
import zlib
from collections import Counter
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr
from html import escape, unescape
from pathlib import Path

HERE = Path(__file__).resolve().parent
INBOX = HERE / "inbox"
LABELS = HERE / "inbox_labels.json"
README = HERE / "README.md"

OFFICE_ADDR = "alex.morgan.mp@parliament.example"
OFFICE = f"Alex Morgan MP <{OFFICE_ADDR}>"
POLICY = policy.default.clone(linesep="\n")
MALFORMED = "099-malformed-not-an-email.eml"
WRITTEN = "written for CaseDesk"

CATEGORIES = ("casework", "campaign", "policy", "invitation", "press", "abuse", "spam", "other")
TOPICS = (
    "housing", "benefits", "immigration", "health", "social_care", "education", "police_crime",
    "transport", "environment_planning", "council_services", "tax", "employment",
    "consumer_utilities", "international", "animal_welfare", "other",
)

# --------------------------------------------------------------------------------------------
# Sources (real public pages the texts were adapted from)
# --------------------------------------------------------------------------------------------

SRC = {
    "ho_kingston": "https://housing-ombudsman.org.uk/decisions/kingston-upon-thames-council-202209197",
    "shelter_story": "http://stories.shelter.org.uk/put-up-and-shut-up/",
    "shelter_s21": "https://england.shelter.org.uk/housing_advice/eviction/section_21_eviction/challenging_a_section_21_notice_in_court",
    "lgo_harrow": "https://www.lgo.org.uk/decisions/housing/homelessness/24-013-880",
    "figures_carol": "http://wearefigures.co.uk/narratives/194/",
    "pip_cathy": "https://disabilityclaims.uk/?p=791",
    "mse_carers": "https://www.moneysavingexpert.com/news/2024/10/carers-allowance-overpayments-debt/",
    "visa_iryna": "https://immigrationandvisasolicitors.co.uk/home-office-delays/",
    "bbc_spouse": "https://www.bbc.co.uk/news/uk-61335499",
    "indy_aspen": "https://www.independent.co.uk/news/uk/home-news/asylum-seekers-aspen-card-home-office-letters-b1863540.html",
    "cpd_flight": "https://cpdimmigration.com/husband-and-wife-to-be-forced-apart-by-home-office-deportation-flight",
    "psow_hip": "https://www.ombudsman.wales/findings/patient-list-issuescwm-taf-morgannwg-university-health-board",
    "hw_gp": "https://www.healthwatch.co.uk/node/847",
    "hw_dental": "https://article-swipe.standard.co.uk/news/uk/nhs-people-cornwall-healthcare-isle-of-wight-b936822.html",
    "cascaidr_cambs": "https://cascaidr.org.uk/2023/05/10/cambridgeshire-at-fault-for-a-20-month-ongoing-delay-in-providing-a-needs-assessment-and-for-failing-to-implement-agreed-complaint-remedies/",
    "lgo_send": "https://www.lgo.org.uk/decisions/education/special-educational-needs/23-004-614",
    "lgo_bins": "https://www.lgo.org.uk/decisions/environment-and-regulation/refuse-and-recycling/23-020-076",
    "phso_hmrc": "https://ombudsman.org.uk/about-us/our-casework/how-our-casework-makes-difference/case-summaries/772",
    "lgo_transport": "https://www.lgo.org.uk/decisions/education/school-transport/21-011-753",
    "asb_review": "https://www.fourmillionhomes.org/?p=10277",
    "eo_backbill": "https://www.energyombudsman.org/advice-for-consumers/what-is-back-billing",
    "sas": "https://www.sas.org.uk/EndSewagePollution-EmailMP",
    "cawf_template": "https://www.conservativeanimalwelfarefoundation.org/take-action/my-local-mp/",
    "cawf_crates": "https://www.conservativeanimalwelfarefoundation.org/campaigns/crateescape/",
    "rc_template": "https://www.refugeecouncil.org.uk/get-involved/campaign-with-us/families-together/mothers-day/",
    "ft_asks": "https://familiestogether.uk",
    "cam_water": "https://www.friendsofthecam.org/content/writing-water-companies-politicians-and-planners",
}

# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def when(stamp: str, offset: str = "+0000") -> datetime:
    sign = 1 if offset[0] == "+" else -1
    tz = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)


def wrap(text: str, width: int = 72) -> str:
    """Hard-wrap long lines the way Thunderbird-style clients do; short lines are kept."""
    out = []
    for line in text.split("\n"):
        if len(line) > width and not line.startswith(">"):
            out.append(textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False))
        else:
            out.append(line)
    return "\n".join(out)


def to_html(text: str, style: str = "font-family:Calibri,Arial,sans-serif;font-size:11pt") -> str:
    """Paragraphs -> a plain client-style HTML body (what Gmail or Outlook would send)."""
    paras = []
    for block in text.strip("\n").split("\n\n"):
        paras.append("<p>" + "<br>\n".join(escape(line) for line in block.split("\n")) + "</p>")
    return (
        "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n"
        "</head>\n<body>\n"
        f"<div style=\"{style}\">\n" + "\n".join(paras) + "\n</div>\n</body>\n</html>\n"
    )


def sig(*lines: str) -> str:
    return "\n".join(lines)


ITEMS: list[dict] = []


def add(**kw) -> None:
    kw.setdefault("to", OFFICE)
    kw.setdefault("urgent", False)
    kw.setdefault("campaign", None)
    kw.setdefault("reply_to", None)
    kw.setdefault("kind", "plain")
    kw.setdefault("wrap", False)
    kw.setdefault("headers", [])
    ITEMS.append(kw)


# --------------------------------------------------------------------------------------------
# Casework
# --------------------------------------------------------------------------------------------

DAMP_SUBJECT = "Damp and mould in my flat - repairs keep being cancelled"
DAMP_BODY = """Dear Mr Morgan,

I am a council tenant and have lived in my two-bedroom ground floor flat on Campkin Road since 2014. I am writing because I have run out of ways to get Cambridge City Council to deal with the damp and mould in my home.

I first reported black mould in the children's bedroom and around the bathroom window in January. An operative has been out twice to wash the walls down with mould spray, but nobody has looked at why it keeps coming back. Within a few weeks it is back on the ceiling and the skirting boards, and two mattresses have been ruined.

I have three children. Two are autistic and my youngest, who is four, has breathing problems and uses an inhaler. His GP has written a letter saying the damp is likely to be making his chest worse, which I sent to the repairs team in August. I suffer from anxiety and depression myself and this is making everything harder.

A surveyor was booked for 2 October and cancelled on the day. It was rebooked for 6 November and nobody came. I made a formal complaint in September and have had no stage 1 response.

Please could you ask the council to inspect properly, fix the cause of the damp and answer my complaint? I have photos and the GP letter if you need them.

Yours sincerely,

Kerry-Ann Walsh
Flat 2, 48 Campkin Road
Cambridge CB4 2LD
07700 900114"""

add(
    key="damp", slug="housing-damp-repairs", date=when("2026-11-16 07:12:33"),
    from_=("Kerry-Ann Walsh", "kerryann.walsh@example.com"), subject=DAMP_SUBJECT, body=DAMP_BODY,
    kind="alt", headers=[("Thread-Topic", DAMP_SUBJECT), ("X-Mailer", "Microsoft Outlook 16.0")],
    category="casework", topic="housing",
    source=SRC["ho_kingston"],
    adapted="Housing Ombudsman decision (council landlord, repeated mould washes, disabled children, "
    "complaint not answered) retold in the first person; landlord moved to Cambridge, names invented.",
    exercises="multipart/alternative from Outlook; first message of a thread (see the RE: follow-up)",
)

S21_BODY = """Dear Alex Morgan,

I am sorry to write like this but I do not know who else to ask. My family is facing eviction and the court hearing is next Tuesday, 24 November, at 10:30 at Cambridge County Court. I have attached the notice from the court.

We have rented a two-bedroom flat off Mill Road from a private landlord for almost three years - me, my wife and our two boys, who are 7 and 4. Last winter the guttering at the back was leaking and the kitchen wall became very damp, with mould. We asked the letting agent many times to repair it and in the end we contacted environmental health at the council, who came to see it in March.

A few weeks later, in April, the landlord gave us a section 21 notice. This was just before the new rules came in, so the agent says it is still valid. In the summer his solicitor started court action. We have always paid the rent on time and we have done nothing wrong.

I read on the Shelter website that the court can only stop a section 21 eviction if there is a problem with the notice, and that I should get advice before the hearing. I have called two solicitors but they have no legal aid appointments before next week. The council housing options team told me to call again after the court makes an order.

Could your office please help me find advice before Tuesday, or ask the council to help us now? The boys go to school round the corner and I am very worried about where we will go.

Thank you,

Tomasz Nowak
Flat 3, 212 Mill Road
Cambridge CB1 3NF
07700 900247"""

add(
    key="s21", slug="housing-section21-court-next-week", date=when("2026-11-16 08:47:10"),
    from_=("Tomasz Nowak", "t.nowak@example.net"),
    subject="URGENT - eviction court hearing next Tuesday (24 Nov)", body=S21_BODY, kind="pdf",
    category="casework", topic="housing", urgent=True,
    source=f"{SRC['shelter_story']} ; {SRC['shelter_s21']}",
    adapted="Shelter helpline story (tenant reports damp to environmental health, then gets a notice) "
    "plus Shelter's court guidance, retold by an invented Mill Road tenant; dates moved to Nov 2026.",
    exercises="urgent: court date next week; multipart/mixed with a generated one-page PDF "
    "(notice of possession hearing)",
)

add(
    key="homeless", slug="housing-homeless-bailiffs", date=when("2026-11-17 09:12:45"),
    from_=("Shanice Bramwell", "shanice.bramwell@example.org"),
    subject="Bailiffs coming next Thursday - council still won't help us",
    body="""Hello,

A support worker at the Citizens Advice drop-in told me to email my MP.

My landlord served me with a section 21 notice in February. I went to the council's housing options team straight away and made a homeless application. They did a personal housing plan, but it hasn't been updated since March and I have never had a letter saying what duty they owe me.

When the notice ran out they told me I had to stay in the property until the landlord got a bailiff's warrant, otherwise I could be found intentionally homeless. So I stayed. The landlord got a possession order in September and I now owe court costs because I stayed, which is what the council told me to do. The bailiffs are booked for Thursday 26 November at 9am.

I have two children aged 6 and 10, and I am disabled. I have MS and use a crutch outdoors, and stairs are very hard for me. I have sent the council the eviction notice and my medical letters. I have emailed my case officer four times since the bailiff letter came and had no reply. Nobody has told me where we will sleep next Thursday night.

Please could you ask the council to confirm they will provide emergency accommodation from 26 November that I can actually manage with my disability, and to make a decision on my application? I am scared the kids will end up sofa-surfing.

Thank you for reading this.

Shanice Bramwell
27 Nuffield Road
Cambridge CB4 1TF
07700 900362""",
    wrap=True, headers=[("User-Agent", "Mozilla Thunderbird")],
    category="casework", topic="housing", urgent=True, source=SRC["lgo_harrow"],
    adapted="LGSCO decision (council told tenant to wait for bailiffs, no relief duty decision, plan "
    "not reviewed, disabled applicant) rewritten as a constituent's own email; details invented.",
    exercises="urgent homelessness (bailiff date); hard-wrapped 7bit text/plain",
)

add(
    key="uc", slug="benefits-uc-sanction", date=when("2026-11-16 10:41:02"),
    from_=("Lorraine Hadley", "lorraine.hadley53@example.com"),
    subject="Universal Credit sanction - I phoned to rearrange and they say there is no record",
    body="""Dear Mr Morgan,

I am 53 and have worked most of my life as a care worker, often doing 12 hour shifts. Since my last agency closed in the spring I have been claiming Universal Credit and looking for work.

On 21 October I was ill with a chest infection and could not get to my appointment at the Jobcentre. That morning I phoned to explain, and the lady I spoke to said it was fine and she would rebook me. I also put a note on my journal later that day. When my payment came on 5 November it was £340 short, and my journal said I had been sanctioned for failing to attend "without a good reason".

When I queried it I was told there was no record of my call. I gave the name of the person I spoke to (she said her name was Julie) but they said they could not trace her. I have asked for a mandatory reconsideration and sent in my fit note from the GP, but I have heard nothing back.

Since then I have had to use the food bank twice and I am behind on my gas. I am on blood pressure tablets and the stress is making me ill. I have never been in trouble with the benefits people before.

Could you please ask the DWP to look at my reconsideration urgently, and to check their phone records for the morning of 21 October?

Yours faithfully,

Lorraine Hadley
63 Barnwell Road
Cambridge CB5 8RE
07700 900455""",
    kind="base64", category="casework", topic="benefits", source=SRC["figures_carol"],
    adapted="Published narrative ('Carol', 53, sanctioned after phoning to rearrange; no record of the "
    "call) moved from JSA to Universal Credit and retold in the first person; name invented.",
    exercises="text/plain body with Content-Transfer-Encoding: base64",
)

PIP_SUBJECT = "PIP decision - request for help with mandatory reconsideration"
PIP_SIG = sig("Hannah Fairweather", "9 Stanley Road", "Cambridge CB5 8LB", "Tel: 01632 960418")

add(
    key="pip", slug="benefits-pip-reconsideration", date=when("2026-11-17 08:03:55"),
    from_=("Hannah Fairweather", "hfairweather@example.net"), subject=PIP_SUBJECT,
    body=f"""Dear Alex Morgan,

I am writing to ask for your help with my Personal Independence Payment claim, because I believe the decision I have received is simply wrong and I cannot get anyone at the DWP to listen.

I have fibromyalgia and severe osteoarthritis in both knees, and I have been treated for depression for several years. I had a telephone assessment in September, and on 2 November I received a decision awarding me 8 points for daily living and 10 for mobility. The adviser at a local disability charity who helped me with the form had told me to expect at least 12 points for daily living, given the evidence from my rheumatologist.

The decision letter quotes the assessor as saying I "walk my dog daily" and "manage my own meals". I do not have a dog. I told the assessor that my daughter batch-cooks for me on Sundays because I cannot stand at the cooker. It feels as if the report is about someone else.

I phoned to ask for a mandatory reconsideration and for a copy of the full assessment report. Three weeks later the report has still not arrived, and I only have a month from the decision date. I am worried I will run out of time.

Could your office please ask the DWP to send me the report and confirm that my reconsideration request is on file?

Many thanks,

{PIP_SIG}""",
    category="casework", topic="benefits", source=SRC["pip_cathy"],
    adapted="Welfare adviser's case study (8 daily living / 10 mobility points, inaccurate assessment "
    "report, mandatory reconsideration) retold by the claimant; conditions and quotes invented.",
    exercises="original of a subject-only thread (see the later 'Re:' without In-Reply-To)",
)

add(
    key="pip_re", slug="re-pip-followup-no-thread-headers", date=when("2026-11-19 08:31:17"),
    from_=("Hannah Fairweather", "hfairweather@example.net"), subject="Re: " + PIP_SUBJECT,
    body=f"""Dear Alex Morgan,

Sorry to email again so soon. I wanted to let you know that the assessment report finally arrived yesterday, the day after I wrote to you. It is 31 pages long and, as I feared, it contains several things I never said, including the part about the dog and a note that I "attended the call alone without difficulty", when in fact my daughter was with me throughout and answered some of the questions for me.

I have now sent my mandatory reconsideration letter with a statement from my daughter and the latest letter from my rheumatologist. I posted it by recorded delivery and the DWP confirmed on the phone that it has been logged.

If your office has already contacted the DWP, please could you let them know the report has arrived, so there is no confusion? It would still help very much if you could ask them to deal with it promptly, because money is very tight and my daughter is helping to pay my bills.

Thank you for your help,

{PIP_SIG}""",
    category="casework", topic="benefits", reply_to="pip", source=SRC["pip_cathy"],
    adapted="Follow-up written for CaseDesk continuing the PIP case above.",
    exercises="follow-up two days later, same sender, 'Re:' subject but NO In-Reply-To/References "
    "(subject-based threading)",
)

CARERS_BODY = """Dear Mr Morgan,

I’m writing about a letter I’ve had from the DWP saying I have been overpaid Carer’s Allowance and must repay £4,330.40.

I care for my son Luca, who is 15 and has cerebral palsy, for well over 35 hours a week. To keep our heads above water I also work part-time at a café on Mill Road, 14 hours a week. I declared the job when I claimed and I have always sent in my payslips when asked.

In April 2024 the minimum wage went up and, without me realising, my weekly earnings went a couple of pounds over the £151 limit that applied at the time. Nobody told me. The DWP carried on paying me every week for more than a year. Now they say that because I was over the limit – in some weeks by less than £2 – I wasn’t entitled to any of it, and I owe back every penny.

I understand there’s a limit, but I don’t understand how the DWP could let this run on for so long, and then expect a carer on a low income to find over £4,000. I’ve read that the Government set up an independent review of these overpayments. The letter says recovery will start from my Universal Credit next month.

Could you please ask the DWP to put the recovery on hold while my case is reviewed, and to explain why it didn’t act on the information I gave it? I feel like I’m being treated as a “benefit cheat” for doing the right thing.

Thank you,

Zoë Marchetti
41 Catharine Street
Cambridge CB1 3AW
Mobile 07700 900518"""

add(
    key="carers", slug="benefits-carers-allowance-overpayment", date=when("2026-11-17 14:38:09"),
    from_=("Zoe Marchetti", "zoe.marchetti@example.com"),
    subject="Carer's Allowance overpayment - DWP want over 4,000 pounds back", body=CARERS_BODY,
    kind="cp1252", category="casework", topic="benefits", source=SRC["mse_carers"],
    adapted="MoneySavingExpert report on Carer's Allowance cliff-edge overpayments (a few pounds over the "
    "limit, DWP pays on for years, then demands thousands) turned into a first-person email; "
    "carer, son and café job invented.",
    exercises="non-UTF-8: text/plain; charset=windows-1252, quoted-printable, with £, curly quotes, "
    "en dash, café, Zoë",
)

add(
    key="visa", slug="immigration-visa-extension-delay", date=when("2026-11-17 13:10:19", "+0100"),
    from_=("Callum Reid", "callum.reid@example.org"),
    subject="Wife's visa extension - 22 weeks and no decision, job offer about to be withdrawn",
    body="""Dear Mr Morgan,

I'm writing from a work trip in Munich, so apologies if I am slow to reply to your office. I would be very grateful for your help with my wife's application to extend her spouse visa.

My wife, Marta, is Ukrainian and came to the UK in 2013 to study. We married in 2021 and she has held a spouse visa since then. She applied in time to extend her leave on 15 June this year, paid the fees and the Immigration Health Surcharge, and gave her biometrics in early July. The published service standard is 8 weeks. It has now been 22 weeks and we have heard nothing, apart from an automated email in August saying the application "is not straightforward", with no explanation.

Marta qualified as a solicitor in September and has been offered a job with a firm in Cambridge. Her right to work continues while the application is pending, but the firm cannot complete its checks without a decision and has told her the offer will be withdrawn if nothing has changed by 4 December. We have chased the Home Office through the contact centre three times and each time been told there is nothing they can do.

Her application reference is 3434-0000-1111-2222. She is happy for your office to act for her and will send signed consent.

Would you be able to make an enquiry with UK Visas and Immigration?

Kind regards,

Callum Reid
22 Hertford Street
Cambridge CB4 3AG
07700 900603""",
    category="casework", topic="immigration", source=SRC["visa_iryna"],
    adapted="Solicitors' write-up of a Home Office delay (Ukrainian-born solicitor's spouse extension "
    "stalled, job lost) retold by her British husband; names and dates invented.",
    exercises="Date header in +0100; sender writing on behalf of his wife",
)

add(
    key="spouse", slug="immigration-spouse-visa", date=when("2026-11-18 09:05:40"),
    from_=("Rhiannon Hale", "rhiannon.hale@example.com"),
    subject="Spouse visa for my husband - 27 weeks waiting, no answers",
    body="""Dear Alex Morgan MP,

My husband Thabo and I have been together for eleven years and married for six. We lived in Johannesburg until this spring, when I was offered a research job in Cambridge and we decided to move to the UK, where I was born.

We submitted his spouse visa application on 5 May and he gave his biometrics at the visa application centre in Johannesburg on 13 May. We were told the standard processing time was 12 weeks, so we planned for him to join me by early August. On that basis he gave notice on our house and resigned from his job.

It is now 27 weeks. The only contact has been an email in August saying the application needed "further review", with no indication of what is wrong or how long it will take. Every time we email the paid enquiry service we get the same copy-and-paste reply. Thabo is staying with his sister, has no income, and we are paying for two households on my salary.

Before all this we had hardly spent more than a couple of days apart. I understand checks must be done properly, but the silence is the hardest part.

Could your office please ask UK Visas and Immigration for an update and an expected decision date? His GWF reference is GWF071234567 and his date of birth is 3 March 1984. He has given consent for you to ask on his behalf.

With thanks and best wishes,

Rhiannon Hale
Flat 4, 17 Hills Avenue
Cambridge CB1 7XA
07700 900739""",
    kind="alt", category="casework", topic="immigration", source=SRC["bbc_spouse"],
    adapted="BBC News report on spouse-visa backlogs (South African couple, never apart before, job "
    "and home given up) retold by the British spouse; names, dates and references invented.",
    exercises="multipart/alternative (Gmail-style HTML)",
)

add(
    key="aspen", slug="immigration-asylum-support-aspen", date=when("2026-11-19 07:58:12"),
    from_=("Ruth Ellingham", "ruth.ellingham@example.org"),
    subject="Urgent - asylum-seeking mother and baby have had no support payments for 12 days",
    body="""Dear Mr Morgan,

I volunteer at a weekly drop-in for refugees and people seeking asylum in north Cambridge. I am writing with the permission of a young woman I will call Ms A, who lives in Home Office asylum accommodation in your constituency (CB4). She has signed our consent form and I can send it today.

Ms A is a single mother with a seven-month-old baby. She receives section 95 asylum support, which is loaded each week onto her ASPEN payment card. On 7 November her card stopped working. She reported it to Migrant Help the same day and was told a replacement would arrive within five working days. Nothing has arrived and since then she has had no money at all.

She ran out of baby formula last weekend. For several days she has been living on bread and tea from the drop-in and is trying to feed the baby herself, although she had stopped breastfeeding. Our small group has given her what we can, but we cannot keep filling the gap.

Migrant Help keeps giving her new reference numbers but no date. As I understand it, emergency cash payments exist for exactly this situation, but nobody has arranged one.

Could your office please contact the Home Office asylum support team today and ask them to arrange an emergency payment and a replacement card?

Home Office ref: A1234567
Migrant Help case: MH-2026-118342

Many thanks,

Ruth Ellingham
Volunteer coordinator, North Cambridge Welcome Drop-in
07700 900812""",
    wrap=True, category="casework", topic="immigration", urgent=True, source=SRC["indy_aspen"],
    adapted="The Independent's reporting of the ASPEN card failures (single mother with a baby, out of "
    "formula, no payments for days) recast as an email from a volunteer acting with consent; "
    "all names and references invented.",
    exercises="urgent destitution; written by a third party for the constituent; only a partial "
    "postcode (CB4) in the text",
)

add(
    key="detention", slug="immigration-detention-removal", date=when("2026-11-16 21:40:37"),
    from_=("Ayesha Malik", "ayesha.malik.cb@example.com"),
    subject="Please help - my husband to be deported on Wednesday morning",
    body="""Dear Sir,

Please help us. My husband Imran Malik was arrested on 9 November when he went to his normal reporting at the Home Office. He has reported every month for six years and never missed once. Now he is in Yarl's Wood detention centre and yesterday they gave him a paper saying he will be put on a flight to Islamabad on Wednesday 18 November, early morning.

We are both from Pakistan and we have been together 14 years, we met here in the UK. We claimed asylum because my husband refused a marriage his family arranged, and the girl's family blame him for what happened to her. The Home Office refused our claim but we are very afraid. If he is sent back he must hide, his life is in danger. I am dependant on his claim, but they are sending only him and leaving me here alone.

Our solicitor, Ms Hart, sent new evidence to the Home Office today. She says she will ask the High Court for an injunction tomorrow if the flight is not cancelled, and that it would help if our MP asks the Home Office to look at the new evidence before the flight.

I have not seen my husband since he was taken. I live in asylum accommodation in Cambridge, I have no money to travel to Bedfordshire and no ID the guards will accept. I cannot sleep or eat.

His Home Office reference is M1234567, date of birth 02/05/1988.

Please, please help us before Wednesday.

Ayesha Malik
07700 900926""",
    category="casework", topic="immigration", urgent=True, source=SRC["cpd_flight"],
    adapted="Report (via the Guardian) of a couple separated by a charter flight after the husband was "
    "detained at reporting; retold by the wife in imperfect English; names and references invented.",
    exercises="urgent: removal flight in under 36 hours; no postcode; non-native English",
)

add(
    key="hip", slug="health-hip-waiting-list", date=when("2026-11-17 11:31:06"),
    from_=("Joanne Fulbrook", "joanne.fulbrook@example.net"),
    subject="My father has been taken off the hip surgery waiting list without being told",
    body="""Dear Mr Morgan,

I am writing on behalf of my father, Derek Fulbrook, who is 79 and lives with my mother in Cherry Hinton. He has asked me to contact you.

Dad was referred to the orthopaedic team at Addenbrooke's in spring 2025 and told he needed a total hip replacement. He was added to the waiting list in July 2025 and told to expect a wait of around a year. Since then his pain has got much worse. He now uses a frame indoors, hardly sleeps and has had two falls since the summer.

When we still had not heard anything by September I phoned the booking team. After being passed around I was told Dad is not on any surgical waiting list. Apparently he was "discharged back to the GP" in January after a letter asking him to confirm he still wanted surgery. Dad never received such a letter, and nobody told him or his GP that he had been removed.

I made a complaint through PALS on 29 September. I had an acknowledgement but no answer, and Dad is now being told he needs a new GP referral and will start again at the back of the queue.

Please could you raise this with the hospital trust? We would like Dad put back on the list with his original date, an explanation of how this happened, and a proper answer to the complaint.

Kind regards,

Joanne Fulbrook
(for Derek Fulbrook, 112 High Street, Cherry Hinton, Cambridge CB1 9HZ)
07700 900134""",
    kind="alt", category="casework", topic="health", source=SRC["psow_hip"],
    adapted="Public Services Ombudsman for Wales finding (patient removed from the hip surgery list "
    "without being told, complaint not answered) moved to Cambridge and told by his daughter.",
    exercises="third party writing for a parent; postcode inside parentheses",
)

add(
    key="gp", slug="health-gp-access", date=when("2026-11-16 16:20:48"),
    from_=("Imran Siddiqui", "imran.siddiqui@example.com"),
    subject="Impossible to get a GP appointment at my surgery",
    body="""Dear Alex Morgan,

I want to raise the situation at my GP surgery, which I would rather not name here but can give your office details of.

I have type 2 diabetes and high blood pressure and I am meant to have a medication review, as my readings at home have been high for weeks. Every morning last week I phoned at 8am. You are put in a holding queue, and if nobody answers within a few minutes you are cut off automatically. This happens two or three times in a row. By the time I get through, around 8.25, I am told there are no appointments left and to ring again tomorrow.

The online form closes as soon as it reaches its daily limit, usually by 8.05am. When I went to the surgery in person I was told at the desk that they cannot book appointments face to face and I should phone.

I work shifts at a warehouse and I cannot spend every morning on the phone. A colleague told me to just go to A&E, but that does not seem right for something like this and it is not fair on the hospital.

I know GPs are under pressure, but something is badly wrong with the system. Could you ask the surgery and the local NHS board what they are doing to make it possible to get an appointment, especially for patients who need routine reviews?

Regards,

Imran Siddiqui
76 Coleridge Road
Cambridge CB1 3PH
07700 900275""",
    wrap=True, category="casework", topic="health", source=SRC["hw_gp"],
    adapted="Healthwatch England summary of local reports (8am holding queue that disconnects, no "
    "appointments left, people going to A&E instead) rewritten as one patient's email.",
    exercises="plain casework, hard-wrapped",
)

add(
    key="dental", slug="health-nhs-dentist-outside-constituency", date=when("2026-11-20 14:50:03"),
    from_=("Leanne Cartwright", "leanne.cartwright@example.net"),
    subject="Can't find an NHS dentist - broken tooth",
    body="""Hi,

I hope you can help. Last month I lost a filling and since then the tooth has broken off completely. I'm not in agony all the time but it's difficult to eat on that side and some nights the pain keeps me awake.

My dental practice, where I've been a patient for years, told me they only have NHS appointments for "serious cases" and the next routine NHS appointment is in April. But the same practice keeps emailing me to encourage me to book private treatment, including a monthly plan for £24.50. I can't afford that on top of everything else.

I have rung more than a dozen practices within 20 miles. None are taking new adult NHS patients. NHS 111 got me an urgent appointment at a dental hub, but they only took the broken bit out, put in a temporary dressing and told me to find a regular NHS dentist for proper treatment. So I'm back where I started.

I know this isn't just me. Why is it so hard to see an NHS dentist in Cambridgeshire, and what is being done about it? Is there any way you could help me get an appointment?

Thanks,
Leanne Cartwright
21 Ramsey Road, St Ives
Cambridgeshire PE27 5RF
07700 900361""",
    category="casework", topic="health", source=SRC["hw_dental"],
    adapted="Patient comments collected by local Healthwatch and shared with PA (lost filling, tooth "
    "broke, practice pushing private plans, 111 hub only patched it) combined into one email; "
    "sender placed in St Ives.",
    exercises="sender OUTSIDE the constituency (PE27, Huntingdon) - should be flagged/redirected",
)

add(
    key="care", slug="social-care-assessment-delay", date=when("2026-11-18 11:11:27"),
    from_=("Alison Pryke", "alison.pryke@example.org"),
    subject="20-month wait for my son's social care assessment - Cambridgeshire County Council",
    body="""Dear Mr Morgan,

I am the full-time carer for my son, Ben, who is 26 and has a learning disability and epilepsy. Cambridgeshire County Council has still not completed a proper assessment of his care needs, despite agreeing to do so 20 months ago.

Ben's needs were not properly assessed for years after he left college. After a long complaint, the council wrote to us in March 2025 accepting that things had gone wrong. It agreed that a jointly appointed independent social worker would carry out a new needs assessment and that Ben would move to a different team. It also backdated my carer's direct payments and apologised.

The independent social worker visited twice in spring 2025 and wrote a draft report. The council has never signed off a care and support plan based on it. Meanwhile Ben's needs have increased: he now needs someone with him at night after two seizures, and that someone is me. I am 61 and exhausted, my own health is suffering, and I have not had a carer's assessment for three years.

Every time I ring I am told the case is "with a manager for approval". I went to the Ombudsman once before and I really do not want to go through all that again.

Please could you write to the Director of Adult Social Care and ask when Ben's assessment will be completed and his care plan put in place, and when I will have a carer's assessment?

Yours sincerely,

Alison Pryke
35 Union Lane
Cambridge CB4 1QB
01632 960247""",
    kind="alt", category="casework", topic="social_care", source=SRC["cascaidr_cambs"],
    adapted="Summary of an LGSCO decision against Cambridgeshire (agreed independent social worker "
    "assessment never completed, 20-month delay) retold by the carer; family details invented.",
    exercises="multipart/alternative; landline number",
)

add(
    key="send", slug="education-send-ehcp", date=when("2026-11-18 13:47:51"),
    from_=("Claire Dunmore", "claire.dunmore@example.com"),
    subject="Son without a school place - EHCP assessment far over 20 weeks",
    body="""Dear Alex,

I'm writing about my son, Sam, who is 11 and autistic with severe anxiety. He has not been in school since September because there is no suitable place for him, and the county council still has not issued his Education, Health and Care Plan.

We asked for an EHC needs assessment in September 2025, while he was in Year 5. By law the whole process should take no more than 20 weeks. The council agreed to assess in November, but it did not ask the educational psychologist for advice until week 19, and the draft plan only arrived in July this year, ten months after we applied. We asked for a specialist setting, and the council consulted schools over the summer holidays when nobody could reply.

So Sam had no secondary school place in September. He watched his friends start Year 7 without him and has been at home ever since with five hours a week of online tuition. I have had to give up my job to look after him. I complained to the council in September and was told a response would take 20 working days; that was eight weeks ago.

Could you please contact the council's SEND service and ask them to finalise Sam's plan and name a school, and to put full-time education in place for him in the meantime? I can send copies of all the letters.

Thank you,

Claire Dunmore
58 Arbury Road
Cambridge CB4 2JB
07700 900488""",
    category="casework", topic="education", source=SRC["lgo_send"],
    adapted="LGSCO decision (EHC assessment beyond 20 weeks, educational psychologist asked at week 19, "
    "no school place for September) moved to Cambridgeshire and told by the mother.",
    exercises="first-name greeting ('Dear Alex'); long-running SEND case",
)

add(
    key="bins", slug="council-assisted-bin-collection", date=when("2026-11-16 13:15:20"),
    from_=("Frank Wiseman", "frank.wiseman@example.net"), subject="Bins not emptied AGAIN",
    body="""Dear Mr Morgan

I am 84 and have an assisted bin collection because I cannot get my wheelie bin down the front steps. The crew are supposed to collect the bin from beside my back gate and put it back there.

For the third time since September my black bin was NOT emptied last Tuesday. The blue bin was emptied but left at the bottom of the drive, where I cannot get to it. Each time I have reported it on the council website, and once I got through on the telephone, and each time I am told it will be sorted out. It is not.

The bin is now full and starting to smell, and I have had to ask my neighbour to put a bag in her own bin, which I do not like doing. My late wife used to deal with all this.

I do not want anybody to get into trouble. I just want the service I was promised. Would you please ask the Shared Waste Service to make sure my assisted collection is done properly every time.

Yours sincerely

Frank Wiseman
31 Scotland Road
Cambridge CB4 1QQ
Tel 01632 960562""",
    wrap=True, category="casework", topic="council_services", source=SRC["lgo_bins"],
    adapted="LGSCO decision (assisted collection repeatedly missed, bins not returned) retold by an "
    "invented elderly resident; council service renamed for Cambridge.",
    exercises="older writer, capitals for emphasis, no comma after greeting",
)

HMRC_BODY = """Dear Mr Morgan,

I wonder if you can help me with HM Revenue & Customs, who I have been going round in circles with for more than a year.

I retired in 2023 and now have two small workplace pensions as well as my State Pension. In spring 2024 I wrote to HMRC asking them to check my tax codes, because I was worried I was not paying enough tax. I never had a reply. In autumn 2025 they wrote to say I had underpaid £2,310 over two tax years.

I asked them to write off the arrears under Extra Statutory Concession A19, because I had told them about my pensions and asked them to check, and they did nothing for well over a year. They agreed to waive part of it but still want £1,487. I have asked three times which part was their mistake and which part they say was mine, and each letter gives a different answer. The last one contradicted the one before.

I am not trying to avoid paying what I genuinely owe. But my income is much lower than it was, and the stress of this has affected my health. I do not think it is fair that I should pay for HMRC's delay, or that I cannot get a straight answer.

Could your office ask HMRC to review the case properly and explain how the underpayment arose? I have copies of all the letters.

Le meas,

Seán Ó Briain
27 De Freville Avenue
Cambridge CB4 1HW
01632 960733"""

add(
    key="hmrc", slug="tax-hmrc-underpayment", date=when("2026-11-19 11:20:44"),
    from_=("Seán Ó Briain", "sean.obriain@example.com"),
    subject="HMRC want £1,487 in underpaid tax - their mistake", body=HMRC_BODY, kind="latin1",
    category="casework", topic="tax", source=SRC["phso_hmrc"],
    adapted="PHSO case summary 772 (pensioner, HMRC slow to act, partial ESC A19 write-off, "
    "contradictory explanations) retold in the first person; amounts and name invented.",
    exercises="RFC 2047 =?iso-8859-1?Q?...?= encoded From display name and Subject; body "
    "iso-8859-1 8bit",
)

TRANSPORT_LETTER = """Dear Ms Farouk,

Application reference: HST/2026/04417
Pupil: Yasmin Farouk

Thank you for your application for free home to school transport.

We have measured the shortest available walking route between your home address and your child's nearest suitable school. The route measures 2.9 miles. As this is below the statutory walking distance of 3 miles for a child aged 8 or over, your child is not eligible for free transport.

The route has been assessed as available, taking into account that a child may be accompanied by a parent where necessary.

If you disagree with this decision you may ask for a stage one review within 20 working days of the date of this email.

Yours sincerely,

Home to School Transport Team
Cambridgeshire County Council"""

add(
    key="fwd_transport", slug="fwd-school-transport-decision-inline", date=when("2026-11-18 16:40:09"),
    from_=("Nadia Farouk", "nadia.farouk@example.com"),
    subject="Fwd: Home to school transport application - decision",
    body="""Dear Mr Morgan,

Please see below the decision I received from the county council about school transport for my daughter Yasmin, who is 11 and started secondary school in September. I think it is wrong and I would be grateful for your help.

The council says the walking route is 2.9 miles, just under the 3 mile limit. But the route they measured goes along an unlit path beside the busway, across two busy junctions with no crossing, and through an underpass. Nobody from the council has walked it. On dark winter mornings I am not prepared to let her walk that alone, and I start work at 7am so I cannot go with her. The road route is 3.4 miles.

I have asked for a review, but the letter just says the route "has been assessed as available" without saying how. Could you ask the council how it assessed the safety of the route?

Thank you,
Nadia Farouk
15 Kings Hedges Road, Cambridge CB4 2PQ
07700 900195""",
    forwarded=dict(
        from_="Home to School Transport <schooltransport@cambridgeshire.example>",
        date="Fri, 13 Nov 2026 at 15:22", subject="Home to school transport application - decision",
        to="<nadia.farouk@example.com>", body=TRANSPORT_LETTER,
    ),
    kind="fwd_inline", category="casework", topic="education", source=SRC["lgo_transport"],
    adapted="LGSCO decision (council refused transport without assessing the safety of the walking "
    "route) turned into a parent's forward of the council's decision; letter text written for CaseDesk.",
    exercises="Gmail-style inline forward ('---------- Forwarded message ---------'); the council's "
    "letter is inside the body, multipart/alternative",
)

add(
    key="fw_rent", slug="fw-letting-agent-rent-increase-attached", date=when("2026-11-19 14:45:31"),
    from_=("Oliver Brennan", "oliver.brennan@example.net"),
    subject="FW: Rent review - 12 Ross Street",
    body="""Hello,

I've attached an email from my letting agent. They want to put my rent up from £1,450 to £1,725 a month from January, which is almost 19%. We have lived in the house for four years and never missed a payment.

I thought that under the new renters' rules rent could only go up once a year using a formal notice, and that I could challenge it at a tribunal if it is above the market rate. Instead the agent has just emailed asking me to "sign and return the attached addendum" by 30 November or the landlord will "review the tenancy". That sounds like a threat to me.

Is this legal? Could your office point me to the right place for advice, or raise it with the agent? I don't want to lose my home, but we cannot afford another £275 a month.

Many thanks,
Oliver Brennan
12 Ross Street
Cambridge CB1 3BS
07700 900677""",
    attached=dict(
        from_="Parkside Residential Lettings <lettings@parkside-residential.example>",
        to="Oliver Brennan <oliver.brennan@example.net>", subject="Rent review - 12 Ross Street",
        date=when("2026-11-17 10:03:12"), msgid="<rent-review-0417@parkside-residential.example>",
        body="""Dear Oliver,

Following our annual portfolio review, your landlord has instructed us to bring the rent for 12 Ross Street in line with the current market. From 1 January 2027 the monthly rent will be £1,725.00.

Please sign and return the attached rent addendum by 30 November 2026. If we do not receive the signed addendum, your landlord will need to review the tenancy.

Kind regards,

Sophie Kendal
Lettings Negotiator
Parkside Residential
01632 960900""",
    ),
    kind="fwd_attached", headers=[("X-Mailer", "Microsoft Outlook 16.0")],
    category="casework", topic="housing", source=WRITTEN,
    adapted="Written for CaseDesk (tenant and agent invented).",
    exercises="Outlook 'FW:' with the original attached as message/rfc822",
)

ASB_HTML = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<style>
  body { font-family: -apple-system, Helvetica, Arial, sans-serif; font-size: 14px; color: #222; }
  h3 { font-size: 15px; margin: 16px 0 6px; }
  table.log { border-collapse: collapse; margin: 8px 0 12px; }
  table.log td, table.log th { border: 1px solid #bbb; padding: 4px 8px; text-align: left; }
  .sig { color: #555; margin-top: 18px; }
</style>
</head>
<body>
<p>Dear Mr Morgan,</p>
<p>I live in one of the flats above the shops at Arbury Court. Over the last six months the car park behind us has become a meeting point for <b>drug dealing</b>, and on Friday and Saturday nights for &ldquo;car meets&rdquo; &ndash; up to twenty cars revving engines and doing doughnuts until 2am. My neighbours with young children are frightened to walk through in the evening.</p>
<h3>What I have reported</h3>
<table class="log">
<tr><th>Date</th><th>What happened</th><th>Reported to</th></tr>
<tr><td>14 June</td><td>Dealing from two cars, daytime</td><td>Police, 101 (ref CC-1406-0311)</td></tr>
<tr><td>2 August</td><td>Car meet, 20+ cars until 2am</td><td>Police, online report</td></tr>
<tr><td>19 September</td><td>My car window smashed</td><td>Police (crime ref 35/88123/26)</td></tr>
<tr><td>7 November</td><td>Needles and gas canisters by the bins</td><td>City council</td></tr>
</table>
<p>Each time I get a reference number and nothing else happens. I read that if you have reported three separate incidents in six months you can ask for an <a href="https://www.fourmillionhomes.org/?p=10277">anti-social behaviour case review</a> (the old &ldquo;community trigger&rdquo;). I sent the council a request on 12 October and have had no reply at all.</p>
<p>Could you ask the council and Cambridgeshire Constabulary whether my case review request has been received, and when the panel will meet?</p>
<p>Thank you,</p>
<div class="sig">Fiona MacLeod<br>
Flat 6, 3 Arbury Court<br>
Cambridge CB4 2JQ<br>
07700 900150</div>
</body>
</html>
"""

add(
    key="asb", slug="police-asb-html-only", date=when("2026-11-20 08:20:14"),
    from_=("Fiona MacLeod", "fiona.macleod@example.org"),
    subject="Drug dealing and car meets behind the shops - nothing is being done", html=ASB_HTML,
    kind="html_only", headers=[("X-Mailer", "iPhone Mail (22B91)")],
    category="casework", topic="police_crime", source=SRC["asb_review"],
    adapted="Guidance on ASB case reviews (three reports in six months) used by an invented resident "
    "to ask for a review; incidents written for CaseDesk.",
    exercises="HTML-only mail (no text/plain part) with a <style> block, a table and a link",
)

add(
    key="pothole", slug="transport-pothole-inline-photo", date=when("2026-11-21 09:14:26"),
    from_=("Ravi Chandrasekar", "ravi.chandrasekar@example.com"),
    subject="Dangerous pothole on Histon Road - photo attached",
    body="""Dear Mr Morgan,

I'm attaching a photo of a pothole on Histon Road, in the northbound cycle lane about 30 metres past the junction with Gilbert Road, by the bus stop. It's roughly 60cm across and at least 10cm deep, and after rain it fills with water so you can't see how deep it is.

On Tuesday evening a woman on a bike hit it and came off right in front of me. Luckily the car behind stopped in time. She was badly shaken and hurt her wrist. I reported the pothole on the county council's highways website on 2 November and it is still showing as "under assessment".

I cycle this way every day with my daughter on the way to school. I'd be grateful if you could press the county council to repair it urgently, before somebody is seriously hurt, and ask how long it is supposed to take to repair a defect like this in a cycle lane.

Best wishes,

Ravi Chandrasekar
28 Leys Avenue
Cambridge CB4 2AN
07700 900903""",
    kind="inline_image", category="casework", topic="transport", source=WRITTEN,
    adapted="Written for CaseDesk; the photo is a generated 160x120 PNG.",
    exercises="multipart/related inside multipart/alternative: HTML references an inline image/png "
    "by cid:",
)

add(
    key="wages", slug="employment-unpaid-wages-administration", date=when("2026-11-20 10:48:33"),
    from_=("Kieran Doyle", "kieran.doyle@example.net"),
    subject="Owed 6 weeks' wages after employer went into administration",
    body="""Dear Alex Morgan,

I worked as a warehouse supervisor for Fenbridge Logistics at their site near Cambridge for seven years, until 18 September, when the company went into administration and all 64 of us were made redundant on the spot.

We were owed up to six weeks' wages, plus holiday pay, notice pay and redundancy pay. The administrators told us to claim from the Redundancy Payments Service, which I did on 22 September with everything they asked for. The government website said most claims are paid within six weeks. It has now been nine weeks. When I phone I am told my claim is "awaiting information from the insolvency practitioner" and there is nothing they can do.

I have found part-time work, but I have had to borrow from my parents to cover the mortgage for October and November, and Christmas is coming. Several former colleagues are in the same position and one has had to go to the food bank.

I understand the administrators have to send the employee records to the RPS, but it seems nobody is chasing it. Could you ask the Insolvency Service what the hold-up is and when claims from Fenbridge staff will be paid?

Kind regards,

Kieran Doyle
6 Fison Road
Cambridge CB5 8TW
07700 900541""",
    wrap=True, category="casework", topic="employment", source=WRITTEN,
    adapted="Written for CaseDesk (company and people invented).",
    exercises="employment casework affecting a group (possible linked cases)",
)

add(
    key="energy", slug="utilities-energy-backbill", date=when("2026-11-21 11:40:18"),
    from_=("Margaret Ilori", "margaret.ilori@example.com"),
    subject="Energy company demanding £1,482 for gas used years ago",
    body="""Dear Mr Morgan,

I am a pensioner living alone and I have always paid my gas and electricity by direct debit. I had a smart meter fitted in 2022, but it seems it stopped sending gas readings soon afterwards, and my supplier has been sending estimated bills ever since. I gave them readings over the phone twice, in 2024 and again this year, and I have the dates written down.

Last month they took an actual reading and sent me a "catch-up" bill for £1,482.16 covering gas from October 2022 to October 2026. They have also put my direct debit up from £96 to £188 a month.

The Energy Ombudsman's website says that under Ofgem's back-billing rules a supplier cannot charge you for energy used more than 12 months ago if the delay was their fault. That seems to be exactly my situation. When I said this on the phone they told me the bill was "correct" and I would have to complain in writing, which I have now done. I have not heard back.

I don't mind paying for the gas I used this year, but I cannot afford this and I am frightened to put the heating on. Could your office raise this with the supplier?

Yours sincerely,

Margaret Ilori
19 Perne Road
Cambridge CB1 3RT
01632 960884""",
    category="casework", topic="consumer_utilities", source=SRC["eo_backbill"],
    adapted="Energy Ombudsman guidance on Ofgem's 12-month back-billing rule applied to an invented "
    "pensioner's catch-up bill.",
    exercises="£ in Subject (UTF-8 encoded word); consumer/utilities topic",
)

add(
    key="damp_re", slug="re-housing-damp-followup-outlook", date=when("2026-11-18 07:40:12"),
    from_=("Kerry-Ann Walsh", "kerryann.walsh@example.com"), subject="RE: " + DAMP_SUBJECT,
    body="""Hi,

Sorry to email again. I wanted to update you since my email on Monday.

The council rang yesterday to say Friday's surveyor appointment is cancelled again because of "staff shortages", with no new date. On Sunday night my youngest had a bad asthma attack and we were at Addenbrooke's until 3am.

The complaints team have now emailed to say my complaint "was not logged" in September, so I have to wait another 10 working days.

Please can you chase this for me. Thank you for anything you can do.

Kerry-Ann""",
    quoted=dict(key="damp", sent="Monday, 16 November 2026 07:12"),
    kind="outlook_reply", reply_to="damp",
    headers=[("Thread-Topic", DAMP_SUBJECT), ("X-Mailer", "Microsoft Outlook 16.0")],
    category="casework", topic="housing", source=SRC["ho_kingston"],
    adapted="Follow-up written for CaseDesk continuing the damp case.",
    exercises="reply with In-Reply-To/References to the first mail, 'RE:' subject, Outlook-style "
    "quoted history (From/Sent/To/Subject block), text + HTML",
)

# --------------------------------------------------------------------------------------------
# Campaigns: a base text adapted from a real template, then personalised copies
# --------------------------------------------------------------------------------------------

PLATFORM = "actions.campaign-platform.example"

CAMPAIGNS = {
    "end-sewage-pollution": dict(
        short="sewage", topic="environment_planning", source=SRC["sas"], org="Surfers Against Sewage",
        subject="Please pipe up for our rivers and seas",
        greeting="Dear Alex Morgan,",
        paras=[
            "How do you feel about sewage being poured into rivers and seas across England more than 370,000 times last year, for a total of 2.6 million hours?",
            "I was shocked to learn that sewage is still being poured into our rivers and seas year after year, and that our own River Cam is no exception.",
            "The government's plan to reduce sewage discharges is thoroughly disappointing. It fails to recognise the urgency of the problem. Its targets stretch all the way to 2050, and more than half of storm overflows would still be discharging a toxic mix of sewage and chemicals into our waterways in 2040. That is simply too slow. The plan needs to be far more joined up, with targets for government and the regulators too, not just the water companies.",
            "This is a huge opportunity to make real progress, so that our rivers and seas are fit for everyone to enjoy and nature can thrive. At the moment that opportunity is being wasted.",
            "I'm calling on you, as my MP, to pipe up for our rivers and seas: please demand that the government adopts an action plan that is genuinely fit for purpose to end sewage pollution, and let me know what you will do.",
        ],
        signoff="Yours sincerely,",
        adapted="Surfers Against Sewage 'email your MP' template, shortened and reworded; figures as in "
        "the template; each copy personalised as listed.",
    ),
    "end-farrowing-crates": dict(
        short="farrowing", topic="animal_welfare", source=f"{SRC['cawf_template']} ; {SRC['cawf_crates']}",
        org="The Crate Escape", subject="End the use of farrowing crates",
        greeting="Dear Alex Morgan,",
        paras=[
            "I am writing to you as a constituent to urge you to call for a Government consultation on ending the use of pig farrowing crates in the UK.",
            "A farrowing crate is so narrow that the sow can stand up and lie down but cannot turn around. Sows are confined from about a week before giving birth until their piglets are weaned, which adds up to around a fifth of their adult breeding lives. They cannot perform natural behaviours such as nest building, rooting or interacting properly with their piglets, and many suffer painful sores on their legs, feet and shoulders from slipping or lying on hard, slatted floors.",
            "Several countries, including Norway, Sweden and Switzerland, have outlawed this practise, yet around 200,000 sows in the UK \u2013 some 60% of our breeding sows \u2013 are still kept in these systems every year.",
            "Workable free-farrowing alternatives already exist, and farmers should be supported to move to them. The Farm Animal Welfare Council has said that every farmed animal should have a life worth living. In a farrowing crate, a sow clearly does not.",
            "Will you raise this with Defra ministers and support an end to farrowing crates? I would be grateful to hear what action you intend to take.",
        ],
        signoff="Yours sincerely,",
        adapted="Conservative Animal Welfare Foundation proforma email on farrowing crates plus facts "
        "from its Crate Escape page, reworded; the base text deliberately keeps a 'practise' typo "
        "that one copy corrects.",
    ),
    "families-together": dict(
        short="refugees", topic="immigration", source=f"{SRC['rc_template']} ; {SRC['ft_asks']}",
        org="Families Together", subject="Reunite refugee families",
        greeting="Dear Alex Morgan MP,",
        paras=[
            "Right now, refugee children in the UK are kept apart from their parents because of the UK's unfair family reunion rules.",
            "When adult refugees are granted protection in the UK, they are allowed to sponsor some close family members to join them. Refugee children are not.",
            "That makes no sense. A child who is constantly worried about the safety of their mum, dad, brother or sister will find it far harder to concentrate at school or make friends. Every one of the UK's closest neighbours lets refugee children sponsor their parents to join them in safety.",
            "The Families Together coalition of more than 100 organisations is asking the Government to let child refugees sponsor their parents and siblings, to let adult refugees sponsor their parents, and to bring back legal aid for refugee family reunion.",
            "Changing the Immigration Rules so that families can be together would be quick and simple. Please will you tell me what you will do to help reunite refugee families?",
        ],
        signoff="Yours sincerely,",
        adapted="Refugee Council 'Families Together' card template and the coalition's three asks, "
        "reworded; each copy personalised as listed.",
    ),
}


def campaign_copy(campaign: str, variant: str, date: datetime, name: str, email: str,
                  address: list[str], exercises: str, **opts) -> None:
    """One personalised copy. opts: greeting, signoff, subject, order, insert=(index, text),
    replace=[(old, new)], prefix (paragraph before the first), relay, html, wrap."""
    c = CAMPAIGNS[campaign]
    paras = list(c["paras"])
    if "order" in opts:
        paras = [paras[i] for i in opts["order"]]
    if "insert" in opts:
        idx, text = opts["insert"]
        paras.insert(idx, text)
    if "prefix" in opts:
        paras.insert(0, opts["prefix"])
    body = "\n\n".join([opts.get("greeting", c["greeting"]), *paras,
                        opts.get("signoff", c["signoff"]), "\n".join([name, *address])])
    for old, new in opts.get("replace", []):
        assert old in body, (campaign, variant, old)
        body = body.replace(old, new)
    relay = opts.get("relay", False)
    if relay:
        body += (f"\n\n--\nThis email was sent by {name} ({email}) using an online campaign tool "
                 f"for {c['org']}. Reply directly to the sender; replies to this address are not read.")
    add(
        key=f"{campaign}-{variant}", slug=f"campaign-{c['short']}-{variant}", date=date,
        from_=(f"{name} via {c['org']}", f"noreply@{PLATFORM}") if relay else (name, email),
        reply_to_hdr=f"{name} <{email}>" if relay else None,
        subject=opts.get("subject", c["subject"]), body=body,
        kind="campaign_html" if opts.get("html") else "plain", wrap=opts.get("wrap", False),
        category="campaign", topic=c["topic"], campaign=campaign, source=c["source"],
        adapted=c["adapted"] if variant == "template" else opts.get("adapted", "Personalised copy."),
        exercises=exercises, org=c["org"],
    )


# --- Sewage (Surfers Against Sewage) -------------------------------------------------------
campaign_copy("end-sewage-pollution", "template", when("2026-11-16 09:30:05"), "Martin Greaves",
              "martin.greaves@example.com", ["4 Beche Road", "Cambridge CB5 8HX"],
              "campaign copy 1: the template as published, unchanged")
campaign_copy("end-sewage-pollution", "relay-placeholder", when("2026-11-16 14:02:44"), "Jess Thornbury",
              "jess.thornbury@example.com", ["Address: 61 Gwydir Street, Cambridge", "Postcode: CB1 2LG"],
              "campaign copy 2: sent by a campaign platform on the sender's behalf (From is the "
              "platform, Reply-To is the constituent); template placeholder 'XXX' left unfilled",
              relay=True,
              insert=(0, "How do you feel about sewage being poured into rivers and seas in your constituency last year over XXX times, a total of XXX hours?"),
              adapted="Platform copy: extra opening question from the template with its XXX "
              "placeholders left in, platform footer added.")
campaign_copy("end-sewage-pollution", "personal-paragraph", when("2026-11-16 22:15:31"), "Dr Anna Kowalski",
              "anna.kowalski@example.org", ["15 Eltisley Avenue", "Newnham", "Cambridge CB3 9JG"],
              "campaign copy 3: different greeting and sign-off, own subject, an added personal paragraph",
              greeting="Dear Mr Morgan,", signoff="Best wishes,", subject="Sewage in the Cam",
              insert=(2, "I swim at Grantchester Meadows most summer mornings and my children learned to paddle there. This year we stayed out of the water for weeks after heavy rain because of spill alerts upstream. It is heartbreaking to have a river like ours and not feel safe getting into it."),
              adapted="Added a personal paragraph about swimming in the Cam; greeting, sign-off and "
              "subject changed.")
campaign_copy("end-sewage-pollution", "typos", when("2026-11-17 17:44:02"), "Liam Fairbrother",
              "liamfairbrother@example.net", ["2 Sedgwick Street", "Cambridge", "CB1 3AJ"],
              "campaign copy 4: typos introduced, informal greeting and sign-off",
              greeting="Dear Alex,", signoff="Thanks,", wrap=True,
              replace=[("government's plan", "goverment's plan"), ("disappointing", "dissapointing"),
                       ("storm overflows", "storm overflws"), ("too slow", "to slow")],
              adapted="Typos introduced ('goverment', 'dissapointing', 'overflws', 'to slow'); "
              "informal greeting and sign-off.")
campaign_copy("end-sewage-pollution", "html", when("2026-11-18 15:05:27"), "Priya Natarajan",
              "priya.natarajan@example.com", ["9 Thoday Street", "Cambridge CB1 3AS"],
              "campaign copy 5: HTML version from the campaign web form (multipart/alternative)",
              html=True, adapted="Same text sent as styled HTML by the campaign web form.")
campaign_copy("end-sewage-pollution", "reordered", when("2026-11-19 19:30:48"), "George Abbott",
              "g.abbott@example.net", ["70 Chesterton Road", "Cambridge", "cb4 1er"],
              "campaign copy 6: paragraphs reordered, different sign-off, postcode typed in lower case",
              order=[1, 4, 0, 2, 3], signoff="Kind regards,",
              adapted="Paragraphs reordered (ask moved up); sign-off changed; postcode in lower case.")

# --- Farrowing crates (CAWF) ---------------------------------------------------------------
campaign_copy("end-farrowing-crates", "template", when("2026-11-16 11:58:19"), "Susan Redfern",
              "susan.redfern@example.com", ["33 Blinco Grove", "Cambridge CB1 7TS"],
              "campaign copy 1: the template as published (keeps the 'practise' typo)")
campaign_copy("end-farrowing-crates", "personal-sentence", when("2026-11-17 09:50:36"), "James Whitlock",
              "james.whitlock@example.org", ["5 Humberstone Road", "Cambridge CB4 1JD"],
              "campaign copy 2: an added personal sentence in the first paragraph, different sign-off",
              signoff="With thanks,",
              replace=[("pig farrowing crates in the UK.", "pig farrowing crates in the UK. I grew up on a mixed farm in Norfolk and I know how much good farmers care about their animals, but crates are not something any of us should be proud of.")],
              adapted="Personal sentence added about growing up on a farm; sign-off changed.")
campaign_copy("end-farrowing-crates", "typo-fixed", when("2026-11-17 23:02:58"), "Elena Petrou",
              "elena.petrou@example.net", ["18 Lyndewode Road", "Cambridge CB1 2HN"],
              "campaign copy 3: the template's typo corrected ('practise' -> 'practice'), different greeting",
              greeting="Dear Mr Morgan,", wrap=True, replace=[("this practise", "this practice")],
              adapted="Template typo corrected; greeting changed.")
campaign_copy("end-farrowing-crates", "relay", when("2026-11-18 18:25:14"), "Tom Hadfield",
              "tom.hadfield@example.com", ["Address: 40 Searle Street, Cambridge", "Postcode: CB4 3DB"],
              "campaign copy 4: platform relay (From is the platform, Reply-To is the constituent)",
              relay=True, adapted="Sent through a campaign platform with its footer.")
campaign_copy("end-farrowing-crates", "html", when("2026-11-19 13:30:22"), "Rebecca Moss",
              "rebecca.moss@example.org", ["7 Rustat Road", "Cambridge CB1 3QR"],
              "campaign copy 5: HTML version (multipart/alternative) with the platform's styling",
              html=True, adapted="Same text sent as styled HTML.")
campaign_copy("end-farrowing-crates", "reordered-outside", when("2026-11-20 18:02:40"), "Graham Pell",
              "graham.pell@example.net", ["12 Kneesworth Street", "Royston", "SG8 5AA"],
              "campaign copy 6: paragraphs reordered, sender OUTSIDE the constituency (SG8, Royston)",
              order=[0, 2, 1, 3, 4], signoff="Regards,",
              adapted="Facts paragraph moved ahead of the description; sign-off changed; sender lives "
              "outside the constituency.")

# --- Families Together (Refugee Council) ---------------------------------------------------
campaign_copy("families-together", "template", when("2026-11-16 19:48:10"), "Catherine Mwangi",
              "catherine.mwangi@example.com", ["23 Vinery Road", "Cambridge CB1 3DN"],
              "campaign copy 1: the template as published")
campaign_copy("families-together", "personal-paragraph", when("2026-11-17 12:45:03"), "Ben Lowther",
              "ben.lowther@example.org", ["3 Springfield Road", "Cambridge CB4 1AD"],
              "campaign copy 2: an added personal paragraph, different sign-off",
              signoff="Best wishes,",
              insert=(3, "I volunteer teaching English at a drop-in in Cambridge. One of my students is a 15-year-old boy who came here alone. He is doing well at school, but every week he asks me whether there is any way his mother can come. I have never known what to tell him."),
              adapted="Personal paragraph about volunteering with a separated teenager; sign-off changed.")
campaign_copy("families-together", "greeting-changed", when("2026-11-18 10:22:56"), "Hollie Sandhu",
              "hollie.sandhu@example.net", ["44 Stretten Avenue", "Cambridge CB4 3EP"],
              "campaign copy 3: different greeting, sign-off and subject; opening line added",
              greeting="Dear Alex Morgan,", signoff="With best wishes,",
              subject="Please help reunite refugee children with their parents",
              prefix="As your constituent, I'm writing about something I care about deeply.",
              adapted="Opening line added; greeting, sign-off and subject changed.")
campaign_copy("families-together", "reordered", when("2026-11-19 10:10:29"), "Daniel Osei",
              "daniel.osei@example.com", ["101 Ditton Fields", "Cambridge CB5 8QY"],
              "campaign copy 4: paragraphs reordered", order=[3, 0, 1, 2, 4], wrap=True,
              adapted="Coalition asks moved to the top.")
campaign_copy("families-together", "html", when("2026-11-20 13:25:51"), "Maryam Qureshi",
              "maryam.qureshi@example.org", ["8 Ainsworth Street", "Cambridge CB1 2PF"],
              "campaign copy 5: HTML version (multipart/alternative)", html=True,
              adapted="Same text sent as styled HTML.")
campaign_copy("families-together", "placeholder-typo", when("2026-11-21 15:22:07"), "Lucy Brennan-Hart",
              "lucy.bh@example.com", ["29 Glisson Road", "Cambridge CB1 2HA"],
              "campaign copy 6: greeting placeholder left unfilled ('Dear _______ MP'), a typo "
              "introduced, short sign-off",
              greeting="Dear _______ MP", signoff="Lucy",
              replace=[("Immigration Rules", "Imigration Rules"), ("neighbours", "neighbors")],
              adapted="Card template greeting left unfilled; typos introduced; sign-off is just a name.")

# --------------------------------------------------------------------------------------------
# Policy (individual opinions, not templates)
# --------------------------------------------------------------------------------------------

add(
    key="pol_water", slug="policy-water-and-growth", date=when("2026-11-17 16:02:11"),
    from_=("Helen Ashby", "helen.ashby@example.org"),
    subject="Water supply and the scale of growth planned for Cambridge",
    body="""Dear Alex Morgan,

I am writing about the government's plans for major housing and laboratory growth in and around Cambridge, and specifically about water.

I am not against new homes; my own children cannot afford to live in the city they grew up in. But I have walked along Hobson's Brook and the chalk streams south of the city for thirty years, and in the last few summers stretches of them have simply dried up. Most of our water comes from the chalk aquifer beneath us, and local campaigners have been warning for years that we are already taking more than the rivers can stand. The new Fens Reservoir is not expected to supply water until well into the 2030s.

It seems to me the wrong way round to grant permission for thousands of new homes first and hope the water follows. I would like to see:

- water infrastructure agreed and funded before large developments are approved, not after;
- the water companies given a stronger say in the planning process, so that they can object when supply is not there;
- serious investment in cutting leaks and in water efficiency in both new and existing homes.

I would be grateful to know your view, and whether you will raise this with ministers and with the bodies now in charge of planning Cambridge's growth.

Yours sincerely,

Helen Ashby
11 Bateman Street
Cambridge CB2 1NB""",
    wrap=True, category="policy", topic="environment_planning", source=SRC["cam_water"],
    adapted="Written for CaseDesk; the concern (water supply cannot sustain development) echoes the "
    "Friends of the Cam campaign page, no text copied.",
    exercises="individual policy opinion with a bulleted list",
)

add(
    key="pol_dying", slug="policy-assisted-dying", date=when("2026-11-18 20:55:38"),
    from_=("Peter Lindqvist", "p.lindqvist@example.net"),
    subject="Assisted dying - please keep listening to families like mine",
    body="""Dear Mr Morgan,

I have never written to an MP before, so please forgive me if this is not the usual way.

My wife, Karin, died of motor neurone disease in 2023. She was a GP in Cambridge for over twenty years and knew exactly what was coming. In her last months she could not swallow or speak, and she communicated with an eye-gaze board. She had excellent palliative care, and I will always be grateful to the hospice team. But she told me, many times, that she wanted the choice to end things at a moment of her own choosing, and the law did not allow it.

As the assisted dying legislation continues through Parliament, I wanted you to know that I support the principle very strongly, for people who are terminally ill and have mental capacity. I also understand why many people are worried. I would not want anyone to feel they are a burden, and I think the safeguards, the independent scrutiny and proper funding for palliative care all matter enormously. It should never be a choice made because good care was not available.

I would be grateful to know how you intend to vote at the remaining stages, and what you think of the safeguards as they stand.

With best wishes,

Peter Lindqvist
6 Selwyn Gardens
Cambridge CB3 9AX""",
    kind="alt", category="policy", topic="health", source=WRITTEN,
    adapted="Written for CaseDesk.", exercises="personal, emotional policy letter (not a template)",
)

add(
    key="pol_carers", slug="policy-carers-allowance-taper-outside", date=when("2026-11-20 16:35:02"),
    from_=("Dr Anjali Rao", "anjali.rao@example.org"),
    subject="Carer's Allowance earnings limit should be a taper, not a cliff edge",
    body="""Dear Alex Morgan,

I am writing to several MPs who have spoken about unpaid carers, including you.

I am a GP partner and I see every week how much unpaid carers save the NHS and social care. Yet the rules for Carer's Allowance punish the very people who try to combine caring with a few hours of paid work. Earn a penny over the weekly limit and you lose the whole allowance for that week. Worse, the DWP often does not spot it for months or years, and then demands thousands of pounds back from people on low incomes.

Raising the limit helps, but it does not fix the design. Almost every other income-related benefit, including Universal Credit, reduces gradually as earnings rise. I believe Carer's Allowance should do the same: a taper, so that earning a little more never leaves a carer worse off. I would also like to see the DWP use the real-time earnings data it already receives to warn carers before an overpayment builds up, rather than after.

Will you support a taper, and press ministers to act on the findings of the review of overpayments?

Yours sincerely,

Dr Anjali Rao
14 Headingley Avenue
Leeds LS6 1AN""",
    category="policy", topic="benefits", source=WRITTEN,
    adapted="Written for CaseDesk.",
    exercises="policy opinion from OUTSIDE the constituency (LS6, Leeds)",
)

add(
    key="pol_aid", slug="policy-overseas-aid-cut", date=when("2026-11-22 10:03:45"),
    from_=("Tom Whitfield", "tom.whitfield@example.com"),
    subject="The cut to overseas aid",
    body="""Dear Mr Morgan,

I want to register my disappointment at the cut in the UK aid budget to 0.3% of national income by 2027.

I spent four years working for a small health charity in southern Malawi, running a programme that trained community health workers to treat childhood pneumonia and malaria in villages hours from the nearest clinic. Much of its funding came, directly or indirectly, from UK aid. I saw what that money did: children who would otherwise have died did not. Since the cuts began, programmes like it have closed or shrunk, and the people who ran them have been laid off.

I understand that defence spending has to rise and that budgets are tight. But aid is a tiny share of public spending, and cutting it this far saves relatively little while costing lives. It also damages the UK's standing with the very countries whose support we will need on climate, migration and security.

Will you press the government to set out a clear timetable for returning to 0.7%, and in the meantime to protect spending on global health and humanitarian emergencies?

Yours sincerely,

Tom Whitfield
20 Panton Street
Cambridge CB2 1HS""",
    wrap=True, category="policy", topic="international", source=WRITTEN,
    adapted="Written for CaseDesk.", exercises="policy opinion on an international issue, sent on a Sunday",
)

# --------------------------------------------------------------------------------------------
# Invitations
# --------------------------------------------------------------------------------------------

add(
    key="inv_school", slug="invitation-school-visit", date=when("2026-11-16 15:33:27"),
    from_=("Deborah Kaye", "head@arburyparkprimary.example"),
    subject="Invitation to visit Arbury Park Primary - Year 6 questions for our MP",
    body="""Dear Mr Morgan,

I am the headteacher of Arbury Park Primary School, and I am writing to invite you to visit our Year 6 classes this term.

Our Year 6 pupils have been learning about how laws are made and have been running their own school parliament, with elections, debates and a "bill" to ban single-use plastic from the school canteen. They would love the chance to question their real MP, and they have already drawn up a list of (very direct!) questions.

We could offer either of the following:

- Friday 4 December 2026, 9:15 to 10:30am
- Friday 11 December 2026, 9:15 to 10:30am

The visit would include a short tour, around 40 minutes of questions in the hall with about 60 pupils, and a chance to see the school parliament's "chamber". Parents have given consent for photographs, and we would be happy to share any for your newsletter.

The school is on Mere Way, Cambridge CB4 2PG, with parking on site. Please let me know which date suits you, or suggest an alternative in January if neither works.

With best wishes,

Deborah Kaye
Headteacher, Arbury Park Primary School
01632 960310""",
    kind="alt", category="invitation", topic="education", source=WRITTEN,
    adapted="Written for CaseDesk (school invented).", exercises="invitation with two date options",
)

add(
    key="inv_parade", slug="invitation-lantern-parade", date=when("2026-11-18 12:30:16"),
    from_=("Chloe Abernethy", "hello@romseylanterns.example"),
    subject="Romsey Winter Lantern Parade - Saturday 12 December",
    body="""Hi Alex,

On behalf of the volunteers who organise the Romsey Winter Lantern Parade, I'd like to invite you to join us this year.

The parade is on Saturday 12 December 2026. We gather at 4:30pm at Romsey Recreation Ground, set off at 5pm and walk along Mill Road to a finish with hot chocolate, a brass band and a lantern display at about 6pm. Last year more than 800 people took part, most carrying lanterns they made at free workshops in local schools, the library and the mosque.

It's a completely non-political, family event, so we wouldn't ask you to make a speech. But the children love it when local figures carry a lantern with them, and we'd be delighted if you would walk with us and help judge the lantern competition (under-8s and over-8s).

There's a free lantern-making workshop for anyone who wants to make their own on Saturday 5 December, 10am to 1pm, at the community centre.

Could you let me know by 1 December whether you can come, so we can plan the judging?

Warmly,
Chloe Abernethy
Romsey Winter Lantern Parade (volunteer organiser)
07700 900710""",
    category="invitation", topic="other", source=WRITTEN,
    adapted="Written for CaseDesk (event invented).", exercises="community event invitation with an RSVP date",
)

add(
    key="inv_bakery", slug="invitation-bakery-opening", date=when("2026-11-20 12:10:55"),
    from_=("Luis Ortega", "luis@hearthandcrumb.example"),
    subject="Opening of Hearth & Crumb bakery, Hills Road - Sat 28 Nov, 10am",
    body="""Dear Mr Morgan,

After two years of planning, my partner and I are opening our bakery and café, Hearth & Crumb, at 142 Hills Road on Saturday 28 November 2026, and we would be honoured if you could cut the ribbon at 10am.

We started out baking from a market stall on Market Square in 2022, and this is our first shop. We have taken on nine local staff, including two apprentices from Cambridge Regional College, and all our flour comes from a mill in East Anglia. We will also be giving our unsold bread each evening to a food project in Abbey.

The opening would take about 30 minutes: a short welcome from us, the ribbon, and then coffee and pastries for neighbours and customers. The local paper has said they will send a photographer.

If Saturday morning is not possible, we would be very happy to welcome you for a visit at another time before Christmas.

Best regards,

Luis Ortega
Co-owner, Hearth & Crumb
142 Hills Road, Cambridge CB2 8PE
07700 900322""",
    category="invitation", topic="other", source=WRITTEN,
    adapted="Written for CaseDesk (business invented).",
    exercises="business opening with a fixed time; ampersand in the subject",
)

add(
    key="inv_carers", slug="invitation-carers-reception", date=when("2026-11-20 11:30:04"),
    from_=("Cambridge Carers Network", "events@cambridgecarers.example"),
    subject="Invitation: Winter reception for unpaid carers, Wednesday 9 December",
    body="""Dear Alex Morgan MP,

The trustees of Cambridge Carers Network warmly invite you to our annual winter reception, celebrating the unpaid carers of Cambridge and the volunteers who support them.

Date: Wednesday 9 December 2026
Time: 6pm to 8pm (short speeches at 6:45pm)
Place: The Small Hall, Cambridge Guildhall, Market Square, Cambridge CB2 3QJ

There are more than 10,000 unpaid carers in Cambridge, many of them looking after a relative with dementia, a disability or a long-term illness while holding down a job. The evening is a chance for them to be thanked, and for decision-makers to hear directly about what would make the biggest difference, from respite breaks to the Carer's Allowance earnings rules.

We would be delighted if you could attend and say a few words (no more than five minutes) after our chair's welcome. Light refreshments will be served, and the venue is fully accessible.

Please RSVP by Monday 30 November to events@cambridgecarers.example or 01632 960455, letting us know of any access requirements.

With best wishes,

Margaret Olawale
Chair of Trustees, Cambridge Carers Network
Registered charity (demo)""",
    kind="alt", category="invitation", topic="social_care", source=WRITTEN,
    adapted="Written for CaseDesk (charity invented).",
    exercises="charity reception with date, time, venue and RSVP deadline",
)

# --------------------------------------------------------------------------------------------
# Press
# --------------------------------------------------------------------------------------------

add(
    key="press_national", slug="press-national-same-day-deadline", date=when("2026-11-19 09:05:12"),
    from_=("Tom Ashdown", "tom.ashdown@dailycourier.example"),
    subject="Media enquiry: NHS dentistry in Cambridge - deadline 4pm TODAY",
    body="""Hi,

I'm the health correspondent at The Daily Courier. We're running a piece in tomorrow's paper, and online this evening, on access to NHS dentistry, and I'd like to include a response from Alex Morgan.

Our analysis of NHS data, shared with us by a patients' group, suggests that none of the dental practices within the Cambridge constituency accepted new adult NHS patients in the last quarter, and that children in Cambridgeshire are waiting longer for hospital tooth extractions than almost anywhere in England.

Could Mr Morgan answer the following?

1. Has he been contacted by constituents unable to find an NHS dentist, and roughly how many?
2. Does he think the current NHS dental contract is working?
3. What is he calling on the government to do, and by when?

My deadline is 4pm today (Thursday 19 November). A short statement of two or three sentences would be fine if that is easier. If Mr Morgan is available for a quick phone interview before 3pm, even better.

Many thanks,

Tom Ashdown
Health Correspondent, The Daily Courier
020 7946 0381 / 07700 900860""",
    category="press", topic="health", urgent=True, source=WRITTEN,
    adapted="Written for CaseDesk (journalist and paper invented).",
    exercises="urgent press enquiry with a same-day deadline",
)

add(
    key="press_local", slug="press-local-request-for-comment", date=when("2026-11-19 15:50:37"),
    from_=("Priya Shah", "priya.shah@cambridgechronicle.example"),
    subject="Request for comment - proposed cuts to north Cambridge bus routes",
    body="""Dear Alex,

I'm writing a story for next Wednesday's Cambridge Chronicle about the bus operator's proposal to cut evening and Sunday services on two routes serving Arbury, King's Hedges and Orchard Park from January.

Residents' groups say the changes would leave shift workers at the hospital and the science parks without a way home after 7pm, and that older people would be cut off on Sundays. The operator says passenger numbers on those journeys have not recovered and that it has asked the county council and the combined authority for support.

I'd be grateful for a comment from Mr Morgan on:

- whether he supports the residents' campaign to keep the evening and Sunday buses;
- whether he has raised the issue with the operator, the council or the combined authority;
- what he thinks should happen to bus funding in the Cambridge area.

My deadline is 12 noon on Monday 23 November. Happy to take a written statement or arrange a short call.

Best wishes,

Priya Shah
Reporter, Cambridge Chronicle
01632 960571""",
    kind="alt", category="press", topic="transport", source=WRITTEN,
    adapted="Written for CaseDesk (paper and reporter invented).",
    exercises="local paper request for comment with a deadline days away (not urgent)",
)

# --------------------------------------------------------------------------------------------
# Abuse
# --------------------------------------------------------------------------------------------

add(
    key="abuse_insult", slug="abuse-insulting", date=when("2026-11-17 20:19:50"),
    from_=("Dave K", "dk1974@example.net"), subject="you are a disgrace",
    body="""You are an absolute disgrace and a waste of space. I wrote to you in the summer about the roadworks on my street and got a mealy-mouthed form letter from some kid in your office, and nothing has happened since.

You lot are all the same. Smile for the cameras, fill your boots with expenses and second jobs, and then vanish until the next election. You haven't got a clue what real people in this city are dealing with because you've never done a proper day's work in your life.

Pathetic. You should be ashamed to take your salary. Don't bother sending me another of your useless replies either, I'll just delete it. I hope the voters in this city wake up and get rid of you and the rest of the clowns next time round.

Dave""",
    category="abuse", topic="other", source=WRITTEN,
    adapted="Written for CaseDesk.", exercises="abusive and insulting, no threat (not urgent)",
)

add(
    key="abuse_threat", slug="abuse-threat", date=when("2026-11-19 17:05:23"),
    from_=("Cambridge Patriot", "cambridge.patriot@example.com"), subject="Final warning",
    body="""I've seen you on the local news again going on about "reuniting families" and putting more of them up in hotels in our city while local people can't get a council flat.

People round here have had enough of you and your kind. We know you do your surgery at the library on a Saturday morning, and we know what car your office lot drive.

Keep pushing this and you'll find out how angry people really are. Next time you walk out of that library you might not be walking anywhere. Think about that before you open your mouth again.

Consider this your one and only warning. We are watching.""",
    category="abuse", topic="immigration", urgent=True, source=WRITTEN,
    adapted="Written for CaseDesk; deliberately realistic but not graphic.",
    exercises="threat to the MP's safety, mentions the surgery location - URGENT, escalate to police",
)

# --------------------------------------------------------------------------------------------
# Spam
# --------------------------------------------------------------------------------------------

add(
    key="spam_seo", slug="spam-seo-marketing", date=when("2026-11-16 10:05:51"),
    from_=("Ryan Mitchell | RankRocket Digital", "ryan@rankrocket-digital.example"),
    subject="Alex Morgan MP website - 7 critical issues found (quick fix)",
    body="""Hi there,

I was checking your website this morning and noticed it is NOT on page 1 of Google for "Cambridge MP" or "MP for Cambridge". Our free audit tool found 7 critical SEO errors that are costing you visitors every single day:

- Missing meta descriptions on 23 pages
- Slow mobile load time (6.2 seconds)
- No backlinks from high-authority news domains
- Broken schema markup
...and 3 more issues we can show you on a quick call.

At RankRocket Digital we have helped over 400 businesses, politicians and public figures reach the TOP of Google. We GUARANTEE a page 1 ranking within 30 days or your money back. Packages start at just £299/month, and this week only we are including 50 high-DA guest posts for FREE.

Just reply "YES" and I will send over the full report and a custom proposal. If you are not the right person, please forward this to whoever manages your website.

Cheers,
Ryan Mitchell
Growth Consultant, RankRocket Digital

If you don't want to hear from me again, simply reply "NO".""",
    category="spam", topic="other", source=WRITTEN,
    adapted="Written for CaseDesk.", exercises="SEO/marketing spam",
)

PHISH_TEXT = """Dear User,

Your mailbox alex.morgan.mp@parliament.example has exceeded the storage limit set by your administrator (98% used). You may not be able to send or receive new messages until you validate your mailbox.

To avoid interruption of service and permanent loss of email data, please validate your account within 24 hours using the secure link below:

Validate mailbox: https://parliament-mailbox.example/owa/verify?user=alex.morgan.mp

Failure to validate will result in your mailbox being suspended and pending messages being deleted.

Thank you for your cooperation.

Parliamentary Digital Service - IT Service Desk
This is an automated message. Please do not reply."""

PHISH_HTML = """<html><body style="font-family:Segoe UI,Arial,sans-serif;font-size:14px">
<table width="100%" cellpadding="0" cellspacing="0"><tr><td style="background:#0b6e4f;color:#fff;padding:12px 16px;font-size:18px">
Mailbox Storage Alert</td></tr></table>
<p>Dear User,</p>
<p>Your mailbox <b>alex.morgan.mp@parliament.example</b> has exceeded the storage limit set by your administrator (<span style="color:#c00"><b>98% used</b></span>). You may not be able to send or receive new messages until you validate your mailbox.</p>
<p>To avoid interruption of service and permanent loss of email data, please validate your account within <b>24 hours</b>.</p>
<p style="margin:20px 0"><a href="https://parliament-mailbox.example/owa/verify?user=alex.morgan.mp" style="background:#0b6e4f;color:#fff;padding:10px 18px;text-decoration:none;border-radius:3px">Validate mailbox</a></p>
<p>Failure to validate will result in your mailbox being suspended and pending messages being deleted.</p>
<p>Thank you for your cooperation.</p>
<p style="color:#777;font-size:12px">Parliamentary Digital Service - IT Service Desk<br>This is an automated message. Please do not reply.</p>
</body></html>
"""

add(
    key="spam_phish", slug="spam-mailbox-quota-phishing", date=when("2026-11-17 10:27:33"),
    from_=("IT Service Desk", "it-servicedesk@parliament-mailbox.example"),
    subject="Action required: your mailbox has exceeded its storage quota (98%)",
    body=PHISH_TEXT, html=PHISH_HTML, kind="alt",
    category="spam", topic="other", source=WRITTEN,
    adapted="Written for CaseDesk in the style of common credential-phishing mails.",
    exercises="phishing: look-alike sender domain, urgent tone, link to a non-parliament domain",
)

add(
    key="spam_prize", slug="spam-prize-scam", date=when("2026-11-19 12:02:09", "+0100"),
    from_=("UK International Lottery Board", "claims.desk@uk-lotto-promo.example"),
    reply_to_hdr="Mr David Collins <d.collins.claims@example.net>",
    subject="CONGRATULATIONS!!! Your Email Address Has Won £850,000.00 GBP",
    body="""ATTN: WINNER

We are pleased to inform you that your email address has been selected as one of the five (5) lucky winners in the UK INTERNATIONAL LOTTERY ONLINE PROMOTION held on 14th November 2026. Your email was drawn from over 25,000,000 email addresses worldwide.

You have therefore been approved for a lump sum payout of £850,000.00 (Eight Hundred and Fifty Thousand Great British Pounds).

WINNING DETAILS:
Ticket Number: 56475600545-188
Batch Number: 7786/09/UK
Reference Number: UKIL/2026/8832

To begin the processing of your prize, contact our claims agent Mr David Collins with the following: full name, home address, age, occupation, telephone number and a copy of any ID. A one-time insurance and processing fee of £385 applies and must be paid before release of funds.

For security reasons you are advised to keep your winning information CONFIDENTIAL until your claim is processed, to avoid double claiming.

Once again, CONGRATULATIONS!!!

Mrs Grace Whitmore
Online Coordinator, UK International Lottery Board""",
    category="spam", topic="other", source=WRITTEN,
    adapted="Written for CaseDesk in the style of advance-fee lottery scams.",
    exercises="prize scam: Reply-To differs from From, +0100 Date, £ in Subject",
)

add(
    key="spam_award", slug="spam-vanity-award", date=when("2026-11-21 13:05:40"),
    from_=("Parliamentary Excellence Awards", "nominations@parliamentary-excellence-awards.example"),
    subject="Congratulations - Alex Morgan MP shortlisted for Constituency MP of the Year 2026",
    body="""Dear Alex Morgan MP,

Congratulations! Following a rigorous review by our independent judging panel, we are delighted to inform you that you have been SHORTLISTED for Constituency MP of the Year at the Parliamentary Excellence Awards 2026.

Shortlisted nominees are recognised for outstanding service to their constituents, and winners will be announced at our black-tie gala dinner at a prestigious central London venue on Thursday 28 January 2027.

To confirm your place on the shortlist, please complete the attached confirmation form and secure your gala dinner seat (£595 + VAT per guest) by Friday 27 November. Confirmed nominees also receive a full-page profile in our souvenir awards publication, distributed to over 5,000 senior leaders across government and industry (profile fee £1,250 + VAT, optional but highly recommended).

Places are limited and nominations that are not confirmed by the deadline will be passed to the next candidate on the reserve list.

We look forward to celebrating your achievement.

Warm regards,

Olivia Grant
Awards Director, Parliamentary Excellence Awards""",
    category="spam", topic="other", source=WRITTEN,
    adapted="Written for CaseDesk in the style of pay-to-enter 'vanity award' solicitations.",
    exercises="vanity-award spam that looks like an invitation",
)

# --------------------------------------------------------------------------------------------
# Other
# --------------------------------------------------------------------------------------------

add(
    key="ooo", slug="other-out-of-office-autoreply", date=when("2026-11-16 17:32:08"),
    from_=("Sarah Penfold", "sarah.penfold@cambridge.example"),
    subject="Automatic reply: MP enquiry ref AM/26/1187 - Ms K Walsh, Campkin Road",
    body="""Thank you for your email.

I am out of the office until Monday 23 November 2026 with no access to email. Your message will not be forwarded.

If your enquiry is about an urgent repair, such as a gas leak, flooding or no heating or hot water, please contact the council's repairs line on 01632 960000, which is open 24 hours a day.

For all enquiries from MPs and councillors about housing, please email members.enquiries@cambridge.example, where a colleague will log your enquiry and respond within our usual timescales.

Kind regards,

Sarah Penfold
Housing Services Officer
Cambridge City Council (demo)""",
    headers=[("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All"),
             ("In-Reply-To", "<outbound-1187@parliament.example>"),
             ("References", "<outbound-1187@parliament.example>")],
    category="other", topic="other", source=WRITTEN,
    adapted="Written for CaseDesk.",
    exercises="auto-reply (Auto-Submitted: auto-replied) to mail the office sent; must not open a case",
)

NEWSLETTER_TEXT = """THE WEEK IN POLICY | Issue 212 | 18 November 2026
Fenland Policy Institute

Good morning,

Here is your weekly round-up of research and events from the Fenland Policy Institute.

1. Temporary accommodation in the East of England
Our new briefing finds that councils in the region spent more on temporary accommodation last year than ever before, and that families in Cambridge are now spending an average of 14 months in it. Read the briefing: https://fenlandpolicy.example/briefings/temporary-accommodation-2026

2. Growth and water
Can Greater Cambridge grow without running out of water? Our senior fellow looks at abstraction limits, the Fens Reservoir timetable and what "water-neutral" development would really mean. https://fenlandpolicy.example/blog/growth-and-water

3. Apprenticeships
New analysis of apprenticeship starts shows a sharp fall among 16 to 18 year olds in rural Cambridgeshire since 2019. https://fenlandpolicy.example/research/apprenticeships

EVENTS
Webinar: Planning for water-scarce growth. Thursday 3 December, 12:30 to 13:30. Free, registration required: https://fenlandpolicy.example/events/water-webinar

You are receiving this email because you subscribed to The Week in Policy.
Unsubscribe: https://fenlandpolicy.example/unsubscribe?u=4f1c2a
Fenland Policy Institute (demo), Cambridge"""

add(
    key="newsletter", slug="other-newsletter", date=when("2026-11-18 08:15:00", "-0500"),
    from_=("Fenland Policy Institute", "newsletter@fenlandpolicy.example"),
    subject="The Week in Policy #212: temporary accommodation, growth and water, apprenticeships",
    body=NEWSLETTER_TEXT, kind="newsletter",
    headers=[("List-Id", "The Week in Policy <weekly.fenlandpolicy.example>"),
             ("List-Unsubscribe", "<https://fenlandpolicy.example/unsubscribe?u=4f1c2a>, "
                                  "<mailto:unsubscribe@fenlandpolicy.example?subject=unsubscribe>"),
             ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
             ("Precedence", "bulk")],
    category="other", topic="other", source=WRITTEN,
    adapted="Written for CaseDesk (organisation invented).",
    exercises="bulk newsletter with List-Unsubscribe, Precedence: bulk, Date in -0500, text + HTML",
)

add(
    key="dsn", slug="other-bounce-undeliverable", date=when("2026-11-20 09:35:41"),
    from_=("Mail Delivery Subsystem", "MAILER-DAEMON@parliament.example"),
    subject="Undelivered Mail Returned to Sender",
    body="""This is the mail system at host mx1.parliament.example.

Your message could not be delivered to one or more recipients. It is attached below.

The recipient's mail server reported that the address does not exist. This usually means the address was mistyped. Please check the spelling of the address, for example against the constituent's original email, and send your message again.

If you need help, please contact your IT service desk and quote the queue ID shown in the delivery report.

<kerryanne.walsh@example.com>: host mx.example.com said: 550 5.1.1 <kerryanne.walsh@example.com>: Recipient address rejected: User unknown in virtual mailbox table""",
    kind="dsn", category="other", topic="other", source=WRITTEN,
    adapted="Written for CaseDesk (a reply sent by the office to a misspelt address).",
    exercises="delivery status notification: multipart/report with message/delivery-status and "
    "text/rfc822-headers; empty envelope-style sender",
)


# --------------------------------------------------------------------------------------------
# Binary attachments: a tiny valid PDF and PNG, built by hand
# --------------------------------------------------------------------------------------------


def make_pdf(lines: list[tuple[str, int, int, str]], title: str) -> bytes:
    """One A4 page of Type1 text. lines: (font F1|F2, size, y, text). Offsets computed exactly."""

    def pdf_str(s: str) -> bytes:
        b = s.encode("cp1252")
        return b"(" + b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    content = b"".join(
        b"BT /%s %d Tf 56 %d Td %s Tj ET\n" % (font.encode(), size, y, pdf_str(text))
        for font, size, y, text in lines if text
    ) + b"0.6 w 56 726 m 539 726 l S\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title " + pdf_str(title) + b" /Producer (CaseDesk samples/build_inbox.py) "
        b"/CreationDate (D:20261112090000Z) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref_at)
    return bytes(out)


def notice_pdf() -> bytes:
    y = 790
    lines = [("F2", 11, y, "IN THE COUNTY COURT AT CAMBRIDGE"), ("F1", 10, y - 16, "Claim number: K00CB417")]
    y = 750
    lines.append(("F2", 18, y - 10, "Notice of possession proceedings"))
    body = [
        ("F1", "Claimant:  R. Haldane Property Ltd"),
        ("F1", "Defendants:  Tomasz Nowak and Agnieszka Nowak"),
        ("F1", "Property:  Flat 3, 212 Mill Road, Cambridge CB1 3NF"),
        ("F1", ""),
        ("F2", "TAKE NOTICE that the claim for possession of the property will be heard on:"),
        ("F2", "Tuesday 24 November 2026 at 10:30 am"),
        ("F1", "at Cambridge County Court, 197 East Road, Cambridge CB1 1BA."),
        ("F1", "Time allowed: 15 minutes."),
        ("F1", ""),
        ("F1", "The claim is made under section 21 of the Housing Act 1988 (notice served April 2026)."),
        ("F1", "You should attend the hearing. If you do not attend, the court may make a possession"),
        ("F1", "order in your absence. Free legal advice may be available from the housing duty"),
        ("F1", "adviser at court on the day of the hearing."),
        ("F1", ""),
        ("F1", "Dated: 28 October 2026"),
        ("F1", ""),
        ("F2", "SAMPLE DOCUMENT generated for the CaseDesk demo. Not a real court notice."),
    ]
    y = 700
    for font, text in body:
        lines.append((font, 11, y, text))
        y -= 18
    return make_pdf(lines, "Notice of possession proceedings")


def make_png(width: int = 160, height: int = 120) -> bytes:
    """A cartoon pothole in a cycle lane: asphalt, a white lane line, a dark water-filled hole."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            noise = ((x * 7 + y * 13) ^ (x * y)) % 9
            r = g = b = 92 + noise
            if 18 <= x <= 23:  # lane line
                r = g = b = 230 - noise
            dx, dy = (x - 95) / 42, (y - 66) / 26
            d = dx * dx + dy * dy
            if d < 1.0:
                r, g, b = (40 + noise // 2, 44 + noise // 2, 52 + noise // 2)
                if d < 0.55:  # puddle
                    r, g, b = (70, 88, 110 + noise)
            elif d < 1.25:  # broken edge
                r = g = b = 60 + noise
            rows += bytes((r, g, b))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", b"Comment\x00Generated for the CaseDesk demo")
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
            + chunk(b"IEND", b""))


def malformed_bytes() -> bytes:
    """Not an email: a truncated gzip-like blob with no header block at all."""
    out = bytearray(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
    seed = b"casedesk-malformed-099"
    while len(out) < 700:
        seed = hashlib.sha256(seed).digest()
        out += seed
    return bytes(out[:700])


# --------------------------------------------------------------------------------------------
# Building messages
# --------------------------------------------------------------------------------------------


def fmt_addr(name: str, addr: str) -> str:
    return f"{name} <{addr}>" if name else addr


def common_headers(msg: EmailMessage, it: dict, ctx: dict) -> None:
    msg["From"] = fmt_addr(*it["from_"])
    msg["To"] = it["to"]
    if it.get("reply_to_hdr"):
        msg["Reply-To"] = it["reply_to_hdr"]
    msg["Subject"] = it["subject"]
    msg["Date"] = format_datetime(it["date"])
    msg["Message-ID"] = it["msgid"]
    if it["reply_to"] and it["kind"] == "outlook_reply":
        parent = ctx[it["reply_to"]]["msgid"]
        msg["In-Reply-To"] = parent
        msg["References"] = parent
    for name, value in it["headers"]:
        msg[name] = value
    msg["MIME-Version"] = "1.0"


def text_of(it: dict) -> str:
    return wrap(it["body"]) if it["wrap"] else it["body"]


def fix_boundaries(msg: EmailMessage, number: int) -> None:
    """Fixed boundaries (Python would pick random ones) and no MIME-Version in sub-parts
    (add_alternative/add_attachment leave one there; real clients do not)."""
    roots = {id(msg)} | {id(p.get_payload(0)) for p in msg.walk()
                         if p.get_content_type() == "message/rfc822"}
    for part in msg.walk():
        if id(part) not in roots and "MIME-Version" in part:
            del part["MIME-Version"]
    i = 0
    for part in msg.walk():
        if part.get_content_maintype() == "multipart":
            part.set_boundary(f"----=_CaseDesk_{number:03d}_{i}")
            i += 1


def campaign_html(it: dict) -> str:
    paras = it["body"].split("\n\n")
    blocks = []
    for p in paras:
        blocks.append("<p style=\"margin:0 0 12px\">" + "<br>".join(escape(x) for x in p.split("\n")) + "</p>")
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<style>\n"
        "  .wrap { max-width: 620px; font-family: Georgia, serif; font-size: 15px; line-height: 1.5; }\n"
        "  .foot { border-top: 1px solid #ddd; color: #888; font-size: 12px; padding-top: 8px; }\n"
        "</style>\n</head>\n<body>\n<div class=\"wrap\">\n" + "\n".join(blocks) + "\n"
        f"<p class=\"foot\">Sent from the {escape(it['org'])} campaign page. The sender has confirmed "
        "that they live at the address above.</p>\n</div>\n</body>\n</html>\n"
    )


def build_message(it: dict, ctx: dict) -> bytes:
    kind = it["kind"]
    if kind == "cp1252":
        return build_raw_cp1252(it)
    if kind == "latin1":
        return build_raw_latin1(it)
    if kind == "dsn":
        return build_raw_dsn(it)

    msg = EmailMessage()
    common_headers(msg, it, ctx)
    text = text_of(it) if "body" in it else None

    if kind == "plain":
        msg.set_content(text)
    elif kind == "base64":
        msg.set_content(text, cte="base64")
    elif kind in ("alt", "newsletter"):
        msg.set_content(text)
        html = it.get("html") or to_html(it["body"], "font-family:Arial,sans-serif;font-size:14px"
                                          if kind == "newsletter" else
                                          "font-family:Calibri,Arial,sans-serif;font-size:11pt")
        msg.add_alternative(html, subtype="html")
    elif kind == "campaign_html":
        msg.set_content(text)
        msg.add_alternative(campaign_html(it), subtype="html")
    elif kind == "html_only":
        msg.set_content(it["html"], subtype="html")
    elif kind == "pdf":
        msg.set_content(text)
        msg.add_attachment(notice_pdf(), maintype="application", subtype="pdf",
                           filename="Notice of hearing - K00CB417.pdf")
    elif kind == "inline_image":
        cid = "<pothole-histon-road.1@example.com>"
        msg.set_content(text + "\n\n[image: pothole-histon-road.png]")
        html = to_html(it["body"]).replace(
            "</div>\n</body>",
            f"<p><img src=\"cid:{cid[1:-1]}\" alt=\"Pothole in the Histon Road cycle lane\" "
            "width=\"320\" height=\"240\"></p>\n</div>\n</body>")
        msg.add_alternative(html, subtype="html")
        msg.get_payload()[1].add_related(make_png(), maintype="image", subtype="png", cid=cid,
                                         filename="pothole-histon-road.png", disposition="inline")
    elif kind == "fwd_inline":
        f = it["forwarded"]
        fwd = ("\n\n---------- Forwarded message ---------\n"
               f"From: {f['from_']}\nDate: {f['date']}\nSubject: {f['subject']}\nTo: {f['to']}\n\n"
               + f["body"])
        msg.set_content(it["body"] + fwd)
        msg.add_alternative(to_html(it["body"] + fwd, "font-family:Arial,sans-serif;font-size:small"),
                            subtype="html")
    elif kind == "fwd_attached":
        a = it["attached"]
        inner = EmailMessage()
        inner["From"] = a["from_"]
        inner["To"] = a["to"]
        inner["Subject"] = a["subject"]
        inner["Date"] = format_datetime(a["date"])
        inner["Message-ID"] = a["msgid"]
        inner["MIME-Version"] = "1.0"
        inner.set_content(a["body"])
        msg.set_content(text)
        msg.add_attachment(inner, filename=f"{a['subject']}.eml")
    elif kind == "outlook_reply":
        q = it["quoted"]
        orig = ctx[q["key"]]
        header_block = (f"From: {fmt_addr(*orig['from_'])}\nSent: {q['sent']}\nTo: {orig['to']}\n"
                        f"Subject: {orig['subject']}")
        plain = it["body"] + "\n\n________________________________\n" + header_block + "\n\n" + orig["body"]
        msg.set_content(plain)
        quoted_html = "<br>\n".join(escape(x) for x in header_block.split("\n"))
        html = to_html(it["body"]).replace(
            "</div>\n</body>",
            "</div>\n<hr style=\"display:inline-block;width:98%\" tabindex=\"-1\">\n"
            f"<div id=\"divRplyFwdMsg\" dir=\"ltr\"><font face=\"Calibri, sans-serif\" "
            f"style=\"font-size:11pt\" color=\"#000000\">{quoted_html}</font></div>\n"
            + to_html(orig["body"]).split("<body>\n", 1)[1].replace("</body>\n</html>\n", "")
            + "</body>")
        msg.add_alternative(html, subtype="html")
    else:
        raise ValueError(kind)

    fix_boundaries(msg, it["number"])
    return msg.as_bytes(policy=POLICY)


def qp_body(text: str, charset: str) -> bytes:
    """Quoted-printable encode (soft line breaks at 76), LF line endings."""
    import quopri
    return quopri.encodestring(text.encode(charset).replace(b"\r\n", b"\n"))


def raw_headers(pairs: list[tuple[str, str]]) -> bytes:
    return "".join(f"{k}: {v}\n" for k, v in pairs).encode("ascii")


def build_raw_cp1252(it: dict) -> bytes:
    """An Outlook-2010-era message: windows-1252 text, quoted-printable. Built by hand so the
    charset and encoding are exactly what a legacy client sends."""
    headers = [
        ("From", fmt_addr(*it["from_"])), ("To", it["to"]), ("Subject", it["subject"]),
        ("Date", format_datetime(it["date"])), ("Message-ID", it["msgid"]),
        ("X-Mailer", "Microsoft Outlook 14.0"), ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="windows-1252"'),
        ("Content-Transfer-Encoding", "quoted-printable"),
    ]
    return raw_headers(headers) + b"\n" + qp_body(it["body"] + "\n", "cp1252")


def build_raw_latin1(it: dict) -> bytes:
    """RFC 2047 iso-8859-1 encoded-words in From and Subject; iso-8859-1 8bit body."""
    name, addr = it["from_"]
    # Outlook and Thunderbird write the encoding letter in upper case: =?iso-8859-1?Q?...?=
    enc_name = Header(name, "iso-8859-1").encode().replace("?q?", "?Q?")
    enc_subject = Header(it["subject"], "iso-8859-1").encode().replace("?q?", "?Q?")
    headers = [
        ("From", f"{enc_name} <{addr}>"), ("To", it["to"]), ("Subject", enc_subject),
        ("Date", format_datetime(it["date"])), ("Message-ID", it["msgid"]),
        ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.16.0"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=iso-8859-1; format=fixed"),
        ("Content-Transfer-Encoding", "8bit"),
    ]
    return raw_headers(headers) + b"\n" + wrap(it["body"]).encode("iso-8859-1") + b"\n"


def build_raw_dsn(it: dict) -> bytes:
    """RFC 3464 bounce for a reply the office sent to a misspelt address."""
    boundary = f"----=_CaseDesk_{it['number']:03d}_0"
    headers = [
        ("Return-Path", "<>"),
        ("From", fmt_addr(*it["from_"])), ("To", it["to"]), ("Subject", it["subject"]),
        ("Date", format_datetime(it["date"])), ("Message-ID", it["msgid"]),
        ("Auto-Submitted", "auto-replied"), ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/report; report-type=delivery-status; boundary="{boundary}"'),
    ]
    original = (
        "Return-Path: <alex.morgan.mp@parliament.example>\n"
        "From: Alex Morgan MP <alex.morgan.mp@parliament.example>\n"
        "To: Kerry-Ann Walsh <kerryanne.walsh@example.com>\n"
        "Subject: Your enquiry about damp and mould - ref AM/26/1187\n"
        "Date: Fri, 20 Nov 2026 09:35:02 +0000\n"
        "Message-ID: <outbound-1187-2@parliament.example>\n"
    )
    status = (
        "Reporting-MTA: dns; mx1.parliament.example\n"
        "X-Postfix-Queue-ID: 4Q7Zk21Xr9z9tT\n"
        "Arrival-Date: Fri, 20 Nov 2026 09:35:02 +0000\n"
        "\n"
        "Final-Recipient: rfc822; kerryanne.walsh@example.com\n"
        "Original-Recipient: rfc822;kerryanne.walsh@example.com\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Remote-MTA: dns; mx.example.com\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <kerryanne.walsh@example.com>: Recipient address\n"
        "    rejected: User unknown in virtual mailbox table\n"
    )
    body = (
        f"This is a MIME-encapsulated message.\n\n--{boundary}\n"
        "Content-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
        f"{wrap(it['body'])}\n\n--{boundary}\n"
        "Content-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
        f"{status}\n--{boundary}\n"
        "Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n"
        f"{original}\n--{boundary}--\n"
    )
    return raw_headers(headers) + b"\n" + body.encode("ascii")


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


def plan() -> list[dict]:
    """Sort by arrival time and give each item its number, file name and Message-ID."""
    items = sorted(ITEMS, key=lambda i: (i["date"].astimezone(timezone.utc), i["key"]))
    for n, it in enumerate(items, start=1):
        assert n < 99, "099 is reserved for the malformed file"
        it["number"] = n
        it["file"] = f"{n:03d}-{it['slug']}.eml"
        it["msgid"] = f"<sample-{n:03d}@example.org>"
    return items


def build_all() -> dict[str, bytes]:
    items = plan()
    ctx = {it["key"]: it for it in items}
    files = {it["file"]: build_message(it, ctx) for it in items}
    files[MALFORMED] = malformed_bytes()
    return files


def labels() -> dict:
    items = plan()
    ctx = {it["key"]: it for it in items}
    out = {}
    for it in items:
        out[it["file"]] = {
            "category": it["category"], "topic": it["topic"], "urgent": it["urgent"],
            "campaign": it["campaign"],
            "reply_to_file": ctx[it["reply_to"]]["file"] if it["reply_to"] else None,
            "source": it["source"],
        }
    out[MALFORMED] = {
        "category": "other", "topic": "other", "urgent": False, "campaign": None,
        "reply_to_file": None, "source": WRITTEN + " (deterministic pseudo-random bytes)",
        "malformed": True, "note": "malformed: expected to be quarantined",
    }
    return dict(sorted(out.items()))


def readme() -> str:
    items = plan()
    ctx = {it["key"]: it for it in items}
    counts = Counter(it["category"] for it in items)
    counts["other"] += 1
    rows = []
    for it in items:
        exercises = it["exercises"]
        if it["reply_to"]:
            exercises += f" (follows `{ctx[it['reply_to']]['file']}`)"
        if it["urgent"]:
            exercises = "**urgent** - " + exercises
        src = " ; ".join(f"<{u.strip()}>" if u.strip().startswith("http") else u.strip()
                         for u in it["source"].split(" ; "))
        cat = it["category"] + (f" (`{it['campaign']}`)" if it["campaign"] else "")
        rows.append(f"| `{it['file']}` | {cat} / {it['topic']} | {exercises} | {src} | {it['adapted']} |")
    rows.append(f"| `{MALFORMED}` | other / other | malformed: 700 bytes of a truncated binary blob with "
                "no header block; must be quarantined, not crash intake | written for CaseDesk | - |")
    summary = ", ".join(f"{c} {counts[c]}" for c in CATEGORIES)
    source_list = "\n".join(f"- <{u}>" for u in sorted(set(SRC.values())))
    return f"""# Sample inbox

`samples/inbox/` is the demo mailbox for CaseDesk: {len(items) + 1} `.eml` files that look like a
week of mail (Monday 16 to Sunday 22 November 2026) to the constituency office of **Alex Morgan MP**
(a fictional MP for the real constituency of Cambridge, mailbox `{OFFICE_ADDR}`).
`make demo` and `casedesk triage samples/inbox` read it.

**Generated - do not edit by hand.** This README, every `.eml` file and `samples/inbox_labels.json`
are written by `samples/build_inbox.py` (standard library only). To change a message, edit the
script and regenerate:

```sh
python samples/build_inbox.py          # rewrite samples/inbox/, inbox_labels.json and this README, then check them
python samples/build_inbox.py --check  # only check what is on disk
```

The build is deterministic (fixed dates, Message-IDs `<sample-NNN@example.org>` and MIME
boundaries), so running it twice gives byte-identical files. The check parses every message with
`email.message_from_bytes(..., policy=email.policy.default)`, reports any parser defects, checks
that every address uses a reserved example domain, that bodies are 80-400 words, that the PDF's
xref offsets and the PNG's CRCs are valid, and prints the count per category.

Counts: {summary}.

## Labels

`samples/inbox_labels.json` maps each file name to the expected triage result:

```json
{{"category": "casework|campaign|policy|invitation|press|abuse|spam|other",
 "topic": "housing|benefits|immigration|health|social_care|education|police_crime|transport|environment_planning|council_services|tax|employment|consumer_utilities|international|animal_welfare|other",
 "urgent": true, "campaign": "<campaign slug or null>", "reply_to_file": "<file or null>",
 "source": "<url or 'written for CaseDesk'>"}}
```

The malformed file also has `"malformed": true` and a `note`.

## Privacy and realism rules

- Every person is invented. Real public bodies (Cambridge City Council, Cambridgeshire County
  Council, Addenbrooke's, DWP, HMRC, the Home Office) appear as they would in real mail, but every
  event involving them here is fictional.
- Every email address uses a reserved domain (`example.com`, `example.org`, `example.net`,
  `*.example`). Phone numbers come from Ofcom's drama ranges (07700 900xxx, 01632 960xxx,
  020 7946 0xxx). Street names are real Cambridge streets with invented house numbers; postcodes
  are in valid format for CB1-CB5, with a few deliberately outside the constituency (PE27, SG8,
  LS6) and a few messages with no postcode at all.
- Where a message is based on a published case (ombudsman decision, charity case study, news
  report) it was rewritten in the first person as a constituent would write it, with names,
  places, dates and amounts changed; the source column gives the page it came from. Campaign
  texts are reworded from the organisation's published template letter, not copied verbatim,
  and each campaign has six personalised copies from different senders.

## Campaigns

| slug | based on | copies |
| --- | --- | --- |
| `end-sewage-pollution` | Surfers Against Sewage, "email your MP" template | 6 |
| `end-farrowing-crates` | Conservative Animal Welfare Foundation proforma email (The Crate Escape) | 6 |
| `families-together` | Refugee Council / Families Together card template | 6 |

Within each campaign the copies vary the way real ones do: the template unchanged, a different
greeting and sign-off, an added personal sentence or paragraph, paragraphs reordered, a typo
introduced (or, for the farrowing template, a typo in the template corrected), an HTML version,
and a copy relayed by a campaign platform (From is the platform, Reply-To is the constituent),
one with the template's `XXX` placeholders and one with `Dear _______ MP` left unfilled.

## Threads

- `{ctx['damp_re']['file']}` replies to `{ctx['damp']['file']}` with `In-Reply-To`/`References`
  and an Outlook-style quoted history.
- `{ctx['pip_re']['file']}` follows `{ctx['pip']['file']}` two days later with the same sender
  and a `Re:` subject but no threading headers (subject-based threading).
- `{ctx['ooo']['file']}` and `{ctx['dsn']['file']}` are machine replies to mail the office sent
  about the damp case; neither should open a case.
- Forwards: `{ctx['fwd_transport']['file']}` (Gmail-style "Fwd:", forwarded letter inline) and
  `{ctx['fw_rent']['file']}` (Outlook "FW:", original attached as `message/rfc822`).

## Files

| File | Category / topic | What it exercises | Source | How the text was adapted |
| --- | --- | --- | --- | --- |
{chr(10).join(rows)}

## Sources used

{source_list}
"""


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------

RESERVED = re.compile(r"@(?:[a-z0-9-]+\.)*(?:example\.(?:com|org|net)|[a-z0-9-]+\.example|example)$",
                      re.IGNORECASE)


def html_text(html: str) -> str:
    html = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def body_text(msg) -> str:
    plain = msg.get_body(preferencelist=("plain",))
    if plain is not None:
        return plain.get_content()
    html = msg.get_body(preferencelist=("html",))
    return html_text(html.get_content()) if html is not None else ""


def check_pdf(data: bytes) -> None:
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF"), "PDF header/trailer"
    start = int(data[data.rindex(b"startxref") + 9:].split()[0])
    assert data[start:start + 4] == b"xref", "startxref does not point at xref"
    lines = data[start:].split(b"\n")
    first, count = map(int, lines[1].split())
    for i in range(1, count):
        off = int(lines[2 + i][:10])
        assert data[off:].startswith(b"%d 0 obj" % (first + i)), f"xref offset for object {i}"
    m = re.search(rb"<< /Length (\d+) >>\nstream\n", data)
    length = int(m.group(1))
    assert data[m.end() + length:m.end() + length + 9] == b"endstream", "stream /Length"


def check_png(data: bytes) -> None:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature"
    pos, idat, dims = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, payload = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(kind + payload), f"PNG CRC in {kind!r}"
        if kind == b"IHDR":
            dims = struct.unpack(">II", payload[:8])
        elif kind == b"IDAT":
            idat += payload
        pos += 12 + n
    w, h = dims
    assert len(zlib.decompress(idat)) == h * (1 + 3 * w), "PNG pixel data size"


def check(files: dict[str, bytes], label_map: dict) -> list[str]:
    problems: list[str] = []
    seen_ids: dict[str, str] = {}
    lo, hi = when("2026-11-16 00:00:00"), when("2026-11-23 00:00:00")
    assert set(files) == set(label_map), "labels and files differ"
    for name, data in sorted(files.items()):
        lab = label_map[name]
        if lab["category"] not in CATEGORIES or lab["topic"] not in TOPICS:
            problems.append(f"{name}: bad label {lab}")
        if lab.get("malformed"):
            msg = message_from_bytes(data, policy=policy.default)
            if msg["From"] or msg["Date"] or msg["Message-ID"]:
                problems.append(f"{name}: malformed file parses as a real message")
            continue
        msg = message_from_bytes(data, policy=policy.default)
        for part in msg.walk():
            for d in part.defects:
                problems.append(f"{name}: defect {type(d).__name__} in {part.get_content_type()}")
        for h in ("From", "To", "Subject", "Date", "Message-ID"):
            if not msg[h]:
                problems.append(f"{name}: missing {h}")
        mid = str(msg["Message-ID"])
        if mid in seen_ids:
            problems.append(f"{name}: duplicate Message-ID with {seen_ids[mid]}")
        seen_ids[mid] = name
        if not lo <= msg["Date"].datetime < hi:
            problems.append(f"{name}: Date outside 16-22 Nov 2026")
        for h in ("From", "To", "Cc", "Reply-To"):
            for _, addr in getaddresses([str(v) for v in msg.get_all(h, [])]):
                if not RESERVED.search(addr):
                    problems.append(f"{name}: {h} address {addr!r} is not a reserved example domain")
        words = len(re.findall(r"[A-Za-z0-9£'’-]+", body_text(msg)))
        if not 80 <= words <= 400:
            problems.append(f"{name}: body has {words} words (want 80-400)")
        for part in msg.walk():
            ctype = part.get_content_type()
            if ctype == "application/pdf":
                try:
                    check_pdf(part.get_content())
                except AssertionError as exc:
                    problems.append(f"{name}: PDF {exc}")
            elif ctype == "image/png":
                try:
                    check_png(part.get_content())
                except AssertionError as exc:
                    problems.append(f"{name}: PNG {exc}")
        if lab["reply_to_file"]:
            parent = message_from_bytes(files[lab["reply_to_file"]], policy=policy.default)
            subj = str(msg["Subject"]).lower()
            if not subj.startswith(("re: ", "re:")) or str(parent["Subject"]).lower() not in subj:
                problems.append(f"{name}: reply subject does not match its parent")
            if msg["In-Reply-To"] and str(msg["In-Reply-To"]) != str(parent["Message-ID"]):
                problems.append(f"{name}: In-Reply-To does not match the parent")
    return problems


def summarise(files: dict[str, bytes], label_map: dict) -> None:
    counts = Counter(v["category"] for v in label_map.values())
    print(f"{len(files)} files in {INBOX.relative_to(HERE.parent)}/")
    for c in CATEGORIES:
        urgent = sum(1 for v in label_map.values() if v["category"] == c and v["urgent"])
        print(f"  {c:<11} {counts[c]:>3}" + (f"   ({urgent} urgent)" if urgent else ""))
    campaigns = Counter(v["campaign"] for v in label_map.values() if v["campaign"])
    for slug, n in sorted(campaigns.items()):
        print(f"  campaign {slug}: {n} copies")


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    if check_only:
        files = {p.name: p.read_bytes() for p in sorted(INBOX.glob("*.eml"))}
        label_map = json.loads(LABELS.read_text(encoding="utf-8"))
    else:
        files = build_all()
        assert files == build_all(), "build is not deterministic"
        label_map = labels()
        INBOX.mkdir(parents=True, exist_ok=True)
        for old in INBOX.glob("*.eml"):
            if old.name not in files:
                old.unlink()
        for name, data in files.items():
            (INBOX / name).write_bytes(data)
        LABELS.write_text(json.dumps(label_map, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        README.write_text(readme(), encoding="utf-8")
        print(f"wrote {len(files)} .eml files, {LABELS.name} and {README.name}")
    problems = check(files, label_map)
    summarise(files, label_map)
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  - " + p)
        return 1
    print("check: all messages parse cleanly (policy=default), labels match, attachments valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
