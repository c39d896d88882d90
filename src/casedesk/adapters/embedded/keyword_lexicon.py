"""Weighted phrases behind the embedded baseline classifier. Office-editable in spirit:
each entry is a regular expression (word-bounded) and a weight."""

from __future__ import annotations

CATEGORY_PHRASES: dict[str, dict[str, float]] = {
    "spam": {
        r"unsubscribe": 1.0,
        r"click here": 1.5,
        r"limited time": 2.0,
        r"act now": 2.0,
        r"(you have|you've) (won|been selected)": 3.0,
        r"prize": 1.5,
        r"lottery": 2.5,
        r"claim your": 2.0,
        r"mailbox (quota|storage)": 3.0,
        r"verify your (account|mailbox|email)": 3.0,
        r"password (will )?expire": 3.0,
        r"seo": 2.0,
        r"backlinks?": 2.5,
        r"search engine rankings?": 2.5,
        r"crypto(currency)?|bitcoin": 2.0,
        r"100% free": 2.5,
        r"special offer": 2.0,
        r"dear (friend|beneficiary|sir/madam)": 2.0,
        r"wire transfer": 2.0,
        r"inheritance": 1.5,
        r"(cheap|discount) (meds|pills|viagra)": 3.0,
        r"web ?design services": 2.0,
        r"increase (your )?(traffic|sales)": 2.0,
        r"no obligation": 1.5,
        r"risk[- ]free": 1.5,
        r"validate your (mailbox|account|email)": 3.0,
        r"(exceeded|over) (its |the |your )?(storage )?(quota|limit)": 2.0,
        r"(mailbox|account) (will be |being )?(suspended|deactivated|closed)": 2.0,
    },
    "abuse": {
        r"idiot|moron|cretin|imbecile": 2.5,
        r"scum(bag)?": 3.0,
        r"traitor": 2.0,
        r"f+u+c+k+\w*|f\*+k|sh[i1]t|bastard|wanker|twat|c\*nt|cunt": 3.0,
        r"disgusting excuse": 2.5,
        r"you (are|'re) (a )?(disgrace|joke|waste)": 2.5,
        r"rot in hell": 3.0,
        r"pathetic": 1.0,
        r"useless (mp|politician|waste)": 2.5,
        r"shut up": 1.5,
        r"parasite": 2.0,
    },
    "press": {
        r"journalist": 2.5,
        r"reporter": 2.5,
        r"(for|request(ing)? (a )?)comment": 2.0,
        r"press (office|enquiry|inquiry)": 2.5,
        r"newsroom|news desk|newsdesk": 2.5,
        r"editor": 1.5,
        r"deadline": 1.0,
        r"(we are|we're|i am|i'm) (writing|running|working on) (a |an )?(story|piece|article|feature)": 3.0,
        r"on the record": 2.0,
        r"statement": 1.0,
        r"interview": 1.0,
        r"publication": 1.0,
        r"broadcast|bbc|itv|radio|podcast": 1.0,
        r"(local |daily |weekly )?(newspaper|paper)": 1.0,
    },
    "invitation": {
        r"invit(e|ation|ing)": 2.0,
        r"would be (delighted|honoured|pleased) if": 2.5,
        r"join us": 2.0,
        r"r\.?s\.?v\.?p": 2.5,
        r"(school|site|factory) visit": 2.0,
        r"(official |grand )?opening": 1.5,
        r"reception": 1.5,
        r"guest (of honour|speaker)": 2.5,
        r"(to|would you) attend": 1.5,
        r"(open day|fun day|fete|ceremony|gala|launch event)": 2.0,
        r"(come|to come) and (visit|see|speak|meet)": 2.0,
        r"event": 0.5,
    },
    "casework": {
        r"my (landlord|housing association|flat|house|home|tenancy)": 2.0,
        r"(my|our) (claim|benefits?|payments?|application|appeal|visa|case|appointment|operation|referral)": 2.0,
        r"universal credit|\bpip\b|personal independence payment|esa|carer'?s allowance|dwp": 1.5,
        r"home office|ukvi|visas? (and immigration)?|biometric|leave to remain|asylum": 1.5,
        r"\bgp\b|surgery|hospital|waiting list|nhs|dentist|consultant": 1.0,
        r"(can|could|would) you (please )?(help|look into|intervene|contact|chase|raise)": 2.5,
        r"please help": 2.5,
        r"i (have|'ve) been (waiting|told|refused|sanctioned|evicted)": 2.0,
        r"(case|reference|claim) (number|no\.?|ref)": 2.0,
        r"council tax|housing officer|repairs?": 1.0,
        r"damp|mould|leak": 1.5,
        r"eviction|section 21|possession|bailiff|homeless": 2.0,
        r"mandatory reconsideration|tribunal|sanction(ed)?": 1.5,
        r"my (son|daughter|husband|wife|partner|mother|father|mum|dad|child|children)": 1.5,
        r"ehcp|send (support|provision)|school place": 1.5,
        r"i am writing (to ask )?for (your )?help": 2.5,
        r"overpayment|debt": 1.0,
        r"social (worker|services)|care (package|home)": 1.0,
    },
    "policy": {
        r"\bbill\b|legislation|act of parliament": 1.5,
        r"(vote|voting) (for|against)": 2.0,
        r"i urge you": 2.0,
        r"(please|i ask you to) (support|oppose|sign|back|attend)": 2.0,
        r"government('s)? (policy|plans?|decision|proposals?)": 2.0,
        r"parliament|commons": 1.0,
        r"debate": 1.5,
        r"amendment": 1.5,
        r"second reading|early day motion|\bedm\b": 2.5,
        r"(as|you are) my mp": 1.0,
        r"i call on": 2.0,
        r"(your|the mp's) (position|view|stance) on": 2.0,
        r"minister": 1.0,
        r"climate|net zero|sewage|cuts? to|funding": 0.5,
        r"constituent": 0.5,
        r"petition": 1.0,
    },
    "other": {
        r"out of (the )?office": 3.0,
        r"automatic reply|auto-?reply": 3.0,
        r"i am (currently )?away": 2.0,
        r"newsletter": 2.5,
        r"view (this email )?in (your )?browser": 2.0,
        r"(annual|monthly|weekly) (report|update|bulletin)": 1.5,
        r"thank you for your (email|message)": 1.0,
    },
}

THREAT_PHRASES: dict[str, float] = {
    r"(i'?ll|i will|we will|going to|gonna) (kill|hurt|find|get|burn|shoot|stab|attack|deal with) (you|him|her|your)": 4.0,
    r"watch your back": 4.0,
    r"know where you live": 4.0,
    r"you (will|'ll) (pay|regret)": 3.0,
    r"(deserve|deserves) to (die|be (hanged|shot|hurt))": 4.0,
    r"petrol (through|bomb)": 4.0,
    r"(hang|string) (you|them) up": 4.0,
    r"(bomb|acid|knife|gun)": 1.0,
    r"sorted out permanently|end up like": 3.0,
    r"wait outside|come to your (office|surgery|house)": 2.0,
    r"(final|last|one and only) warning": 2.5,
    r"we (are|'re) watching( you)?": 2.0,
    r"we know (where|what car|when|your)": 3.0,
    r"(might|will|won't|wont) not be (walking|around|breathing|alive)|not be walking anywhere": 3.5,
    r"you('ll| will) find out": 1.0,
    r"think about that before": 1.0,
    # Wording from court-reported threats to MPs (corpus/sources/adapted/*threats*.txt)
    r"jo coxed|(do|did|pull) (you|her|him|a) jo cox|like jo cox did|jo cox (you|style|on you)|cox was the first": 4.0,
    r"deserves? (?:to )(?:be |get )(?:shot|hanged|hung|killed|stabbed|beheaded)": 4.0,
    r"should (?:be |get )(?:shot|hanged|hung|stabbed|beheaded)|needs? (?:shooting|hanging|stabbing)": 4.0,
    r"(hope|wish) (you|u) (die|get raped|burn|rot)|hope you all die": 3.5,
    r"i (?:hope|want) (?:to see )*you dead|you('re| are) going to die|dead (girl|man|woman) walking": 4.0,
    r"(?:cut|slit) your (?:\w+ )*throat|blow (?:up )*your (office|house|car)|burn your (house|office)": 4.0,
    r"(i will|i'll|we will|we'll) (find|get|hurt|kill|stab|shoot|burn) (you|u|your)": 4.0,
    r"bullet (to|between|in) (the|your) (head|eyes|back)": 3.5,
    r"stab (you|u)": 4.0,
    r"stab vest|baseball bat|handgun|axe in my": 1.5,
    r"taken out and shot|public hanging|hang (them|you) high|string (you|them) up": 4.0,
    r"(pay|paid) for this with your life|you will be (next|killed)|you are (next|the next)": 3.5,
}

SAFEGUARDING_PHRASES: dict[str, float] = {
    r"suicid\w*|kill myself|end my life|ending it all|take my (?:own )*life|(?:can't|cant|cannot) go on": 3.0,
    r"self[- ]harm\w*|overdos\w*|suicide note": 3.0,
    r"not safe (at|in) (home|my)|(i am|i'm|she is|he is|they are) not safe": 2.5,
    r"domestic (abuse|violence)|(my|her|his) abuser|coercive control": 2.5,
    r"child protection|child at risk|at risk of (harm|abuse)|safeguarding": 2.5,
    r"dementia|lives alone|alone all night|(fell|fallen|falls) (again|at home)": 1.0,
    r"sleeping (rough|on the street)|on the street tonight": 2.0,
}

URGENT_PHRASES: dict[str, float] = {
    r"evict(ed|ion)|bailiffs?|section 21|possession (order|hearing)": 2.0,
    r"court (date|hearing|on)": 1.5,
    r"homeless|sleeping rough|nowhere to (live|stay|sleep)": 2.5,
    r"(removal|deportation) (directions|flight)|detention (centre|center)|being (deported|removed|detained)": 3.0,
    r"suicid\w*|self[- ]harm|kill myself|end my life": 3.0,
    r"no (food|heating|electricity|money for food)": 2.0,
    r"(deadline|expires?|due) (is )?(today|tomorrow|this (week|friday|monday))": 2.0,
    r"by \d{1,2}(:\d{2})? ?(am|pm) (today|tomorrow)": 2.5,
    r"deadline (is )?(\d{1,2}(:\d{2})? ?(am|pm) )?(today|tonight|tomorrow)": 2.5,
    r"\d{1,2}(:\d{2})? ?(am|pm) (today|tonight)": 2.0,
    r"within (24|48|72) hours|in (two|three|2|3) days": 2.0,
    r"urgent(ly)?": 1.0,
    r"(at )?risk (to|of) (life|harm)": 2.5,
    r"safeguarding|child at risk|domestic (abuse|violence)": 2.5,
    r"next (week|monday|tuesday|wednesday|thursday|friday)": 0.5,
    r"emergency": 1.0,
    r"cancer|chemotherapy|terminal": 1.0,
}

TOPIC_PHRASES: dict[str, dict[str, float]] = {
    "housing": {
        r"landlord|tenan(t|cy)|housing|rent|evict\w*|section 21|damp|mould|homeless\w*|council house|housing association|repairs?": 1.0
    },
    "benefits": {
        r"universal credit|\bpip\b|personal independence|\besa\b|dwp|jobcentre|benefits?|carer'?s allowance|sanction\w*|work capability|pension credit|mandatory reconsideration": 1.0
    },
    "immigration": {
        r"visa|home office|ukvi|immigration|asylum|leave to remain|biometric|citizenship|passport|deport\w*|refugee|spouse visa|settlement": 1.0
    },
    "health": {
        r"\bnhs\b|\bgp\b|hospital|waiting list|dentist|dental|surgery|operation|consultant|ambulance|a&e|mental health|cancer|prescription|appointment": 1.0
    },
    "social_care": {
        r"social care|care home|care package|carers?|social worker|adult social|domiciliary": 1.0
    },
    "education": {
        r"school|\bsend\b|ehcp|special educational|teacher|university|tuition|ofsted|pupil": 1.0
    },
    "police_crime": {
        r"police|crime|antisocial|anti-social|burglary|theft|assault|knife|drugs|officer attended|101": 1.0
    },
    "transport": {
        r"\bbus(es)?\b|train|rail|road|pothole|cycle|parking|traffic|a14|m11|railway": 1.0
    },
    "environment_planning": {
        r"planning (application|permission)|development|green belt|climate|net zero|sewage|river|pollution|trees|environment|flood\w*|wildlife": 1.0
    },
    "council_services": {
        r"council tax|bin collection|bins|refuse|council|street ?lighting|fly-?tipping|library": 0.8
    },
    "tax": {r"hmrc|tax (code|return|credit)|self assessment|\bvat\b|income tax|child benefit": 1.0},
    "employment": {
        r"employer|redundan\w*|unfair dismissal|wages?|zero hours|minimum wage|tribunal|my job": 1.0
    },
    "consumer_utilities": {
        r"energy (bill|supplier|company)|gas|electricity|water bill|broadband|ofgem|ofwat|refund|scam": 1.0
    },
    "international": {
        r"gaza|israel|ukraine|russia|sudan|yemen|foreign aid|overseas aid|international development|ceasefire|sanctions on|fcdo|consular": 1.0
    },
    "animal_welfare": {
        r"animal|puppy|dogs?|cats?|hunting|trophy|fox|badger|cull|rspca|livestock|cages?|farm animals": 1.0
    },
}
