"""pairing.notices.send_once: once per key and person, again after a failed send."""

import pytest

from pairing.models import SentNotice
from pairing.notices import send_once
from tests.factories import make_participant, make_program

pytestmark = pytest.mark.django_db


def test_a_notice_goes_once_per_key_and_person_and_again_after_a_failure():
    program = make_program()
    ann, bo = make_participant(program=program), make_participant(program=program)
    sent = []

    def send(name):
        return lambda: sent.append(name)

    def fail():
        raise ConnectionError("mail server down")

    assert send_once(key="k:1", participant=ann, send=send("ann")) is True
    assert send_once(key="k:1", participant=ann, send=send("ann again")) is False
    assert send_once(key="k:1", participant=bo, send=send("bo")) is True
    assert send_once(key="k:2", participant=ann, send=send("ann k2")) is True
    with pytest.raises(ConnectionError):
        send_once(key="k:3", participant=ann, send=fail)
    assert send_once(key="k:3", participant=ann, send=send("ann k3 retried")) is True
    assert sent == ["ann", "bo", "ann k2", "ann k3 retried"]
    assert SentNotice.objects.count() == 4
