"""trafilatura's pruning expressions answered in Python inside our calls, with the same elements.

trafilatura prunes each tree it works on with XPath expressions of the form
`.//*[self::div or self::p ...][re:test(@class, '...') or contains(@id, '...') ...]`. Their
`re:test` is EXSLT's, which lxml implements with a Python callback per element and attribute:
on our pages these expressions cost about a seventh of the extraction. Each is a test of an
element's tag and a few of its attributes, so it is answered here by a Python function of the
tag and those attributes (Python's `re`, as lxml's EXSLT functions use), remembered for the
(tag, attributes) pairs a page repeats, and the elements come in document order as XPath gives
them. The semantics kept: a missing attribute reads as "", `@id|@class` reads the one that comes
first in the element's source (XPath's string value of a node-set is its first node),
`translate` maps characters one for one, and `not(.//h1)` looks at the element's descendants.

An expression is translated only when every term of it is one of those forms; any other stays
an XPath. The translation acts only inside `cleaners.fallback_gate.extract_body` (its context
variable, which installs it), so trafilatura called anywhere else runs its own XPath, and it is
installed only on the trafilatura versions the gate was checked against (every page of the five
gold sets gave the same elements both ways).
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from lxml import etree
from trafilatura import htmlprocessing, main_extractor, xpaths
from trafilatura.utils import LINK_FARM_RATIO
from trafilatura.xml import delete_element

# The lists of trafilatura.xpaths that its pruning reads (by name, so in place).
PRUNING_LISTS = (
    "BODY_XPATH",
    "OVERALL_DISCARD_XPATH",
    "RAW_TREE_PRUNE_XPATH",
    "REMOVE_COMMENTS_XPATH",
    "REMOVE_COMMENTS_AND_LISTS_XPATH",
    "TEASER_DISCARD_XPATH",
    "DISCARD_IMAGE_ELEMENTS",
    "PRECISION_DISCARD_XPATH",
)
# Remembered answers per expression; cleared when this many (a page's own variety is far less).
MEMO_LIMIT = 20_000
# Whether the calling code is ours (set by `install`; cleaners.fallback_gate's context variable).
ACTIVE: list[Callable[[], bool]] = [lambda: False]

SELF_RE = re.compile(r"self::([\w-]+)")
NOT_RE = re.compile(r"not\((.*)\)", re.DOTALL)
DESCENDANT_RE = re.compile(r"\.//([\w-]+)")
ATTRIBUTE_RE = re.compile(r"@([\w-]+)")
EQUALS_RE = re.compile(r"@([\w-]+)\s*=\s*'([^']*)'")
CALL_RE = re.compile(r"(contains|starts-with|re:test)\(\s*(.*?),\s*'([^']*)'\s*\)", re.DOTALL)
FLAGGED_TEST_RE = re.compile(r"re:test\(\s*(.*?),\s*'([^']*)',\s*'([^']*)'\s*\)", re.DOTALL)
FIRST_RE = re.compile(r"\((.*)\)\[1\]", re.DOTALL)
UNION_RE = re.compile(r"@([\w-]+)\|@([\w-]+)")
TRANSLATE_RE = re.compile(r"translate\(@([\w-]+),\s*'([^']*)',\s*'([^']*)'\)")

# An element as the terms see it: its tag, and its read attributes in source order.
Items = tuple[tuple[str, str], ...]
View = tuple[str, Items]
Term = Callable[[View], bool]
Reader = Callable[[View], str]


class Untranslatable(ValueError):
    """A term outside the forms this module answers: the expression stays an XPath."""


def split_top(text: str, separator: str, *, spaced: bool = True) -> list[str]:
    """`text` split at `separator` (a word with whitespace either side when `spaced`) outside
    quotes, parentheses and brackets."""
    parts, depth, quoted, start, index = [], 0, False, 0, 0
    while index < len(text):
        char = text[index]
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "([":
            depth += 1
        elif not quoted and char in ")]":
            depth -= 1
        elif not quoted and not depth and not spaced and text.startswith(separator, index):
            parts.append(text[start:index])
            index = start = index + len(separator)
            continue
        elif (
            not quoted
            and not depth
            and char.isspace()
            and text.startswith(separator, index + 1)
            and text[index + 1 + len(separator) : index + 2 + len(separator)].isspace()
        ):
            parts.append(text[start:index])
            index = start = index + 1 + len(separator)
            continue
        index += 1
    parts.append(text[start:])
    return [part.strip() for part in parts]


def predicates_of(path: str) -> list[str]:
    """The bracketed predicates of `.//*[...][...]`, outermost brackets off."""
    text = path.strip()
    if not text.startswith(".//*["):
        raise Untranslatable(path)
    predicates, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(text[4:], start=4):
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "[":
            depth += 1
            start = index + 1 if depth == 1 else start
        elif char == "]":
            depth -= 1
            if not depth:
                predicates.append(text[start:index])
        elif not depth and not char.isspace():
            raise Untranslatable(path)
    return predicates


def attribute_value(name: str) -> Reader:
    """XPath's string of `@name`: its value, or "" when the element has none."""
    return lambda view: next((value for key, value in view[1] if key == name), "")


def first_value(first: str, second: str) -> Reader:
    """XPath's string of `@first|@second`: the one of the two that comes first in the source."""
    names = (first, second)
    return lambda view: next((value for key, value in view[1] if key in names), "")


def reader_of(argument: str, names: set[str]) -> Reader:
    """The string an argument reads: `@a`, `@a|@b` or `translate(@a, 'X', 'x')`."""
    if match := UNION_RE.fullmatch(argument):
        names.update(match.groups())
        return first_value(*match.groups())
    if match := TRANSLATE_RE.fullmatch(argument):
        name, source, target = match.groups()
        if len(source) != len(target):
            raise Untranslatable(argument)
        table = str.maketrans(source, target)
        names.add(name)
        read = attribute_value(name)
        return lambda view: read(view).translate(table)
    if match := ATTRIBUTE_RE.fullmatch(argument):
        names.add(match.group(1))
        return attribute_value(match.group(1))
    raise Untranslatable(argument)


def call_term(function: str, read: Reader, literal: str, flags: str = "") -> Term:
    """`contains`, `starts-with` or EXSLT's `re:test` (Python's `re.search`, as lxml's, case
    ignored for an "i" among its flags) of a read string and a literal."""
    if function == "contains":
        return lambda view: literal in read(view)
    if function == "starts-with":
        return lambda view: read(view).startswith(literal)
    pattern = re.compile(literal, re.IGNORECASE if "i" in flags else 0)
    return lambda view: pattern.search(read(view)) is not None


def term_of(text: str, names: set[str]) -> Term:
    """One term of an `or` chain over the element's tag and attributes."""
    if match := SELF_RE.fullmatch(text):
        tag = match.group(1)
        return lambda view: view[0] == tag
    if match := EQUALS_RE.fullmatch(text):
        name, literal = match.groups()
        names.add(name)
        return lambda view: any(key == name and value == literal for key, value in view[1])
    if match := ATTRIBUTE_RE.fullmatch(text):
        name = match.group(1)
        names.add(name)
        return lambda view: any(key == name for key, _value in view[1])
    if match := FLAGGED_TEST_RE.fullmatch(text):
        argument, literal, flags = match.groups()
        return call_term("re:test", reader_of(argument.strip(), names), literal, flags)
    if match := CALL_RE.fullmatch(text):
        function, argument, literal = match.groups()
        return call_term(function, reader_of(argument.strip(), names), literal)
    if (match := NOT_RE.fullmatch(text)) and not DESCENDANT_RE.fullmatch(match.group(1)):
        inner = chain_of(match.group(1), names)
        return lambda view: not inner(view)
    raise Untranslatable(text)


def chain_of(text: str, names: set[str]) -> Term:
    """An `or` chain of terms, answered by `Chain` (its merged searches) where it can be."""
    parts = split_top(text, "or")
    terms = [term_of(part, names) for part in parts]  # raises Untranslatable as it should
    try:
        return Chain(parts, names)
    except (Untranslatable, re.error):
        return lambda view: any(term(view) for term in terms)


def reader_key(argument: str) -> tuple[str, ...]:
    """What an argument reads, as a key: ("attr", a), ("union", a, b) or ("translate", a, X, x)."""
    if match := UNION_RE.fullmatch(argument):
        return ("union", *match.groups())
    if match := TRANSLATE_RE.fullmatch(argument):
        return ("translate", *match.groups())
    if match := ATTRIBUTE_RE.fullmatch(argument):
        return ("attr", match.group(1))
    raise Untranslatable(argument)


class Chain:
    """An `or` chain with its string tests merged: every `contains`, `starts-with`, `re:test`
    and non-empty `@a='x'` on one read string becomes one alternation of one compiled search
    (a string matches the alternation where it matches one of its parts), answered once per
    distinct string read; `self::` tags and `@a` tests become set lookups, and the other terms
    (`not(...)`, `@a=''`) stay terms."""

    def __init__(self, parts: list[str], names: set[str]) -> None:
        self.tags: set[str] = set()
        self.present: set[str] = set()
        self.others: list[Term] = []
        patterns: dict[tuple[str, ...], list[str]] = {}
        for part in parts:
            if match := SELF_RE.fullmatch(part):
                self.tags.add(match.group(1))
            elif (match := EQUALS_RE.fullmatch(part)) and match.group(2):
                patterns.setdefault(("attr", match.group(1)), []).append(
                    rf"\A{re.escape(match.group(2))}\Z"
                )
            elif match := ATTRIBUTE_RE.fullmatch(part):
                self.present.add(match.group(1))
            elif match := FLAGGED_TEST_RE.fullmatch(part):
                argument, literal, flags = match.groups()
                inline = "(?i:" if "i" in flags else "(?:"
                patterns.setdefault(reader_key(argument.strip()), []).append(f"{inline}{literal})")
            elif match := CALL_RE.fullmatch(part):
                function, argument, literal = match.groups()
                pattern = {"contains": "", "starts-with": r"\A"}.get(function)
                pattern = f"(?:{literal})" if pattern is None else pattern + re.escape(literal)
                patterns.setdefault(reader_key(argument.strip()), []).append(pattern)
            else:
                self.others.append(term_of(part, names))
        # (what is read (see `reader_key`), the search, its answers so far per string read)
        self.searches = [
            (key, re.compile("|".join(alternatives)).search, {})
            for key, alternatives in patterns.items()
        ]
        self.tables = {key: str.maketrans(*key[2:]) for key in patterns if key[0] == "translate"}

    def __call__(self, view: View) -> bool:
        """Whether the element passes one of the terms."""
        tag, items = view
        if tag in self.tags:
            return True
        values = dict(items)
        if not self.present.isdisjoint(values):
            return True
        for key, search, answers in self.searches:
            kind = key[0]
            if kind == "attr":
                text = values.get(key[1], "")
            elif kind == "translate":
                text = values.get(key[1], "").translate(self.tables[key])
            else:  # the first of two attributes in the source
                first, second = key[1:]
                text = next((value for name, value in items if name in (first, second)), "")
            found = answers.get(text)
            if found is None:
                if len(answers) > MEMO_LIMIT:
                    answers.clear()
                found = answers[text] = search(text) is not None
            if found:
                return True
        return bool(self.others) and any(term(view) for term in self.others)


def descendant_of(text: str) -> str | None:
    """The tag of a `not(.//tag)` term, else None."""
    match = NOT_RE.fullmatch(text)
    inner = DESCENDANT_RE.fullmatch(match.group(1)) if match else None
    return inner.group(1) if inner else None


class Selection:
    """One `.//*[...]` expression answered in Python (see the module docstring).

    The first predicate, when it only names tags, picks the elements to look at; the others are
    `or` chains over the tag and attributes, answered once per distinct (tag, attributes). A
    chain holding `not(.//tag)` is split: the element passes it by its attributes or by having
    no such descendant, looked at only when the attributes do not decide.
    """

    def __init__(self, xpath: etree.XPath, path: str | None = None) -> None:
        self.xpath = xpath
        self.names: set[str] = set()
        self.path = xpath.path if path is None else path
        predicates = predicates_of(self.path)
        # A last `[1]` keeps, of each parent's matching children, the first.
        self.first_child = predicates[-1].strip() == "1"
        predicates = predicates[:-1] if self.first_child else predicates
        parts = split_top(predicates[0], "or")
        self.tags: tuple[str, ...] | None = None
        if all(SELF_RE.fullmatch(part) for part in parts):
            self.tags = tuple(SELF_RE.fullmatch(part).group(1) for part in parts)  # type: ignore[union-attr]
            predicates = predicates[1:]
        self.chains: list[tuple[Term, tuple[str, ...]]] = []
        for predicate in predicates:
            terms = split_top(predicate, "or")
            absent = tuple(tag for tag in map(descendant_of, terms) if tag)
            rest = " or ".join(term for term in terms if not descendant_of(term))
            self.chains.append((chain_of(rest, self.names) if rest else lambda view: False, absent))
        self.memo: dict[View, tuple[tuple[str, ...], ...] | None] = {}

    def __call__(self, tree: Any) -> list[Any]:
        """trafilatura's XPath outside our calls, this module's answer inside them."""
        if not ACTIVE[0]():
            return self.xpath(tree)
        return self.select(tree)

    def candidates(self, tree: Any) -> Iterator[Any]:
        """The elements the expression looks at, in document order."""
        if self.tags is None:
            return tree.iterdescendants(etree.Element)
        return tree.iterdescendants(*self.tags)

    def decide(self, view: View) -> tuple[tuple[str, ...], ...] | None:
        """None when the attributes fail the expression, else the `not(.//tag)` checks left
        (each a tuple of tags, one of which must be missing from the descendants)."""
        checks = []
        for chain, absent in self.chains:
            if not chain(view):
                if not absent:
                    return None
                checks.append(absent)
        return tuple(checks)

    def select(self, tree: Any) -> list[Any]:
        """The elements the XPath would return, in document order."""
        selected = list(self.passing(tree))
        return first_children(selected) if self.first_child else selected

    def first(self, tree: Any) -> Any:
        """The first element the XPath would return (without `[1]`), else None: the walk stops
        there."""
        return next(self.passing(tree), None)

    def passing(self, tree: Any) -> Iterator[Any]:
        """The elements that pass the predicates, in document order."""
        names, memo, decide = self.names, self.memo, self.decide
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        for element in self.candidates(tree):
            items = element.items()
            view = (element.tag, tuple([item for item in items if item[0] in names]))
            try:
                checks = memo[view]
            except KeyError:
                checks = memo[view] = decide(view)
            if checks is None:
                continue
            if not checks or all(
                any(next(element.iterdescendants(tag), None) is None for tag in absent)
                for absent in checks
            ):
                yield element


class FirstOfEach:
    """`(A)[1]|(B)[1]`: the first element of each part (a `.//*[...]` Selection or `.//tag`),
    together in document order."""

    def __init__(self, xpath: etree.XPath) -> None:
        self.xpath = xpath
        self.parts: list[Callable[[Any], Any]] = []
        for part in split_top(xpath.path.strip(), "|", spaced=False):
            match = FIRST_RE.fullmatch(part)
            if not match:
                raise Untranslatable(part)
            inner = match.group(1).strip()
            if tag_match := DESCENDANT_RE.fullmatch(inner):
                tag = tag_match.group(1)
                self.parts.append(lambda tree, tag=tag: next(tree.iterdescendants(tag), None))
            else:
                self.parts.append(Selection(xpath, inner).first)

    def __call__(self, tree: Any) -> list[Any]:
        """trafilatura's XPath outside our calls, this module's answer inside them."""
        if not ACTIVE[0]():
            return self.xpath(tree)
        return self.select(tree)

    def select(self, tree: Any) -> list[Any]:
        """The elements the XPath would return, in document order."""
        found = [element for part in self.parts if (element := part(tree)) is not None]
        if len(found) < 2:
            return found
        wanted = set(found)
        return [element for element in tree.iterdescendants() if element in wanted]


def first_children(elements: list[Any]) -> list[Any]:
    """Of elements in document order, each parent's first (XPath's `[1]` on a child step)."""
    parents: set[Any] = set()
    kept = []
    for element in elements:
        parent = element.getparent()
        if parent not in parents:
            parents.add(parent)
            kept.append(element)
    return kept


def translate(xpath: Any) -> Any:
    """A Selection (or FirstOfEach) for an XPath this module can answer, else the XPath."""
    if not isinstance(xpath, etree.XPath):
        return xpath
    for answer in (Selection, FirstOfEach):
        try:
            return answer(xpath)
        except Untranslatable:
            pass
    return xpath


def holders(subtree: Any, tag: str) -> set[Any]:
    """The elements of `subtree` (itself included) that have a `tag` element below them: each
    such element's ancestors, walked up until one is known."""
    found: set[Any] = set()
    for node in subtree.iter(tag):
        for ancestor in node.iterancestors():
            if ancestor in found:
                break
            found.add(ancestor)
            if ancestor is subtree:
                break
    return found


def trimmed_length(element: Any, lengths: dict[Any, int]) -> int:
    """`len(trim(element.text_content()))`, remembered while the element's text is unchanged."""
    length = lengths.get(element)
    if length is None:
        # A leaf's text is its own (most links): no XPath string() evaluation for it.
        text = element.text_content() if len(element) else element.text or ""
        length = lengths[element] = len(" ".join(text.split()))
    return length


def link_lengths(links: list[Any], lengths: dict[Any, int]) -> list[int]:
    """The trimmed lengths of the links' texts, empty ones left out (`collect_link_info`)."""
    return [length for length in (trimmed_length(link, lengths) for link in links) if length]


def link_density_test(
    element: Any, favor_precision: bool, graphics: set[Any], lengths: dict[Any, int]
) -> tuple[bool, bool]:
    """trafilatura's `link_density_test` of an element with links below it, step for step;
    `graphics` are the elements with a <graphic> below them, `lengths` the texts' lengths."""
    links = element.findall(".//ref")
    if element in graphics:
        return False, False
    elemlen = trimmed_length(element, lengths)
    if len(links) == 1:
        link_len = trimmed_length(links[0], lengths)
        if link_len > (10 if favor_precision else 100) and link_len > elemlen * 0.9:
            return True, False
    if element.tag == "p":
        limitlen = 60 if element.getnext() is None else 30
    elif element.getnext() is None:
        limitlen = 300
    else:
        limitlen = 100
    if elemlen < limitlen:
        found = link_lengths(links, lengths)
        if not found:
            return True, False
        linklen, elemnum = sum(found), len(found)
        shortelems = sum(1 for length in found if length < 10)
        return linklen > elemlen * 0.8 or (elemnum > 1 and shortelems / elemnum > 0.8), True
    if len(links) > 4:
        found = link_lengths(links, lengths)
        linklen = sum(found)
        if (
            linklen > elemlen * LINK_FARM_RATIO
            and linklen < 100 * len(found)
            and not htmlprocessing.is_paragraph_listing(links)
        ):
            return True, False
    return False, False


# trafilatura's section pruning calls the deletion six times in a row on one tree, for these
# tags: between the calls the tree changes only by the calls' own deletions.
DENSITY_ROUNDS = ("div", "list", "p", "div", "list", "p")


@dataclass(slots=True)
class DensityRun:
    """The tests of one run of DENSITY_ROUNDS, kept from call to call.

    An element's test reads its subtree (links, images, text), its tag and whether a sibling
    follows it; a deletion changes the subtree of each ancestor of the deleted element and what
    follows its previous sibling, so the tests of those are forgotten and all others hold.
    """

    subtree: Any
    favor_precision: bool
    step: int
    tests: dict[Any, tuple[bool, bool]] = field(default_factory=dict)
    lengths: dict[Any, int] = field(default_factory=dict)

    def forget(self, deleted: Any) -> None:
        """Forget what a deletion of `deleted` (still in place) changes."""
        for changed in (*deleted.iterancestors(), deleted.getprevious()):
            self.tests.pop(changed, None)
            self.lengths.pop(changed, None)


_DENSITY_RUN: contextvars.ContextVar[DensityRun | None] = contextvars.ContextVar(
    "cleaners_density_run", default=None
)


def density_run(subtree: Any, tagname: str, favor_precision: bool) -> DensityRun:
    """The run this call continues (the next of DENSITY_ROUNDS on the same tree), else a new
    one: the first of a run for a <div> call, one standing alone for any other."""
    run = _DENSITY_RUN.get()
    if (
        run is not None
        and run.subtree is subtree
        and run.favor_precision == favor_precision
        and run.step < len(DENSITY_ROUNDS)
        and DENSITY_ROUNDS[run.step] == tagname
    ):
        run.step += 1
        return run
    step = 1 if tagname == DENSITY_ROUNDS[0] else len(DENSITY_ROUNDS)
    run = DensityRun(subtree, favor_precision, step)
    _DENSITY_RUN.set(run)
    return run


def end_density_runs() -> None:
    """Forget the current run (at the start and end of each of our extractions)."""
    _DENSITY_RUN.set(None)


def delete_by_link_density(
    subtree: Any, tagname: str, backtracking: bool = False, favor_precision: bool = False
) -> Any:
    """trafilatura's `delete_by_link_density` with the same deletions, inside our calls.

    trafilatura asks each element of the tag for its links, images and text with a search of
    its whole subtree, so nested containers cost the square of the page: here the elements
    with links and with images below them are found in one pass each, elements without links
    pass at once (as in trafilatura's test), each text's length is computed once, and the
    second round of the section pruning reuses the first round's tests of the elements its
    deletions left unchanged (DensityRun).
    """
    if not ACTIVE[0]():
        return TRAFILATURA_DELETE_BY_LINK_DENSITY[0](
            subtree, tagname, backtracking=backtracking, favor_precision=favor_precision
        )
    run = density_run(subtree, tagname, favor_precision)
    with_links = holders(subtree, "ref")
    if not with_links:
        return subtree
    graphics = holders(subtree, "graphic")
    tests, lengths = run.tests, run.lengths
    len_threshold = 200 if favor_precision else 100
    depth_threshold = 1 if favor_precision else 3
    deletions = []
    for element in subtree.iter(tagname):
        if element not in with_links:
            continue
        test = tests.get(element)
        if test is None:
            test = tests[element] = link_density_test(element, favor_precision, graphics, lengths)
        result, short_with_links = test
        if result or (
            backtracking
            and short_with_links
            and len(element) >= depth_threshold
            and trimmed_length(element, lengths) < len_threshold
        ):
            parent = element.getparent()
            if tagname == "p" and parent is not None and parent.tag in ("item", "td", "th"):
                continue
            deletions.append(element)
    for element in dict.fromkeys(deletions):
        run.forget(element)
        delete_element(element)
    return subtree


# trafilatura's own function, called outside our calls.
TRAFILATURA_DELETE_BY_LINK_DENSITY: list[Callable[..., Any]] = [
    htmlprocessing.delete_by_link_density
]


def install(active: Callable[[], bool], checked_versions: frozenset[str]) -> bool:
    """Put the translations in trafilatura's pruning lists and the link-density deletion in its
    main extractor (once), answering where `active()` says so; False on a trafilatura version
    outside `checked_versions`."""
    if trafilatura.__version__ not in checked_versions:
        return False
    ACTIVE[0] = active
    for name in PRUNING_LISTS:
        expressions = getattr(xpaths, name, None)
        if isinstance(expressions, list):
            expressions[:] = [translate(expression) for expression in expressions]
    main_extractor.delete_by_link_density = delete_by_link_density
    return True
