"""Domain search: one name across the offered TLDs, plus a few suggestions,
checked in bulk with the registrar of each TLD."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from mpanel.core.errors import FieldError
from mpanel_domains.i18n import gettext as _
from mpanel_domains.lookup import get_registrar, tld_mapping
from mpanel_domains.names import split, to_ascii, to_unicode
from mpanel_domains.registrar import RegistrarError

MAX_TLDS = 20
SUGGESTION_PATTERNS = ("get{}", "my{}", "{}online", "{}hq", "the{}")


@dataclass(frozen=True)
class SearchResult:
    name: str  # A-label
    tld: str
    available: bool | None  # None: the registrar could not answer
    reason: str | None = None
    suggestion: bool = False

    @property
    def display_name(self) -> str:
        return to_unicode(self.name)


def _candidates(query: str, mapping: dict[str, str]) -> tuple[list[str], list[str]]:
    """(names across TLDs, suggested names) for a query like "münchen" or "münchen.de"."""
    ascii_name = to_ascii(query, "query")
    if "." in ascii_name:
        label, first = split(ascii_name, mapping, "query")
        tlds = [first, *sorted(t for t in mapping if t != first)]
    else:
        label, tlds = ascii_name, sorted(mapping)
    tlds = tlds[:MAX_TLDS]
    names = [f"{label}.{tld}" for tld in tlds]
    suggestions = []
    for pattern in SUGGESTION_PATTERNS:
        try:
            suggestions.append(to_ascii(f"{pattern.format(to_unicode(label))}.{tlds[0]}"))
        except FieldError:
            continue  # too long or otherwise invalid for this label: skip it
    return names, suggestions


def search(session, query: str) -> list[SearchResult]:
    """Availability of ``query`` in every offered TLD (the one typed first) and of suggestions."""
    mapping = tld_mapping(session)
    if not mapping:
        raise FieldError("query", _("No domain extensions are offered yet"))
    names, suggestions = _candidates(query, mapping)
    by_registrar = defaultdict(list)
    for name in names + suggestions:
        by_registrar[mapping[_tld(name, mapping)]].append(name)
    answers = {}
    for registrar_name, batch in by_registrar.items():
        try:
            with get_registrar(session, registrar_name) as registrar:
                answers.update({a.name: a for a in registrar.check(batch)})
        except RegistrarError as exc:
            answers.update({name: exc for name in batch})
    results = []
    for name in names + suggestions:
        answer = answers.get(name)
        tld = _tld(name, mapping)
        if answer is None or isinstance(answer, RegistrarError):
            results.append(SearchResult(name, tld, None, str(answer or _("no answer")), name in suggestions))
        else:
            results.append(SearchResult(name, tld, answer.available, answer.reason, name in suggestions))
    return results


def _tld(name: str, mapping) -> str:
    return split(name, mapping)[1]
