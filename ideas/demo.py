"""Demo campaigns and ideas for ``manage.py seed_demo``.

Ideas are created and moved through the real services, so every one has
the history, notifications, counters and timestamps a real one would have:
one idea in every status and every patent status, with votes, comments and
scorecards, some written in the languages of the source articles (text
quoted from them). Idempotent: an idea whose title exists is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from ideas import services
from ideas.models import Campaign, Idea

D = "@ideaportal.example"
REVIEWER = f"priya.natarajan{D}"
COUNSEL = f"marcus.lee{D}"

CAMPAIGNS: list[dict[str, Any]] = [
    {
        "slug": "hurricane-season",
        "title": "Hurricane season",
        "brief": "How do we help members before, during and after a storm? Think of Harvey's aerial-photo portal.",
        "opens": -30,
        "closes": 120,
    },
    {
        "slug": "customer-service-week",
        "title": "Customer Service Week, all year",
        "brief": "Ways to recognise service stars as richly as sales stars.",
        "opens": -400,
        "closes": -393,
    },
]

# (title, author, status, patent status, campaign slug, tags, problem, proposal, customers, delight, metric)
IDEAS: list[dict[str, Any]] = [
    {
        "title": "Before-and-after aerial photos of members' homes after a hurricane",
        "author": f"james.carter{D}",
        "status": "launched",
        "patent": "granted",
        "campaign": "hurricane-season",
        "tags": ["disaster", "claims"],
        "problem": "Evacuated members cannot see their homes for days and file claims blind.",
        "proposal": "Publish **before/after aerial photos** by address in the member portal within 48 hours.",
        "customers": "Members in evacuated areas",
        "delight": "They see their home before they can go back, and start the claim at once.",
        "metric": "nps",
    },
    {
        "title": "A check-scanning app that speaks the amount",
        "author": f"nino.beridze{D}",
        "status": "launched",
        "patent": "filed",
        "tags": ["accessibility", "mobile"],
        "problem": "Visually impaired members cannot confirm what the app read from a check.",
        "proposal": "Read the amount and payee aloud after the scan; confirm by voice.",
        "customers": "Members with low vision or blindness",
        "delight": "They deposit checks on their own.",
        "metric": "csat",
    },
    {
        "title": "Military-life glossary in every claims letter",
        "author": f"maria.gonzalez{D}",
        "status": "piloting",
        "patent": "disclosed",
        "tags": ["claims", "empathy"],
        "problem": "Letters use insurer jargon that deployed members find hard to act on.",
        "proposal": "Add a short glossary keyed to military terms (PCS, TDY) to each letter.",
        "customers": "Deployed members and their families",
        "delight": "They understand the letter the first time.",
        "metric": "customer_effort",
    },
    {
        "title": "Pre-fill claims from the storm map",
        "author": f"somchai.wong{D}",
        "status": "accepted",
        "patent": "abandoned",
        "campaign": "hurricane-season",
        "tags": ["disaster", "mobile"],
        "problem": "Members type the same storm details into every claim.",
        "proposal": "Pre-fill date, storm name and location from the storm map.",
        "customers": "Members filing storm claims",
        "delight": "Never repeat themselves.",
        "metric": "time_to_resolution",
    },
    {
        "title": "Call-back instead of hold music during storms",
        "author": f"aoife.byrne{D}",
        "status": "in_review",
        "campaign": "hurricane-season",
        "tags": ["contact centre"],
        "problem": "Hold times triple when a storm hits.",
        "proposal": "Offer a call-back slot instead of waiting on hold.",
        "customers": "Members calling during a storm",
        "delight": "They can get on with securing their home.",
        "metric": "first_contact_resolution",
    },
    {
        "title": "Call-back queue when lines are busy",
        "author": f"liga.ozola{D}",
        "status": "duplicate",
        "duplicate_of": "Call-back instead of hold music during storms",
        "tags": ["contact centre"],
        "problem": "Long holds.",
        "proposal": "A call-back queue.",
        "customers": "Everyone calling us",
        "delight": "No hold music.",
        "metric": "csat",
    },
    {
        "title": "Service-star of the month with the customer's own words",
        "author": f"aoife.byrne{D}",
        "status": "needs_info",
        "tags": ["recognition"],
        "problem": "Front-line staff who wow members are rarely thanked.",
        "proposal": "Each month, share a note with the praising survey attached.",
        "customers": "All members, through happier staff",
        "delight": "The people who helped them are recognised.",
        "metric": "nps",
    },
    {
        "title": "Gamify the claims form",
        "author": f"james.carter{D}",
        "status": "rejected",
        "tags": ["claims"],
        "problem": "Claims forms are boring.",
        "proposal": "Add badges for completing sections.",
        "customers": "Members filing claims",
        "delight": "Fun.",
        "metric": "other",
        "metric_other": "Form completion rate",
    },
    {
        "title": "Braille statements on request",
        "author": f"nino.beridze{D}",
        "status": "submitted",
        "tags": ["accessibility"],
        "problem": "Blind members rely on others to read their statements.",
        "proposal": "Offer Braille statements from the profile page.",
        "customers": "Blind members",
        "delight": "Privacy and independence.",
        "metric": "csat",
    },
    {
        "title": "Fax-to-email for old brokers",
        "author": f"liga.ozola{D}",
        "status": "withdrawn",
        "tags": [],
        "problem": "A few brokers still fax.",
        "proposal": "Convert faxes to e-mail.",
        "customers": "Brokers",
        "delight": "Less paper.",
        "metric": "customer_effort",
    },
    {
        "title": "Empathy lab day for new hires (draft)",
        "author": f"maria.gonzalez{D}",
        "status": "draft",
        "tags": ["empathy"],
        "problem": "New hires have never eaten an MRE.",
        "proposal": "A day in the accessibility lab and a light drill.",
        "customers": "Members served by new hires",
        "delight": "",
        "metric": "",
    },
    # In the languages of the source articles, quoting them.
    {
        "title": "Үйлчлүүлэгчийн санал хүсэлтэд 24 цагийн дотор хариулах",
        "author": f"batbayar.dorj{D}",
        "status": "submitted",
        "tags": ["feedback"],
        "problem": (
            "Хэрэглэгчийн санал хүсэлтийг цуглуулах нь үйлчлүүлэгчдэд оновчтой туршлага өгөх анхны алхам юм. "
            "Гэхдээ энэ бол зөвхөн эхний алхам юм."
        ),
        "proposal": "Энэхүү санал хүсэлт нь ямар нэгэн үйлдэл хийхгүй бол юу ч бүтэхгүй.",
        "customers": "Санал хүсэлт өгсөн үйлчлүүлэгчид",
        "delight": "Тэдний санал хэрэгжсэнийг харна.",
        "metric": "time_to_resolution",
    },
    {
        "title": "จากความสนใจไปสู่ความพึงพอใจของลูกค้า",
        "author": f"somchai.wong{D}",
        "status": "in_review",
        "tags": ["feedback"],
        "problem": (
            "คุณรู้จักแผนกบริการลูกค้าหรือสำนักงานที่เบี่ยงเบนจากชื่อสามัญนี้หรือไม่? "
            "ในประเทศของฉันมี บริษัท เพียงไม่กี่แห่งที่ใช้ชื่อเช่นฝ่ายบริการลูกค้าหรือฝ่ายสนับสนุนลูกค้า"
        ),
        "proposal": "เปลี่ยนชื่อเป็นแผนกความพึงพอใจของลูกค้า",
        "customers": "ลูกค้าทุกคน",
        "delight": "ความพึงพอใจของลูกค้า",
        "metric": "csat",
    },
    {
        "title": "Gníomh a dhéanamh ar aiseolas ó chustaiméirí",
        "author": f"aoife.byrne{D}",
        "status": "accepted",
        "tags": ["feedback"],
        "problem": (
            "Is é an chéad chéim shoiléir chun aiseolas ó chustaiméirí a bhailiú chun na heispéiris is fearr "
            "a sholáthar do chustaiméirí. Ach níl ann ach an chéad chéim."
        ),
        "proposal": "Ní chuirtear aon rud i gcrích mura spreagann an t-aiseolas sin gníomh de chineál éigin.",
        "customers": "Custaiméirí a thug aiseolas",
        "delight": "Feiceann siad gníomh.",
        "metric": "nps",
    },
    {
        "title": "მომხმარებელთა მომსახურების კვირა მთელი წლის განმავლობაში",
        "author": f"nino.beridze{D}",
        "status": "piloting",
        "tags": ["recognition"],
        "problem": (
            "ეს შეიძლება უხეში ჟღერდეს, მაგრამ, სამწუხაროდ, ეს არის ზუსტი ასახვა იმისა, "
            "თუ რამდენი ბიზნეს ლიდერი უყურებს მომხმარებელთა მომსახურების როლს."
        ),
        "proposal": "არა ხარჯი, არამედ შემოსავალი.",
        "customers": "ყველა მომხმარებელი",
        "delight": "მომსახურების როლი დაფასებულია.",
        "metric": "nps",
    },
    {
        "title": "Kā uzlabot klientu apkalpošanu jūsu biznesā",
        "author": f"liga.ozola{D}",
        "status": "submitted",
        "tags": ["feedback"],
        "problem": (
            "Tajā pašā laikā tirgus un patērētāju aptaujas vienmēr ir parādījušas, ka tie cilvēki, kuriem ir "
            "augstāka klientu pieredze, biežāk atgriežas pie tā paša piegādātāja."
        ),
        "proposal": "Vai jūs zināt savu klientu cerības? Jautājiet tiem.",
        "customers": "Visi klienti",
        "delight": "Labāka pieredze.",
        "metric": "csat",
    },
]

# The steps from draft to each status (who acts: "author" or "reviewer").
PATHS: dict[str, list[tuple[str, str]]] = {
    "draft": [],
    "submitted": [("author", "submitted")],
    "withdrawn": [("author", "submitted"), ("author", "withdrawn")],
    "in_review": [("author", "submitted"), ("reviewer", "in_review")],
    "needs_info": [("author", "submitted"), ("reviewer", "in_review"), ("reviewer", "needs_info")],
    "accepted": [("author", "submitted"), ("reviewer", "in_review"), ("reviewer", "accepted")],
    "rejected": [("author", "submitted"), ("reviewer", "in_review"), ("reviewer", "rejected")],
    "piloting": [
        ("author", "submitted"),
        ("reviewer", "in_review"),
        ("reviewer", "accepted"),
        ("reviewer", "piloting"),
    ],
    "launched": [
        ("author", "submitted"),
        ("reviewer", "in_review"),
        ("reviewer", "accepted"),
        ("reviewer", "piloting"),
        ("reviewer", "launched"),
    ],
    "duplicate": [("author", "submitted"), ("reviewer", "duplicate")],
}
PATENT_PATHS = {
    "none": [],
    "disclosed": ["disclosed"],
    "filed": ["disclosed", "filed"],
    "granted": ["disclosed", "filed", "granted"],
    "abandoned": ["disclosed", "abandoned"],
}
VOTERS = [f"maria.gonzalez{D}", f"james.carter{D}", f"aoife.byrne{D}", f"liga.ozola{D}", f"batbayar.dorj{D}"]


def _people() -> dict[str, User]:
    return {user.email: user for user in User.objects.filter(email__endswith=D)}


def _seed_campaigns(people: dict[str, User], log: list[str]) -> dict[str, Campaign]:
    today = timezone.localdate()
    campaigns = {}
    for spec in CAMPAIGNS:
        campaign = Campaign.objects.filter(slug=spec["slug"]).first()
        if campaign is None:
            campaign = Campaign.objects.create(
                slug=spec["slug"],
                title=spec["title"],
                brief=spec["brief"],
                opens_on=today + timedelta(days=spec["opens"]),
                closes_on=today + timedelta(days=spec["closes"]),
                created_by=people.get(REVIEWER),
            )
            log.append(f"campaign {campaign.title}")
        campaigns[spec["slug"]] = campaign
    return campaigns


def _move(idea: Idea, spec: dict[str, Any], people: dict[str, User], actor: str, to: str) -> None:
    who = people[spec["author"]] if actor == "author" else people[REVIEWER]
    extra: dict[str, Any] = {}
    if to == "needs_info":
        extra["comment"] = "Which members asked for this, and how often?"
    elif to == "rejected":
        extra["reason"] = "Badges do not make a stressful claim easier; members asked for fewer fields instead."
    elif to == "launched":
        extra.update(launched_on=date(2025, 9, 1), outcome="NPS among affected members rose 6 points.")
    elif to == "duplicate":
        extra["duplicate_of"] = Idea.objects.get(title=spec["duplicate_of"])
    services.idea_transition(idea=idea, actor=who, to=to, **extra)


def seed() -> list[str]:
    """Create what is missing; leave what exists untouched. Returns a log."""
    log: list[str] = []
    people = _people()
    if REVIEWER not in people:  # accounts' demo people come first
        return log
    campaigns = _seed_campaigns(people, log)
    for spec in IDEAS:
        if Idea.objects.filter(title=spec["title"]).exists():
            continue
        author = people[spec["author"]]
        idea = services.idea_create(
            author=author,
            title=spec["title"],
            problem=spec["problem"],
            proposal=spec["proposal"],
            customers_affected=spec["customers"],
            customer_delight=spec["delight"],
            metric=spec["metric"],
            metric_other=spec.get("metric_other", ""),
            campaign=campaigns[spec["campaign"]] if spec.get("campaign") else None,
            tags=spec["tags"],
        )
        steps = PATHS[spec["status"]]
        for actor, to in steps[:2]:
            _move(idea, spec, people, actor, to)
        if idea.status != "draft" or steps:
            _engage(idea, author, people)
        for actor, to in steps[2:]:
            _move(idea, spec, people, actor, to)
        for to in PATENT_PATHS[spec.get("patent", "none")]:
            services.idea_patent_transition(
                idea=idea,
                actor=people[COUNSEL],
                to=to,
                application_number="US 18/204,117" if to == "filed" else "",
                filed_on=date(2025, 10, 2) if to == "filed" else None,
                patent_number="US 12,104,556" if to == "granted" else "",
                granted_on=date(2026, 8, 11) if to == "granted" else None,
            )
        log.append(f"idea {idea.title}")
    return log


def _engage(idea: Idea, author: User, people: dict[str, User]) -> None:
    """Votes, a comment and a scorecard while the idea is open."""
    idea.refresh_from_db()
    if idea.status not in ("submitted", "in_review"):
        return
    for email in VOTERS[: 1 + len(idea.title) % len(VOTERS)]:
        if email != author.email and email in people:
            services.vote_add(idea=idea, user=people[email])
    commenter = people[f"james.carter{D}"] if author.email != f"james.carter{D}" else people[f"maria.gonzalez{D}"]
    services.comment_create(idea=idea, author=commenter, body="Members asked me about this **twice** last week.")
    if idea.status == "in_review":
        for reviewer in (people[REVIEWER], people[COUNSEL]):
            services.scorecard_save(
                idea=idea, reviewer=reviewer, customer_impact=4, feasibility=3, novelty=4, cost=3, comment="Promising."
            )
