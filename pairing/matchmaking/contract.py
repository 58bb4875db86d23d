"""The ``match --json`` shape of DESIGN.md ("Command contract"), with emails instead of keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # runs imports this module to build a run's stored result
    from pairing.matchmaking.runs import MatchOutcome


def outcome_to_contract_json(outcome: MatchOutcome) -> dict:
    """The ``match --json`` shape of DESIGN.md, with emails instead of keys. Groups are
    listed under ``pairings`` too, with all their members (the mentor as ``guide`` in group
    mentoring, None in circles and co-development groups)."""
    result, email = outcome.result, outcome.email
    pairings = sorted(
        (
            {
                "guide": email(p.guide) if p.guide else None,
                "members": sorted(email(key) for key in p.members),
                "score": round(p.score, 2),
                "breakdown": p.breakdown.as_dict(),
            }
            for p in outcome.proposals
        ),
        key=lambda p: (p["guide"] or "", p["members"]),
    )
    return {
        "program": outcome.program.slug,
        "kind": outcome.program.kind,
        "objective": result.objective.to_dict(),
        "pairings": pairings,
        "unmatched": sorted(
            ({"email": email(u.key), "reasons": list(u.reasons)} for u in result.unmatched),
            key=lambda u: u["email"],
        ),
        "spare_capacity": sorted(
            ({"email": email(key), "free": free} for key, free in result.spare_capacity),
            key=lambda s: s["email"],
        ),
    }
