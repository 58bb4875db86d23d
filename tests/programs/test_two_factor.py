"""TOTP two-factor for HR admins and superusers: required with REQUIRE_2FA_FOR_HR, asked
of anyone who set it up, never of employees; django-otp throttles wrong codes."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_employee, make_user

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"
HR_PAGE = "/programmes/manage/"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _wrong(device: TOTPDevice) -> str:
    return f"{(int(_code(device)) + 1) % 1_000_000:06d}"


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA_FOR_HR = True


@pytest.fixture
def enrolled_hr(hr_admin):
    TOTPDevice.objects.create(user=hr_admin, name="Authenticator app", confirmed=True)
    return hr_admin


def test_required_hr_admin_without_device_is_sent_to_setup(client, hr_admin, required):
    client.force_login(hr_admin)

    response = client.get(HR_PAGE)

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=/programmes/manage/"


def test_setup_page_shows_qr_and_secret_without_inline_styles(client, hr_admin, required):
    client.force_login(hr_admin)

    response = client.get(f"{SETUP}?next=/programmes/manage/")

    device = TOTPDevice.objects.get(user=hr_admin)
    assert response.status_code == 200
    assert device.confirmed is False
    assert response.context["qr_data_uri"].startswith("data:image/svg+xml")
    assert (
        response.context["secret"].replace(" ", "")
        == device.config_url.split("secret=")[1].split("&")[0]
    )
    assert response.content.count(b"<h1") == 1
    assert b"style=" not in response.content
    # Reloading keeps the secret already scanned.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=hr_admin).count() == 1


def test_setup_with_the_right_code_verifies_and_opens_hr_pages(client, hr_admin, required):
    client.force_login(hr_admin)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=hr_admin)

    response = client.post(SETUP, {"code": _code(device), "next": HR_PAGE})

    device.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == HR_PAGE
    assert device.confirmed is True
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(HR_PAGE).status_code == 200


def test_setup_with_a_wrong_code_is_a_field_error(client, hr_admin, required):
    client.force_login(hr_admin)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=hr_admin)

    response = client.post(SETUP, {"code": _wrong(device)})

    device.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": [
            "That code is not right. Enter the newest code; check that your phone's clock is right."
        ]
    }
    assert device.confirmed is False
    assert client.get(HR_PAGE).status_code == 302


def test_a_code_that_is_not_six_digits_is_a_field_error(client, hr_admin, required):
    client.force_login(hr_admin)

    response = client.post(SETUP, {"code": "12ab"})

    assert response.context["form"].errors == {"code": ["Enter the 6 digits your app shows."]}


def test_enrolled_hr_admin_is_sent_to_verify_and_a_right_code_lets_them_in(
    client, enrolled_hr, required
):
    client.force_login(enrolled_hr)
    device = TOTPDevice.objects.get(user=enrolled_hr)

    sent = client.get(HR_PAGE)
    entered = client.post(
        VERIFY, {"code": f"{_code(device)[:3]} {_code(device)[3:]}", "next": HR_PAGE}
    )

    assert sent["Location"] == f"{VERIFY}?next=/programmes/manage/"
    assert entered.status_code == 302
    assert entered["Location"] == HR_PAGE
    assert client.get(HR_PAGE).status_code == 200


def test_wrong_codes_are_throttled_even_before_the_right_one(client, enrolled_hr, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # 60 s after one wrong code: no race with the clock
    client.force_login(enrolled_hr)
    device = TOTPDevice.objects.get(user=enrolled_hr)

    wrong = client.post(VERIFY, {"code": _wrong(device)})
    right = client.post(VERIFY, {"code": _code(device)})

    device.refresh_from_db()
    assert wrong.context["form"].errors["code"][0].startswith("That code is not right.")
    assert right.status_code == 200
    assert right.context["form"].errors["code"][0].startswith("Too many wrong codes. Wait until ")
    assert device.throttling_failure_count == 1
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_second_device_cannot_be_added_with_the_password_alone(client, enrolled_hr):
    client.force_login(enrolled_hr)

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/start/"
    assert TOTPDevice.objects.filter(user=enrolled_hr).count() == 1


def test_not_required_hr_admin_without_device_is_not_redirected(client, hr_admin, settings):
    settings.REQUIRE_2FA_FOR_HR = False
    client.force_login(hr_admin)

    assert client.get(HR_PAGE).status_code == 200


def test_hr_admin_may_set_it_up_when_not_required_and_is_then_asked(client, hr_admin):
    client.force_login(hr_admin)
    home = client.get("/")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=hr_admin)
    client.post(SETUP, {"code": _code(device)})

    later = Client()
    later.force_login(hr_admin)

    assert b'href="/accounts/two-factor/">Two-factor authentication</a>' in home.content
    assert later.get(HR_PAGE)["Location"] == f"{VERIFY}?next=/programmes/manage/"


def test_employee_is_never_asked(client, required):
    employee = make_employee().user
    client.force_login(employee)

    home = client.get("/")

    assert home.status_code == 200
    assert b"Two-factor authentication" not in home.content
    assert client.get(SETUP).status_code == 403
    assert client.get(VERIFY).status_code == 403


def test_django_admin_is_guarded(client, required):
    superuser = make_user(is_staff=True, is_superuser=True)
    client.force_login(superuser)

    assert client.get("/admin/")["Location"] == f"{SETUP}?next=/admin/"


def test_django_admin_opens_once_verified(client, required):
    superuser = make_user(is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=superuser, name="Authenticator app", confirmed=True)
    client.force_login(superuser)
    client.post(VERIFY, {"code": _code(device)})

    assert client.get("/admin/").status_code == 200


def test_htmx_fragments_are_refused_not_redirected(client, hr_admin, required):
    client.force_login(hr_admin)

    response = client.get("/proposals/badge/", headers={"HX-Request": "true"})

    assert response.status_code == 403


def test_logout_stays_open(client, hr_admin, required):
    client.force_login(hr_admin)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_required_people_admin_without_device_is_sent_to_setup_and_can_set_it_up(client, required):
    from tests.factories import make_people_admin

    admin = make_people_admin()
    client.force_login(admin)

    response = client.get("/directory/")

    assert response["Location"] == f"{SETUP}?next=/directory/"
    # The setup page is theirs too (it was HR admins' only, which locked people admins out).
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=admin)
    response = client.post(SETUP, {"code": _code(device), "next": "/directory/"})
    assert response["Location"] == "/directory/"
    assert client.get("/directory/").status_code == 200
    # Next time they are asked for a code, on a page they can open.
    client.logout()
    client.force_login(admin)
    assert client.get("/directory/")["Location"].startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200
