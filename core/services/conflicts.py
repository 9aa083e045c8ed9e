"""Conflict-of-interest search over the whole firm: clients, parties and matters.

Names are folded (lower case, accents and punctuation removed) and compared word by word with
trigram similarity, so "Jean-Francois Tremblai" finds "Jean-François Tremblay". The database
narrows the candidates with substring tests on each query word's trigrams (on PostgreSQL a
pg_trgm GIN index serves them); the final decision is this module's, the same on every database.

Walls restrict what a hit reveals, never whether a conflict exists: a hit on a restricted matter
the searcher may not see is reported as "a restricted matter", without names or numbers.
"""

import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import exceptions
from core.models import Client, ConflictCheck, Matter, Party
from core.services import audit
from core.tenancy import Ctx

WORD_THRESHOLD = 0.5
MAX_HITS = 50
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, without accents or punctuation, single-spaced: the form names are searched in."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(_WORD.findall(plain))


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def word_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity() of two folded words: shared trigrams over all trigrams."""
    ta, tb = _trigrams(a), _trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


@dataclass
class Match:
    score: float
    reason: str


def name_match(query: str, name: str) -> Match | None:
    """How a folded query matches a folded name, or None. Every query word must find a similar word."""
    if not query or not name:
        return None
    if query == name:
        return Match(1.0, _("same name"))
    if f" {query} " in f" {name} ":
        return Match(0.95, _("name contains “%(query)s”") % {"query": query})
    words = [w for w in query.split() if len(w) >= 3]
    if not words:
        return None
    name_words = name.split()
    scores, notes = [], []
    for word in words:
        best = max(name_words, key=lambda candidate: word_similarity(word, candidate))
        similarity = word_similarity(word, best)
        if similarity < WORD_THRESHOLD:
            return None
        scores.append(similarity)
        if best != word:
            notes.append(f"{word} ≈ {best}")
    score = round(sum(scores) / len(scores) * 0.9, 2)
    if not notes:
        return Match(score, _("all words of the name match"))
    return Match(score, _("similar name (%(pairs)s)") % {"pairs": ", ".join(notes)})


def _candidates(field: str, query: str) -> Q:
    """A superset of the rows name_match() can accept: each shares an inner trigram with a query word."""
    grams = {query} if len(query) < 3 else set()
    for word in query.split():
        grams |= {word[i : i + 3] for i in range(len(word) - 2)} or {word}
    return reduce(or_, (Q(**{f"{field}__contains": gram}) for gram in sorted(grams)))


@dataclass
class Hit:
    kind: str  # client, party or matter
    score: float
    reason: str
    restricted: bool = False
    name: str | None = None
    role: str | None = None
    client_id: str | None = None
    matter_id: str | None = None
    matter_number: str | None = None
    matter_title: str | None = None


def conflict_search(*, ctx: Ctx, query: str, exclude_matter_id=None) -> list[Hit]:
    """Every client, party and matter of the firm that may conflict with `query`, best first."""
    ctx.require("conflicts.run")
    if len(fold(query)) < 2:
        raise exceptions.ValidationError(
            _("Enter at least two letters."), errors={"q": [_("Enter at least two letters.")]}
        )
    return conflict_hits(ctx=ctx, query=query, exclude_matter_id=exclude_matter_id)


def conflict_hits(*, ctx: Ctx, query: str, exclude_matter_id=None) -> list[Hit]:
    """The search itself, for services that must check whatever the actor's role (opening a matter)."""
    from core.selectors.matters import visible_matter_ids

    folded = fold(query)
    if len(folded) < 2:
        return []
    visible = visible_matter_ids(ctx)
    hits: list[Hit] = []

    for client in Client.objects.filter(_candidates("search_name", folded)):
        match = name_match(folded, client.search_name)
        if match:
            reason = _("Client: %(reason)s") % {"reason": match.reason}
            hits.append(Hit("client", match.score, reason, name=client.name, client_id=str(client.pk)))

    parties = Party.objects.filter(_candidates("search_name", folded)).select_related("matter")
    for party in parties:
        if party.matter_id == exclude_matter_id:
            continue
        match = name_match(folded, party.search_name)
        if not match:
            continue
        role = Party.Role(party.role).label
        if party.matter_id in visible:
            reason = _("%(role)s on %(number)s: %(reason)s") % {
                "role": role,
                "number": party.matter.number,
                "reason": match.reason,
            }
            hits.append(Hit("party", match.score, reason, name=party.name, role=party.role, **_matter(party.matter)))
        else:
            reason = _("%(role)s on a restricted matter") % {"role": role}
            hits.append(Hit("party", match.score, reason, restricted=True, role=party.role))

    for matter in Matter.objects.filter(_candidates("search_title", folded)):
        if matter.pk == exclude_matter_id:
            continue
        match = name_match(folded, matter.search_title)
        if not match:
            continue
        if matter.pk in visible:
            reason = _("Matter title: %(reason)s") % {"reason": match.reason}
            hits.append(Hit("matter", match.score, reason, name=matter.title, **_matter(matter)))
        else:
            hits.append(Hit("matter", match.score, _("A restricted matter"), restricted=True))

    hits.sort(key=lambda hit: (-hit.score, hit.kind, hit.name or ""))
    return hits[:MAX_HITS]


def _matter(matter: Matter) -> dict:
    return {
        "client_id": str(matter.client_id),
        "matter_id": str(matter.pk),
        "matter_number": matter.number,
        "matter_title": matter.title,
    }


def conflict_check_record(
    *, ctx: Ctx, query: str, hits: list[Hit], matter: Matter | None = None, override_reason: str = ""
) -> ConflictCheck:
    """Keep a conflict check as it was run, on the matter it cleared, and audit it."""
    with transaction.atomic():
        check = ConflictCheck.objects.create(
            org=ctx.org,
            matter=matter,
            query=query[:400],
            results=[asdict(hit) for hit in hits],
            hit_count=len(hits),
            override_reason=override_reason,
            run_by=ctx.user,
        )
        audit.record(
            ctx,
            "conflict_check.recorded",
            target=matter if matter is not None else check,
            target_label=str(matter) if matter is not None else query[:300],
            changes={"query": query, "hits": len(hits), "override_reason": override_reason},
        )
    return check
