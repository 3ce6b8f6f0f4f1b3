"""Sign-in under load does not starve the rest (issue 23, item 5): every password hash holds one
of SIGN_IN_CONCURRENCY slots shared by every process of the machine (safebabies/lib/slots.py,
safebabies/identity/hashers.py); when none comes free within SIGN_IN_WAIT_SECONDS the sign-in
page and the API token get a clear 503 with Retry-After, and nothing counts it as a failed
sign-in."""

import subprocess
import sys
import threading
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher, check_password

from safebabies.identity.hashers import LimitedHashing
from safebabies.lib.slots import NoSlot, slot
from tests import factories as f

PASSWORD = "correct horse battery staple"
LIMITED = ["safebabies.identity.hashers.LimitedPBKDF2PasswordHasher"]


@pytest.fixture
def limited(settings, tmp_path):
    """The production hashers behind one slot, a one-second wait, and slots of this test's own."""
    settings.PASSWORD_HASHERS = LIMITED
    settings.SIGN_IN_CONCURRENCY = 1
    settings.SIGN_IN_WAIT_SECONDS = 1
    settings.SIGN_IN_SLOTS_DIR = str(tmp_path / "slots")
    return tmp_path / "slots"


# --- the slots


def test_a_slot_held_elsewhere_makes_the_next_wait_then_give_up(tmp_path):
    with slot(tmp_path, 1, wait=0):
        started = time.monotonic()
        with pytest.raises(NoSlot), slot(tmp_path, 1, wait=0.3):
            pass
        assert time.monotonic() - started >= 0.3
        with slot(tmp_path, 2, wait=0):  # a second slot is free
            pass
    with slot(tmp_path, 1, wait=0):  # freed when the block ended
        pass


def test_a_waiter_gets_the_slot_as_soon_as_it_is_freed(tmp_path):
    got = []

    def wait_for_it():
        with slot(tmp_path, 1, wait=5):
            got.append(time.monotonic())

    with slot(tmp_path, 1, wait=0):
        waiter = threading.Thread(target=wait_for_it)
        waiter.start()
        time.sleep(0.2)
        assert got == []
        freed = time.monotonic()
    waiter.join(5)
    assert got and got[0] - freed < 0.5


HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_the_slots_are_shared_by_every_process_and_a_killed_holder_frees_its_slot(tmp_path):
    holder = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", HOLDER, str(tmp_path / "slot-0")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(NoSlot), slot(tmp_path, 1, wait=0.2):
            pass
        holder.kill()
        holder.wait(10)
        with slot(tmp_path, 1, wait=1):  # the kernel dropped the dead holder's lock
            pass
    finally:
        holder.kill()
        holder.wait(10)


class _Slow(MD5PasswordHasher):
    """MD5 slowed down, counting how many hashes run at once."""

    lock = threading.Lock()
    running = 0
    most = 0

    def encode(self, password, salt, *args, **kwargs):
        with _Slow.lock:
            _Slow.running += 1
            _Slow.most = max(_Slow.most, _Slow.running)
        time.sleep(0.05)
        with _Slow.lock:
            _Slow.running -= 1
        return super().encode(password, salt, *args, **kwargs)


class SlowLimited(LimitedHashing, _Slow):
    pass


@pytest.mark.parametrize("concurrency", [1, 2])
def test_no_more_hashes_run_at_once_than_the_limit(settings, tmp_path, concurrency):
    settings.SIGN_IN_CONCURRENCY = concurrency
    settings.SIGN_IN_WAIT_SECONDS = 10
    settings.SIGN_IN_SLOTS_DIR = str(tmp_path)
    _Slow.running = _Slow.most = 0
    hasher = SlowLimited()
    threads = [
        threading.Thread(target=hasher.encode, args=(f"password {n}", "salt")) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert _Slow.most == concurrency


def test_no_limit_with_zero(settings, tmp_path):
    settings.SIGN_IN_CONCURRENCY = 0
    settings.SIGN_IN_SLOTS_DIR = str(tmp_path)
    _Slow.running = _Slow.most = 0
    hasher = SlowLimited()
    threads = [threading.Thread(target=hasher.encode, args=("pw", "salt")) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert _Slow.most > 1


def test_stored_hashes_still_verify_with_the_limited_hashers(limited):
    from django.contrib.auth.hashers import make_password

    encoded = make_password(PASSWORD)
    assert encoded.startswith("pbkdf2_sha256$")  # Django's algorithm name, unchanged
    assert check_password(PASSWORD, encoded)


# --- sign-in answers


@pytest.mark.django_db
def test_sign_in_page_answers_503_with_retry_after_while_every_slot_is_busy(client, limited, site):
    user = f.site_member(site, "community_coordinator", email="busy@north.example.org")
    user.set_password(PASSWORD)
    user.save()
    with slot(limited, 1, wait=0):  # someone else's hash holds the one slot
        response = client.post(
            "/accounts/login/",
            {"username": user.email, "password": PASSWORD},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "Many people are signing in at this moment" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()  # not a failed sign-in: nothing was checked
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302  # the slot is free again
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_the_busy_page_is_in_spanish_for_a_spanish_reader(client, limited, site):
    with slot(limited, 1, wait=0):
        response = client.post(
            "/accounts/login/",
            {"username": "nadie@example.org", "password": PASSWORD},
            HTTP_ACCEPT_LANGUAGE="es",
        )
    assert response.status_code == 503
    assert "Inténtelo de nuevo" in response.content.decode()


@pytest.mark.django_db
def test_api_token_answers_503_json_with_retry_after_while_every_slot_is_busy(
    client, limited, site
):
    user = f.site_member(site, "caseworker", email="busy-api@north.example.org")
    user.set_password(PASSWORD)
    user.save()
    with slot(limited, 1, wait=0):
        response = client.post(
            "/api/v1/auth/token/",
            {"email": user.email, "password": PASSWORD},
            content_type="application/json",
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "try again in 1 seconds" in response.json()["detail"]
    assert not AccessAttempt.objects.exists()
    response = client.post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_pages_that_hash_nothing_do_not_wait_for_the_slots(client, limited, site):
    with slot(limited, 1, wait=0):
        started = time.monotonic()
        assert client.get("/healthz").status_code == 200
        assert client.get("/accounts/login/").status_code == 200
        assert time.monotonic() - started < 1


# --- the priority of a hash


def _where_it_ran(monkeypatch):
    """Patches Django's PBKDF2 to note the thread and the niceness each hash ran at."""
    import os

    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    seen = []
    original = PBKDF2PasswordHasher.encode

    def noting(self, password, salt, iterations=None):
        seen.append(
            (
                threading.current_thread().name,
                os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
            )
        )
        return original(self, password, salt, 1)

    monkeypatch.setattr(PBKDF2PasswordHasher, "encode", noting)
    return seen


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's niceness: Linux")
def test_a_hash_is_computed_at_the_lowest_cpu_priority_and_the_answer_is_the_same(
    limited, settings, monkeypatch
):
    from safebabies.identity.hashers import LimitedPBKDF2PasswordHasher

    settings.SIGN_IN_NICENESS = 19
    seen = _where_it_ran(monkeypatch)
    encoded = LimitedPBKDF2PasswordHasher().encode(PASSWORD, "salt")
    ((name, niceness),) = seen
    assert name.startswith("password-hash") and niceness == 19
    assert encoded.startswith("pbkdf2_sha256$1$salt$")
    assert LimitedPBKDF2PasswordHasher().verify(PASSWORD, encoded)
    assert not LimitedPBKDF2PasswordHasher().verify("wrong", encoded)
    assert os_priority_of_this_thread() < 19  # the request's own thread keeps its priority


def os_priority_of_this_thread() -> int:
    import os

    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_with_niceness_0_the_hash_runs_on_the_requests_own_thread(limited, settings, monkeypatch):
    from safebabies.identity.hashers import LimitedPBKDF2PasswordHasher

    settings.SIGN_IN_NICENESS = 0
    seen = _where_it_ran(monkeypatch)
    LimitedPBKDF2PasswordHasher().encode(PASSWORD, "salt")
    assert seen == [(threading.current_thread().name, os_priority_of_this_thread())]
