"""The SCIM endpoint checked by scim2-tester (python-scim) against the running app.

A real HTTP server (pytest-django's live_server, on 127.0.0.1) and a real token: the
tester discovers the service from /ServiceProviderConfig, /ResourceTypes and /Schemas,
then creates, reads, lists, searches, replaces, patches (add, replace and remove of every
attribute) and deletes Users, and probes unknown URLs and methods.
"""

import itertools
from collections import Counter
from collections.abc import Sequence

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from programs.scim.tokens import scim_token_create
from tests.factories import make_people_admin

# Checks the tester may report as skipped, and why: none. (It skips PATCH checks when the
# service provider config says PATCH is unsupported, and the root search when it answers
# 501; both are supported here.)
EXPECTED_SKIPS = set()


class FreshEmails(Sequence):
    """The tester draws a userName from the attribute's examples, or else a random UUID.
    Ours must be a work email (it is the sign-in), so the examples are a new address on
    every draw: random.choice picks index 0 of a one-item sequence."""

    def __init__(self):
        self._numbers = itertools.count(1)

    def __len__(self):
        return 1

    def __getitem__(self, index):
        if index != 0:
            raise IndexError(index)
        return f"tester{next(self._numbers)}@example.org"


@pytest.fixture
def scim_client(live_server, transactional_db):
    admin = make_people_admin()
    _, secret = scim_token_create(actor=admin, name="scim2-tester")
    # Loopback only: the server socket is bound to 127.0.0.1 ("localhost").
    assert live_server.thread.httpd.server_address[0] == "127.0.0.1"
    http = httpx2.Client(
        base_url=f"{live_server.url}/scim/v2",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=30,
    )
    client = SyncSCIMClient(http)
    client.discover()
    user = client.get_resource_model("User")
    user.model_fields["user_name"].examples = FreshEmails()
    level = next(m for m in client.provider.models if m.__name__ == "PairwiseUser")
    # An integer with no canonical values gets any 32-bit number; the level is 1 to 6.
    level.model_fields["level"].examples = [1, 2, 3, 4, 5, 6]
    yield client
    http.close()


def test_scim2_tester_passes(scim_client):
    results = check_server(scim_client)

    summary = Counter(result.status.name for result in results)
    failures = [
        f"{result.title}: {result.reason}"
        for result in results
        if result.status in (Status.ERROR, Status.CRITICAL)
    ]
    skipped = {result.title: result.reason for result in results if result.status == Status.SKIPPED}
    print(f"scim2-tester: {dict(summary)}; skipped: {skipped}")
    assert failures == [], "\n".join(failures)
    assert set(skipped) == EXPECTED_SKIPS
    assert summary["SUCCESS"] >= 30
