"""The bridge between the models and the matching engine: no matching logic lives here.

- ``adapter``: model rows <-> engine values (rules, people, stored breakdowns);
- ``pool``: who a run may pair (live pairings, declined pairs, the programme's people);
- ``runs``: matching-run services (match a programme, commit proposals, HR's runs);
- ``contract``: the ``match --json`` shape.

Import from the module that holds a name; this package re-exports nothing.
"""
