"""Name rules and IDN handling (no database)."""

import pytest
from mpanel_domains.names import check_auth_code, check_nameservers, check_years, split, to_ascii, to_unicode
from mpanel_domains.renewals import reminder_kind
from mpanel_domains.settings import parse_mapping

from mpanel.core.errors import FieldError


def test_idn_round_trip():
    assert to_ascii("münchen.de") == "xn--mnchen-3ya.de"
    assert to_ascii("MÜNCHEN.DE.") == "xn--mnchen-3ya.de"
    assert to_unicode("xn--mnchen-3ya.de") == "münchen.de"
    assert to_ascii("xn--mnchen-3ya.de") == "xn--mnchen-3ya.de"
    assert to_ascii("пример.рф") == "xn--e1afmkfd.xn--p1ai"


@pytest.mark.parametrize(("name", "reason"), [
    ("", "Enter a domain name"),
    ("a" * 64 + ".com", "1 to 63 characters"),
    ("ä" * 60 + ".com", "Label too long"),
    (".".join(["a" * 63] * 4) + ".com", "253"),
    ("-abc.com", "hyphen"),
    ("abc-.com", "hyphen"),
    ("ab--cd.com", "reserved for IDN"),
    ("xn--abc.com", "not a valid domain name"),
    ("ex_ample.com", "only letters, digits and hyphens"),
    ("exa mple.com", "only letters, digits and hyphens"),
    ("a..com", "1 to 63 characters"),
    ("192.0.2.1", "numeric"),
])
def test_invalid_names_name_the_field(name, reason):
    with pytest.raises(FieldError) as exc:
        to_ascii(name)
    assert exc.value.field == "name"
    assert reason in exc.value.message


def test_split_uses_the_longest_offered_tld():
    assert split("example.co.uk", ["uk", "co.uk"]) == ("example", "co.uk")
    with pytest.raises(FieldError) as unknown:
        split("example.xyz", ["com"])
    assert unknown.value.field == "tld" and ".xyz" in unknown.value.message
    with pytest.raises(FieldError, match="subdomain"):
        split("www.example.com", ["com"])


def test_nameservers_must_be_host_names():
    assert check_nameservers("NS1.Example.net\nns2.münchen.de") == ["ns1.example.net", "ns2.xn--mnchen-3ya.de"]
    for bad, reason in (("localhost", "not a host name"), ("192.0.2.1", "numeric"), ("ns1.x.net ns1.x.net", "twice"),
                        (" ".join(f"ns{i}.x.net" for i in range(14)), "At most")):
        with pytest.raises(FieldError, match=reason) as exc:
            check_nameservers(bad)
        assert exc.value.field == "nameservers"


@pytest.mark.parametrize("years", [0, 11, -1, "x", 1.5, True, None])
def test_periods_outside_1_to_10_are_refused(years):
    with pytest.raises(FieldError) as exc:
        check_years(years)
    assert exc.value.field == "years"


@pytest.mark.parametrize("code", ["", "abc\x00def", "tab\there", "line\nbreak", " padded", "x" * 65, None])
def test_auth_codes_with_control_characters_are_refused(code):
    with pytest.raises(FieldError) as exc:
        check_auth_code(code)
    assert exc.value.field == "auth_code"


def test_reminder_steps():
    steps = (30, 14, 7)
    assert [reminder_kind(d, steps) for d in (45, 30, 20, 14, 8, 7, 0, -1)] == [
        None, "expiring_30", "expiring_30", "expiring_14", "expiring_14", "expiring_7", "expiring_7", "expired"]


def test_tld_mapping_setting_is_forgiving():
    assert parse_mapping(" .COM = registrar_epp; de=registrar_demo, junk, =x") == {
        "com": "registrar_epp", "de": "registrar_demo"}
