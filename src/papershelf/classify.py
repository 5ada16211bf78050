"""Suggest a theme and tags for a paper from the rules in `content/themes.yaml`, and say why.

Scoring (documented for curators at the top of themes.yaml): every rule is a case-insensitive
regular expression. It is looked for once in each field it names (title, abstract, links);
a field that matches adds the rule's weight, times `title_weight` in the title. So a word
repeated throughout an abstract counts once, and a rule matching both title and abstract
counts twice. A theme is chosen when it reaches `min_theme_score`, is not outranked by
another theme that reaches it, and leads the next theme by at least `min_margin`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from re import _constants as sre_constants
from re import _parser as sre_parser

import ahocorasick

from papershelf.model import Link, Rule, Taxonomy
from papershelf.text import latex_to_plain

THEME, TAG = "theme", "tag"
_FIELDS = ("title", "abstract", "links")


@dataclass(frozen=True)
class Evidence:
    """One rule matching one field: what it matched and what that added to the target's score."""

    target_kind: str  # THEME or TAG
    target: str
    pattern: str
    field: str
    matched: str
    weight: float  # the rule's weight, times title_weight for a title match


@dataclass(frozen=True)
class Classification:
    """The theme and tags the rules suggest for one paper, with the evidence that decided."""

    theme: str | None
    tags: tuple[str, ...]
    scores: tuple[tuple[str, float], ...]  # theme id -> score, in declaration order
    evidence: tuple[Evidence, ...]
    verdict: str

    def score(self, theme_id: str) -> float:
        return dict(self.scores).get(theme_id, 0.0)


def classify(
    taxonomy: Taxonomy,
    *,
    title: str,
    abstract: str,
    links: Sequence[Link] = (),
    evidence: bool = True,
) -> Classification:
    """Score every theme and tag against a paper and decide its theme, or decide on none.
    Without `evidence`, the classification has none: it is a fifth of the work, and only an
    explanation shows it."""
    compiled = _compiled(taxonomy)
    texts = (_matchable(title), _matchable(abstract), "\n".join(link.url for link in links))
    found: list[tuple[int, int, str]] = []  # (rule, field, matched text)
    for field_index, (field, text) in enumerate(zip(_FIELDS, texts, strict=True)):
        lowered = _lower(text)
        places = compiled.places(lowered)
        for index in sorted(places.keys() | compiled.unanchored):
            rule = compiled.rules[index]
            if field in rule.fields:
                matched = rule.find(text, lowered, places.get(index))
                if matched is not None:
                    found.append((index, field_index, matched))
    shown: list[Evidence] = []
    totals: dict[tuple[str, str], float] = {}
    for index, field_index, matched in sorted(found):  # in rule order, as themes.yaml lists them
        rule, field = compiled.rules[index], _FIELDS[field_index]
        weight = rule.weight * (taxonomy.title_weight if field == "title" else 1.0)
        if evidence:
            shown.append(Evidence(rule.kind, rule.target, rule.pattern, field, matched, weight))
        key = (rule.kind, rule.target)
        totals[key] = round(totals.get(key, 0.0) + weight, 6)
    scores = tuple((t.id, totals.get((THEME, t.id), 0.0)) for t in taxonomy.themes)
    theme, verdict = _decide(taxonomy, dict(scores))
    tags = tuple(
        t.id for t in taxonomy.tags if totals.get((TAG, t.id), 0.0) >= taxonomy.min_tag_score
    )
    return Classification(theme, tags, scores, tuple(shown), verdict)


def compile_rules(taxonomy: Taxonomy) -> None:
    """Compile the taxonomy's rules now (~50 ms), so that processes forked later share them."""
    _compiled(taxonomy)


def _decide(taxonomy: Taxonomy, scores: dict[str, float]) -> tuple[str | None, str]:
    least = taxonomy.min_theme_score
    qualified = [t for t in taxonomy.themes if scores[t.id] >= least]
    if not qualified:
        best = max(taxonomy.themes, key=lambda t: scores[t.id])  # first declared wins ties
        if scores[best.id] <= 0:
            return None, "no theme: no theme rule matched"
        return None, f"no theme: best is {best.id} with {scores[best.id]:g} < {least:g}"
    outranked = {other for t in qualified for other in t.outranks}
    # Sorting is stable, so equal scores keep declaration order; equal scores are ambiguous anyway.
    standing = sorted(
        (t.id for t in taxonomy.themes if t.id not in outranked),
        key=lambda theme_id: -scores[theme_id],
    )
    if not standing or scores[standing[0]] < least:  # only when built bypassing the loader
        return None, "no theme: the themes outrank each other in a circle"
    top, score = standing[0], scores[standing[0]]
    reason = f"{top}: score {score:g} (min {least:g})"
    if len(standing) > 1 and scores[standing[1]] > 0:
        second, lead = standing[1], score - scores[standing[1]]
        if lead < taxonomy.min_margin or lead == 0:
            return None, (
                f"ambiguous: {top} ({score:g}) and {second} ({scores[second]:g}) are within "
                f"{taxonomy.min_margin:g} of each other and neither outranks the other"
            )
        reason += (
            f"; leads {second} ({scores[second]:g}) by {lead:g} (margin {taxonomy.min_margin:g})"
        )
    beaten = [t.id for t in taxonomy.themes if t.id in outranked and scores[t.id] > 0]
    if beaten:
        reason += "; outranks " + ", ".join(f"{b} ({scores[b]:g})" for b in beaten)
    return top, reason


def explain(classification: Classification, *, label: str) -> list[str]:
    """Return terminal lines saying which theme and tags a paper gets, and the evidence for each."""
    c = classification
    lines = [label, f"  theme: {c.theme or 'none'}", f"  why: {c.verdict}", "  theme scores:"]
    for theme_id, score in c.scores:
        mark = "  <- chosen" if theme_id == c.theme else ""
        lines.append(f"    {theme_id}: {score:g}{mark}")
        lines.extend(_evidence_lines(c.evidence, THEME, theme_id))
    lines.append(f"  tags: {', '.join(c.tags) if c.tags else 'none'}")
    for tag_id in c.tags:
        lines.append(f"    {tag_id}:")
        lines.extend(_evidence_lines(c.evidence, TAG, tag_id))
    below = [e.target for e in c.evidence if e.target_kind == TAG and e.target not in c.tags]
    if below:
        lines.append(f"    matched, but below the tag minimum: {', '.join(dict.fromkeys(below))}")
    return lines


def _evidence_lines(evidence: Sequence[Evidence], kind: str, target: str) -> list[str]:
    return [
        f'      {e.weight:+g} {e.field}: "{e.matched}"  (rule: {e.pattern})'
        for e in evidence
        if e.target_kind == kind and e.target == target
    ]


# A LaTeX macro with its braced arguments, an accent, an escaped character, inline math, or a
# group such as {\em ...}.
_LATEX_FRAGMENT = re.compile(
    r"\\(?:[a-zA-Z]+\*?(?:\{[^{}]*\})*|[`'^\"~=.](?:\{[^{}]*\}|[a-zA-Z])?|.)"
    r"|\$[^$]*\$|\{[^{}]*\}"
)


def _lower(text: str) -> str:
    """Return `text` in lowercase, character for character, so that spans match the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few letters lowercase to two characters ("İ" to "i̇"): keep those as they are.
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


# The same fragments ($\times$, \%) recur across the abstracts of a listing.
_fragment_to_plain = functools.lru_cache(maxsize=4096)(latex_to_plain)


def _matchable(text: str) -> str:
    """Return `text` as rules see it: LaTeX turned into plain text, whitespace runs collapsed."""
    if "\\" in text or "$" in text:
        # Converting only the LaTeX fragments gives the same words as converting the whole text,
        # a hundred times faster: the converter takes ~30 ms for a whole abstract.
        text = _LATEX_FRAGMENT.sub(lambda m: _fragment_to_plain(m[0]), text).replace("\xad", "")
    return " ".join(text.split())


# Rule matching is the slow part of classifying: a regex search of an abstract costs ~20 us,
# and a taxonomy has ~100 rules. So each rule lists strings every match of it begins with, read
# off its parse tree (the standard library's own parser: private, but stable since Python
# 3.11). One pass of an Aho-Corasick automaton over the text finds every place where any of
# those strings occurs, and each rule's regex is tried only there, which finds the same leftmost
# match as searching the whole text. Rules whose matches can begin anywhere (`\w+x`) are
# searched in full.
_MAX_STARTS = 4
_MAX_STRINGS = 32
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)
_ZERO_WIDTH = (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT)
_LITERAL, _RANGE = sre_constants.LITERAL, sre_constants.RANGE


@dataclass(frozen=True)
class _CompiledRule:
    kind: str
    target: str
    pattern: str
    weight: float
    fields: tuple[str, ...]
    regex: re.Pattern[str]
    starts: tuple[str, ...] | None  # every match begins with one of these, if known

    def find(self, text: str, lowered: str, places: list[int] | None) -> str | None:
        """Return the first match in `text`, searching `lowered` at `places` (or everywhere)."""
        found = None
        if places is None:
            found = self.regex.search(lowered)
        else:
            for at in places:
                found = self.regex.match(lowered, at)
                if found:
                    break
        return None if found is None else text[found.start() : found.end()]


@dataclass(frozen=True)
class _Compiled:
    rules: tuple[_CompiledRule, ...]
    unanchored: frozenset[int]  # rules without start strings, searched in full
    # Every rule's start strings, each with its length less one and the rules that list it;
    # None when no rule has any. One pass over a text finds all their places, overlapping ones
    # too: a third of the time of one regex scan per first character of the strings (36 scans
    # of an abstract with the shipped rules), which was half of classifying.
    automaton: ahocorasick.Automaton | None

    def places(self, lowered: str) -> dict[int, list[int]]:
        """Return, for each rule that may match `lowered`, where its matches may begin."""
        found: dict[int, list[int]] = {}
        if self.automaton is None:
            return found
        for end, (back, users) in self.automaton.iter(lowered):
            for index in users:
                found.setdefault(index, []).append(end - back)
        for places in found.values():
            # Reported by where they end: a rule's longer string may begin before a shorter
            # one found earlier, and its first place must be its leftmost.
            places.sort()
        return found


def _compiled(taxonomy: Taxonomy) -> _Compiled:
    """Return `_compile(taxonomy)`, looking the last taxonomy up by identity: an import
    classifies thousands of papers with one, and hashing it for each cost more than this."""
    last = _last_compiled[0]
    if last is not None and last[0] is taxonomy:
        return last[1]
    compiled = _compile(taxonomy)
    _last_compiled[0] = (taxonomy, compiled)
    return compiled


_last_compiled: list[tuple[Taxonomy, _Compiled] | None] = [None]


@functools.lru_cache(maxsize=16)
def _compile(taxonomy: Taxonomy) -> _Compiled:
    targets = [(THEME, t.id, t.rules) for t in taxonomy.themes]
    targets += [(TAG, t.id, t.rules) for t in taxonomy.tags]
    rules = tuple(
        _compile_rule(kind, target, rule) for kind, target, rules in targets for rule in rules
    )
    strings = sorted({s for rule in rules for s in rule.starts or ()})
    automaton = None
    if strings:
        automaton = ahocorasick.Automaton()
        for string in strings:
            users = tuple(i for i, rule in enumerate(rules) if string in (rule.starts or ()))
            automaton.add_word(string, (len(string) - 1, users))
        automaton.make_automaton()
    unanchored = frozenset(i for i, rule in enumerate(rules) if rule.starts is None)
    return _Compiled(rules, unanchored, automaton)


def rule_flags(pattern: str) -> re.RegexFlag:
    """Return the flags a rule's pattern is compiled with to match lowercased text as IGNORECASE
    would match the text itself (so that its check when themes.yaml is read compiles it once)."""
    # Text is lowercased once per paper, so an all-lowercase pattern can skip IGNORECASE, which
    # disables the regex engine's fast literal scan. Escapes such as \W keep their meaning.
    has_upper = any(ch != ch.lower() for ch in re.sub(r"\\.", "", pattern))
    return re.IGNORECASE if has_upper else re.NOFLAG


def _compile_rule(kind: str, target: str, rule: Rule) -> _CompiledRule:
    flags = rule_flags(rule.pattern)
    regex = re.compile(rule.pattern, flags)
    starts = None
    if not flags:  # IGNORECASE also folds letters lowercasing does not (the long s)
        try:
            starts = _starts(sre_parser.parse(rule.pattern))
        except Exception:  # the private parser changed: search every text in full
            starts = None
    return _CompiledRule(kind, target, rule.pattern, rule.weight, rule.fields, regex, starts)


def _starts(items) -> tuple[str, ...] | None:
    """Return strings every match of a parsed sequence begins with, or None if unknown.

    Each place where one of them occurs costs a regex match there, which is cheap: so a few
    short strings ("vision", "language") do as well as many long ones.
    """
    exact = {""}
    for op, arg in items:
        if op in _ZERO_WIDTH:  # \b, lookbehinds: they match no text
            continue
        choices = _exact(op, arg)
        if choices is not None and len(exact) * len(choices) > _MAX_STARTS:
            if exact != {""}:
                break  # what is known already says where a match begins
            if op in (sre_constants.BRANCH, sre_constants.SUBPATTERN):
                choices = None  # how the branches begin may be fewer strings
        complete = choices is not None
        if op is sre_constants.BRANCH and not complete:
            branches = [_starts(branch) for branch in arg[1]]
            choices = None if None in branches else {s for b in branches for s in b}
        elif op is sre_constants.SUBPATTERN and not complete:
            inner = _starts(arg[-1])
            choices = None if inner is None else set(inner)
        elif op in _REPEATS and arg[0] >= 1 and not complete:
            inner = _starts(arg[2])
            choices = None if inner is None else set(inner)
        if choices is None:
            break
        exact = {before + after for before in exact for after in choices}
        if not complete:  # only how this item begins is known
            break
    if "" in exact:
        return None
    # "new" is enough: wherever "new languages" starts, "new" does.
    kept: list[str] = []
    for string in sorted(exact, key=lambda s: (len(s), s)):
        if not any(string.startswith(k) for k in kept):
            kept.append(string)
    return tuple(kept)


def _exact(op, arg) -> set[str] | None:
    """Return every string one parsed item can match, or None if they are too many."""
    if op is sre_constants.LITERAL:
        return {chr(arg).lower()}
    if op in _ZERO_WIDTH:
        return {""}
    if op is sre_constants.IN and all(o in (_LITERAL, _RANGE) for o, _ in arg):
        chars = set()  # [- ] or [0-9]
        for o, a in arg:
            chars.update(chr(a).lower() if o is _LITERAL else map(chr, range(a[0], a[1] + 1)))
        return chars if len(chars) <= 10 else None
    if op is sre_constants.SUBPATTERN:
        return _exact_sequence(arg[-1])
    if op is sre_constants.BRANCH:
        branches = [_exact_sequence(branch) for branch in arg[1]]
        return None if None in branches else set().union(*branches)
    if op in _REPEATS and (arg[0], arg[1]) == (0, 1):  # x?
        inner = _exact_sequence(arg[2])
        return None if inner is None else inner | {""}
    return None


def _exact_sequence(items) -> set[str] | None:
    exact = {""}
    for op, arg in items:
        choices = _exact(op, arg)
        if choices is None or len(exact) * len(choices) > _MAX_STRINGS:
            return None
        exact = {before + after for before in exact for after in choices}
    return exact
