"""Reasons in words, for each reader: the person concerned, and HR.

The engine decides *why* (``reasons`` for the unmatched, ``scores.criteria`` for a pair) and
hands back a `Reason`: a code and its parameters. This module only phrases them, so the
person's words ("no mentor 1–3 levels above you") and HR's ("no mentor 1–3 levels above Ana
(level 6): enrol a more senior mentor or widen the gap in settings") always say the same
thing. It imports nothing at run time, so every engine module may use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .domain import Reason

# HR's names for the four criteria of a pair's score (the Breakdown fields).
CRITERION_LABELS = {
    "goals": "Goals",
    "level": "Level",
    "style": "Feedback style",
    "department": "Other department",
    "preference": "Preference",
    "history": "History",
}
_ORDINALS = {1: "first", 2: "second", 3: "third"}


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"


def _share(covered: int, wanted: int) -> str:
    """ "your goal", "all 3 of your goals", "1 of your 2 goals": how many of someone's
    goals another covers or shares."""
    if covered == wanted == 1:
        return "your goal"
    if covered == wanted:
        return f"all {wanted} of your goals"
    return f"{covered} of your {_plural(wanted, 'goal')}"


def _the_mentors(count: int) -> tuple[str, str]:
    """ "the only mentor", "has" or "the 3 mentors", "have": the subject and its verb."""
    return ("the only mentor", "has") if count == 1 else (f"the {count} mentors", "have")


def _names(params: dict) -> str:
    shown = list(params["names"])
    if params["count"] > len(shown):
        shown.append(f"{params['count'] - len(shown)} more")
    return ", ".join(shown)


def _topics(names: list[str]) -> str:
    return ", ".join(names)


# --- Why someone was left unmatched ----------------------------------------------------


def _span(params: dict, whom: str, whose: str) -> str:
    """Where a partner would have to be: "1–3 levels above you", "within 1 level of Ana"."""
    if "peer_max_gap" in params:
        gap = params["peer_max_gap"]
        return f"at {whose} level" if gap == 0 else f"within {_plural(gap, 'level')} of {whom}"
    low, high, where = params["min_gap"], params["max_gap"], params["direction"]
    if low == high:
        return f"{_plural(low, 'level')} {where} {whom}"
    return f"{low}–{high} levels {where} {whom}"


def _ruled_out_causes(params: dict, manager: str, reports: str) -> list[str]:
    causes = []
    if params["manager"]:
        causes.append(manager)
    if params["reports"]:
        causes.append(
            _plural(params["reports"], "person who reports", "people who report") + f" to {reports}"
        )
    if params["declined"]:
        causes.append(_plural(params["declined"], "declined pairing"))
    return causes


# --- Groups (circles, co-development, group mentoring) ---------------------------------


def _level_window(p: dict) -> str:
    low, high = max(p["level"] - p["spread"], 1), p["level"] + p["spread"]
    return f"levels {low}-{high}"


def _within(p: dict, whom: str) -> str:
    spread = p["spread"]
    if spread == 0:
        return f"at the same level as {whom}"
    return f"within {_plural(spread, 'level')} of {whom}"


def _others(p: dict) -> str:
    return "mentees" if p["role"] == "learner" else "peers"


def _group_style(p: dict) -> str | None:
    style = p["style"]
    if style is None:
        return None
    if style == "either":
        return "all of you are open to either feedback style"
    if p["all_same"]:
        return f"all of you prefer {style} feedback"
    return f"all of you are happy with {style} feedback"


def _and(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _group_for_person(code: str, p: dict) -> str | None:
    """The group codes' words for the person concerned; None for a code not about groups."""
    if code == "group_too_few":
        return (
            f"only {_plural(p['count'], 'other ' + _others(p)[:-1], 'other ' + _others(p))} "
            f"{'is' if p['count'] == 1 else 'are'} {_within(p, 'you')} (you are level "
            f"{p['level']}), and a {p['unit']} needs {p['size_min']} people"
        )
    if code == "group_ruled_out":
        causes = _ruled_out_causes(p, "your manager", "you")
        return (
            f"of the {_plural(p['candidates'], _others(p)[:-1], _others(p))} at a suitable "
            f"level, too few may join you ({', '.join(causes)}) to make a {p['unit']} of "
            f"{p['size_min']}"
        )
    if code == "groups_full":
        text = (
            f"every {p['unit']} you could join is full ({p['size_max']} people) or has someone "
            "you may not be grouped with"
        )
        if p["certified"]:
            text += "; " + _no_better_grouping(p)
        return text
    if code == "guides_full":
        return f"the {_plural(p['count'], 'mentor')} you could join have no group with room"
    if code == "group_shares":
        shared = p["topics"]
        if shared:
            text = f"you share {_and(shared)} with {p['count']} of {p['size']} in your {p['unit']}"
        else:
            text = f"you share no goals with the others in your {p['unit']}"
        style = _group_style(p)
        return f"{text}; {style}" if style else text
    if code == "guide_covers":
        if not p["covered"]:
            return f"your mentor {p['guide']} covers none of your goals"
        return (
            f"your mentor {p['guide']} covers {_share(len(p['covered']), p['wanted'])} "
            f"({_topics(p['covered'])})"
        )
    if code == "group_guide":
        if not p["covered"]:
            return f"you cover none of the goals of your {_plural(p['learners'], 'mentee')}"
        return (
            f"you cover {_and(p['covered'])} for {p['helped']} of your "
            f"{_plural(p['learners'], 'mentee')}"
        )
    return None


def _group_for_hr(code: str, p: dict, name: str) -> str | None:
    """The group codes' words for HR, about ``name``, with the fix; None if not a group code."""
    if code == "group_too_few":
        count = p["count"]
        who = _plural(count, "other " + _others(p)[:-1], "other " + _others(p))
        return (
            f"only {who} {'is' if count == 1 else 'are'} {_within(p, name)} (level "
            f"{p['level']}), and a {p['unit']} needs {p['size_min']} people: widen the level "
            f"spread or invite more {_others(p)} at {_level_window(p)}"
        )
    if code == "group_ruled_out":
        causes = ", ".join(_ruled_out_causes(p, f"{name}'s manager", name))
        return (
            f"of the {_plural(p['candidates'], _others(p)[:-1], _others(p))} at a suitable "
            f"level for {name}, too few may be grouped with them ({causes}) to make a "
            f"{p['unit']} of {p['size_min']}: invite more {_others(p)} at {_level_window(p)}"
        )
    if code == "groups_full":
        text = (
            f"every {p['unit']} {name} could join is full ({p['size_max']} people) or has "
            "someone they may not be grouped with"
        )
        if p["certified"]:
            text += ", and " + _no_better_grouping(p)
        return (
            f"{text}: raise the largest group size or invite more {_others(p)} at "
            f"{_level_window(p)}"
        )
    if code == "guides_full":
        who, verb = _the_mentors(p["count"])
        return (
            f"{who} {name} could join {verb} no group with room: raise a mentor's number of "
            "groups or enrol another mentor"
        )
    if code == "group_shares":
        shared = p["topics"]
        if shared:
            text = f"{name} shares {_and(shared)} with {p['count']} of {p['size']} others"
        else:
            text = f"{name} shares no goals with the others"
        style = _group_style(p)
        return f"{text}; {style.replace('all of you', 'all')}" if style else text
    if code == "guide_covers":
        return (
            f"the mentor {p['guide']} covers {len(p['covered'])} of {name}'s "
            f"{_plural(p['wanted'], 'goal')}"
            + (f" ({_topics(p['covered'])})" if p["covered"] else "")
        )
    if code == "group_guide":
        if not p["covered"]:
            return f"{name} covers none of the mentees' goals"
        return f"{name} covers {_and(p['covered'])} for {p['helped']} of {p['learners']} mentees"
    if code == "group_size":
        return (
            f"the group has {_plural(p['size'], 'member')}; it needs {p['min']} to {p['max']}: "
            "add or remove members"
        )
    if code == "group_spread":
        return (
            f"levels run from {p['low']} to {p['high']}, more than the spread of "
            f"{p['spread']}: move the furthest member or widen the level spread"
        )
    if code == "group_manager":
        return f"{p['manager']} manages {p['report']}: move one of them to another group"
    if code == "group_excluded":
        return (
            f"{p['a']} and {p['b']} were grouped before or declined: move one of them to "
            "another group"
        )
    if code == "guide_gap":
        return (
            f"{p['guide']} is {p['gap']} levels above {p['learner']}, outside "
            f"{p['min_gap']}–{p['max_gap']}: choose another mentor or move the mentee"
        )
    return None


def for_person(reason: Reason) -> str:
    """An unmatched reason addressed to the person left out (the ``match --json`` words),
    or a group member's reason for their group."""
    code, p = reason.code, reason.params
    if (words := _group_for_person(code, p)) is not None:
        return words
    if code == "no_guides":
        return "there are no mentors in this programme"
    if code == "only_peer":
        return "you are the only peer in this programme"
    if code == "no_guide_in_range":
        return f"no mentor {_span(p, 'you', 'your')} (you are level {p['level']})"
    if code == "no_peer_in_range":
        return f"no other peer {_span(p, 'you', 'your')} (you are level {p['level']})"
    if code == "ruled_out":
        if p["candidates"] == 1 and p["manager"]:
            return f"your manager is the only {p['role']} at a suitable level"
        causes = _ruled_out_causes(p, "your manager", "you")
        return (
            f"all {_plural(p['candidates'], p['role'])} at a suitable level are ruled out: "
            + ", ".join(causes)
        )
    if code == "no_free_places":
        return f"the {_plural(p['count'], 'mentor')} you could be paired with have no free places"
    if code == "time_limit":
        still = "mentors who suit you still have room"
        if p["role"] == "peer":
            still = "peers who suit you are still free"
        return f"not placed before the time limit; {still}"
    if code == "all_taken":
        if p["role"] == "peer":
            text = f"all {_plural(p['count'], 'possible peer')} ({_names(p)}) are already paired"
            proof = "re-pairing would not match more people or raise the overall fit"
        else:
            text = f"all {_plural(p['count'], 'possible mentor')} ({_names(p)}) are fully booked"
            proof = "giving you a place would not match more people or raise the overall fit"
        return f"{text}; {proof}" if p["certified"] else text
    if code == "goal_booked":
        return f"the {_plural(p['count'], 'mentor')} who cover {p['goal']} are fully booked"
    if code == "goal_uncovered":
        return f"no mentor you could be paired with covers {p['goal']}"
    raise ValueError(f"unknown reason {code!r}")


def for_hr(reason: Reason, name: str) -> str:
    """An unmatched reason for HR: about ``name`` (the person left out), with the fix; also
    a group member's reason and a proposed group's broken rule (``name``: the group)."""
    code, p = reason.code, reason.params
    if (words := _group_for_hr(code, p, name)) is not None:
        return words
    whose = f"{name}'s"
    if code == "no_guides":
        return "there are no mentors in this programme: enrol or import mentors"
    if code == "only_peer":
        return f"{name} is the only peer in this programme: enrol more peers"
    if code == "no_guide_in_range":
        senior = "more senior" if p["direction"] == "above" else "more junior"
        return (
            f"no mentor {_span(p, name, whose)} (level {p['level']}): enrol a {senior} mentor "
            "or widen the gap in settings"
        )
    if code == "no_peer_in_range":
        return (
            f"no other peer {_span(p, name, whose)} (level {p['level']}): enrol peers at a "
            "nearer level or widen the gap in settings"
        )
    if code == "ruled_out":
        role = p["role"]
        fix = f"enrol another {role} at a suitable level"
        if p["candidates"] == 1 and p["manager"]:
            return f"{whose} manager is the only {role} at a suitable level: {fix}"
        causes = ", ".join(_ruled_out_causes(p, f"{whose} manager", name))
        if p["candidates"] == 1:
            return f"the only {role} at a suitable level for {name} is ruled out ({causes}): {fix}"
        return (
            f"all {p['candidates']} {role}s at a suitable level for {name} are ruled out "
            f"({causes}): {fix}"
        )
    if code == "no_free_places":
        who, verb = _the_mentors(p["count"])
        return (
            f"{who} {name} could be paired with {verb} no free places: raise a mentor's "
            "capacity or enrol another mentor"
        )
    if code == "time_limit":
        still = "mentors who suit them still have room"
        if p["role"] == "peer":
            still = "peers who suit them are still free"
        return f"{name} was not placed before the time limit, though {still}: run matching again"
    if code == "all_taken":
        role, one = p["role"], p["count"] == 1
        who = f"the only possible {role}" if one else f"all {p['count']} possible {role}s"
        state = "already paired" if role == "peer" else "fully booked"
        text = f"{who} for {name} ({_names(p)}) {'is' if one else 'are'} {state}"
        fix = "raise a mentor's capacity or enrol more mentors"
        if role == "peer":
            fix = "enrol more peers at a suitable level"
        if p["certified"]:
            text += f", and placing {name} would not match more people or raise the overall fit"
        return f"{text}: {fix}"
    if code == "goal_booked":
        if p["count"] == 1:
            return f"the only mentor who covers {p['goal']} is fully booked"
        return f"the {p['count']} mentors who cover {p['goal']} are fully booked"
    if code == "goal_uncovered":
        return (
            f"no mentor {name} could be paired with covers {p['goal']}: enrol a mentor who "
            "offers it"
        )
    raise ValueError(f"unknown reason {code!r}")


# --- Why a pair fits --------------------------------------------------------------------


def _style_for_person(a: str, b: str) -> str | None:
    if a != b and "either" not in (a, b):
        return None
    if a == b == "either":
        return "open to either feedback style, as you are"
    if a == b:
        return f"also prefers {a} feedback"
    if a == "either":
        return f"happy to give {b} feedback"
    return f"prefers {a} feedback (you are open to either)"


def criterion_for_person(reason: Reason) -> str | None:
    """A criterion that scored, as a reason addressed to the second person of the pair (the
    reader); None when there is nothing to tell them: the goals of a guide, who has none in
    the pairing, or facts that no longer match a stored score (topics or style changed).
    """
    code, p = reason.code, reason.params
    if code == "goals_covered":
        if not p["covered"]:
            return None
        return f"covers {_share(len(p['covered']), p['wanted'])} ({_topics(p['covered'])})"
    if code == "goals_shared":
        if not p["shared"]:
            return None
        return f"shares {_share(len(p['shared']), p['mine'])} ({_topics(p['shared'])})"
    if code == "level":
        diff = p["diff"]
        if diff == 0:
            return "same level as you"
        return f"{_plural(abs(diff), 'level')} {'above' if diff > 0 else 'below'} you"
    if code == "style":  # it scored if the styles agree, or one is open to either
        return _style_for_person(p["a"], p["b"])
    if code == "department":  # it scored if the departments differ
        return f"from {p['a']}" if p["a"] and not p["same"] else None
    if code == "preference":  # marks stay private; only the reader's own choice is told
        return f"your {_ORDINALS[p['mine']]} choice" if p["mine"] else None
    if code == "history":  # someone's track record is for HR's eyes only
        return None
    raise ValueError(f"unknown criterion reason {code!r}")


def _history_part(part: dict) -> str:
    count, points = part["params"]["count"], part["params"]["points"]
    text = {
        "lapses": f"let {_plural(count, 'proposal')} lapse without answering",
        "early_endings": f"had {_plural(count, 'pairing')} end after one check-in or fewer",
        "declines": f"declined {_plural(count, 'proposal')}",
        "ratings": f"rated {part['params'].get('mean')} of 5 by partners ({count} ratings)",
    }[part["code"]]
    return f"{text} ({points:+g})"


def _style_for_hr(a: str, b: str, peers: bool) -> str:
    first, second = ("one", "the other") if peers else ("the mentor", "the mentee")
    if a == b == "either":
        return "both are open to either feedback style"
    if a == b:
        return f"both prefer {a} feedback"
    if "either" not in (a, b):
        return f"{first} prefers {a} feedback, {second} {b}"
    if a == "either":
        return f"{first} is happy to give the {b} feedback {second} prefers"
    return f"{first} prefers {a} feedback; {second} is open to either"


def criterion_for_hr(reason: Reason) -> str:
    """A pair criterion for HR, about the pair as a whole (the page names the two)."""
    code, p = reason.code, reason.params
    if code == "goals_covered":
        if not p["wanted"]:
            return "the mentee named no goals"
        text = f"covers {len(p['covered'])} of the mentee's {_plural(p['wanted'], 'goal')}"
        return f"{text} ({_topics(p['covered'])})" if p["covered"] else text
    if code == "goals_shared":
        if not p["together"]:
            return "neither named any goals"
        text = f"shares {len(p['shared'])} of {_plural(p['together'], 'goal')} named between them"
        return f"{text} ({_topics(p['shared'])})" if p["shared"] else text
    if code == "level":
        diff, ideal = p["diff"], p["ideal"]
        if ideal is None:  # peers: the closer the better
            return "same level" if diff == 0 else f"{_plural(abs(diff), 'level')} apart"
        where = "above" if diff > 0 else "below"
        text = f"the mentor is {_plural(abs(diff), 'level')} {where} the mentee"
        if diff == 0:
            text = "the mentor is at the mentee's level"
        if abs(diff) == abs(ideal):
            return f"{text}, the ideal gap"
        return f"{text} (ideal gap: {abs(ideal)})"
    if code == "style":
        return _style_for_hr(p["a"], p["b"], p["peers"])
    if code == "department":
        if p["same"]:
            return f"both in {p['a']}" if p["a"] else "neither has a department"
        return f"different departments ({p['a'] or 'none'} and {p['b'] or 'none'})"
    if code == "preference":
        learner = "one" if p["peers"] else "the mentee"
        found = []
        if p["mine"]:
            found.append(f"{learner}'s {_ORDINALS[p['mine']]} choice")
        if p["theirs"]:
            found.append(f"the other's {_ORDINALS[p['theirs']]} choice")
        if p["rather_not"] or p["mine_rather_not"]:
            found.append(("one of them" if p["peers"] else "the mentor") + " would rather not")
        return "; ".join(found)
    if code == "history":
        return "; ".join(
            f"{person['name']} " + ", ".join(_history_part(part) for part in person["parts"])
            for person in p["people"]
        )
    raise ValueError(f"unknown criterion reason {code!r}")


def _no_better_grouping(p: dict) -> str:
    """What a proven grouping rules out. With someone who waited in the pool the proof is
    of the three tiers: more people placed may exist, but only by placing fewer of them
    (runs stored before the tier have no "waited")."""
    if p.get("waited"):
        return (
            "regrouping would not place more of those who waited last round, nor more "
            "people or a better fit without placing fewer of them"
        )
    return "regrouping would not place more people or raise the overall fit"
