import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finsam.core.identifiers import luhn_valid
from finsam.participants.identity import InvalidIdentityNumber, parse_identity_number, person_key

TODAY = datetime.date(2026, 11, 23)


def check_digit(nine):
    for d in "0123456789":
        if luhn_valid(nine + d):
            return d
    raise AssertionError


def make(birth, serial, coordination=False):
    day = birth.day + (60 if coordination else 0)
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
    return f"{birth.year:04d}{birth.month:02d}{day:02d}{serial:03d}{check_digit(nine)}"


births = st.dates(min_value=datetime.date(1927, 1, 1), max_value=datetime.date(2025, 12, 31))
serials = st.integers(min_value=0, max_value=999)


@given(births, serials, st.booleans())
def test_valid_numbers_pass_in_every_format(birth, serial, coordination):
    twelve = make(birth, serial, coordination)
    ten = twelve[2:]
    sign = "+" if TODAY.year - birth.year >= 100 else "-"
    for text in (twelve, f"{twelve[:8]}-{twelve[8:]}", f"{ten[:6]}{sign}{ten[6:]}"):
        parsed = parse_identity_number(text, today=TODAY)
        assert parsed.digits == twelve
        assert parsed.birth_date == birth
        assert parsed.coordination == coordination


@given(births, serials, st.integers(min_value=2, max_value=11), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_fails(birth, serial, position, delta):
    twelve = make(birth, serial)
    changed = twelve[:position] + str((int(twelve[position]) + delta) % 10) + twelve[position + 1:]
    with pytest.raises(InvalidIdentityNumber):
        parse_identity_number(changed, today=TODAY)


@given(births, serials)
def test_gender_from_next_to_last_digit(birth, serial):
    parsed = parse_identity_number(make(birth, serial), today=TODAY)
    assert parsed.legal_gender == ("man" if (serial % 10) % 2 else "kvinna")


@pytest.mark.parametrize("day", [61, 75, 91])
def test_coordination_days(day):
    birth = datetime.date(1990, 1, day - 60)
    assert parse_identity_number(make(birth, 123, coordination=True), today=TODAY).coordination


@pytest.mark.parametrize(
    "text, reason",
    [
        ("19900101001", "ska ha 10 eller 12"),
        ("1990010100178", "ska ha 10 eller 12"),
        ("19900230-0017", "giltigt datum"),
        ("19900100-0017", "giltigt datum"),
        ("19900192-0017", "giltigt datum"),
        ("19900101-0018", "kontrollsiffran"),
        ("abcdefghij", "ska ha 10 eller 12"),
        ("19900101+0017", "'+'"),
    ],
)
def test_invalid_numbers_explain_without_repeating_the_number(text, reason):
    with pytest.raises(InvalidIdentityNumber) as raised:
        parse_identity_number(text, today=TODAY)
    assert reason in str(raised.value)
    assert text not in str(raised.value)


def test_future_birth_date_is_refused():
    with pytest.raises(InvalidIdentityNumber):
        parse_identity_number(make(datetime.date(2026, 12, 1), 1), today=TODAY)


def test_ten_digits_pick_the_right_century():
    twelve = make(datetime.date(1926, 5, 5), 12)
    assert parse_identity_number(twelve[2:8] + "+" + twelve[8:], today=TODAY).birth_date.year == 1926
    young = make(datetime.date(2010, 5, 5), 12)
    assert parse_identity_number(young[2:], today=TODAY).birth_date.year == 2010


def test_person_key_is_a_keyed_hash(settings):
    parsed = parse_identity_number("19900101-0017", today=TODAY)
    key = person_key(parsed)
    assert len(key) == 64 and "19900101" not in key
    assert person_key(parse_identity_number("900101-0017", today=TODAY)) == key
    assert person_key(parsed, key="another installation key") != key

