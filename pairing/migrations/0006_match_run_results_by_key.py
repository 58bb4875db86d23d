"""Matching runs keep participant keys, not emails: rewrite the results stored before.

A run's pairings already had their keys beside the emails ("keys"); unmatched people and
spare places are mapped back through the programme's participants. Someone deleted since
the run is dropped from those two lists (they were only shown).
"""

from django.db import migrations


def _by_key(apps, schema_editor):
    MatchRun = apps.get_model("pairing", "MatchRun")
    Participant = apps.get_model("programs", "Participant")
    for run in MatchRun.objects.exclude(result={}).iterator():
        result = run.result
        if "keys" not in result:
            continue
        key_of = {
            email: str(pk)
            for pk, email in Participant.objects.filter(program_id=run.program_id).values_list(
                "pk", "employee__email"
            )
        }
        scored = {
            frozenset(key_of.get(e) for e in [p["guide"], *p["members"]] if e): p
            for p in result["pairings"]
        }
        pairings = []
        for item in result["keys"]:
            keys = [item["guide"], *item["members"]] if item["guide"] else item["members"]
            found = scored.get(frozenset(keys), {"score": 0.0, "breakdown": {}})
            pairings.append(
                {
                    "guide": item["guide"],
                    "members": item["members"],
                    "score": found["score"],
                    "breakdown": found["breakdown"],
                    "pinned": item["pinned"],
                }
            )
        run.result = {
            "objective": result["objective"],
            "totals": result["totals"],
            "pairings": pairings,
            "unmatched": [
                {"key": key_of[u["email"]], "reasons": u["reasons"]}
                for u in result["unmatched"]
                if u["email"] in key_of
            ],
            "spare_capacity": [
                {"key": key_of[s["email"]], "free": s["free"]}
                for s in result["spare_capacity"]
                if s["email"] in key_of
            ],
        }
        run.save(update_fields=["result"])


class Migration(migrations.Migration):
    dependencies = [
        ("pairing", "0005_partner_left_notified_at"),
        ("programs", "0010_trust_admin_audit_setting_bounds_topic_creator"),
    ]

    operations = [migrations.RunPython(_by_key, migrations.RunPython.noop)]
