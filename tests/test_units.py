import pytest

from loadgate.units import format_seconds, parse_duration, parse_rate, parse_seconds, parse_throughput


@pytest.mark.parametrize("text, seconds", [
    ("300ms", 0.3), ("30s", 30), ("5m", 300), ("1h30m", 5400), ("1.5s", 1.5), (0, 0), ("2m 10s", 130),
])
def test_durations(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["300", 300, "3 weeks", "", "ms", "10x", True, "-5s"])
def test_bad_durations_say_what_is_expected(bad):
    with pytest.raises(ValueError, match=r"unit|expected"):
        parse_duration(bad)


@pytest.mark.parametrize("text, fraction", [("1%", 0.01), (0.01, 0.01), ("0.5%", 0.005), (0, 0.0)])
def test_rates(text, fraction):
    assert parse_rate(text) == pytest.approx(fraction)


@pytest.mark.parametrize("bad", ["150%", 2, "one percent", -0.1])
def test_bad_rates(bad):
    with pytest.raises(ValueError):
        parse_rate(bad)


@pytest.mark.parametrize("text, rps", [("50/s", 50), ("3000/m", 50), (12, 12), ("7200/h", 2)])
def test_throughput(text, rps):
    assert parse_throughput(text) == pytest.approx(rps)


def test_format_seconds_round_trips():
    for seconds in (0.25, 5, 90, 5400, 3725):
        assert parse_duration(format_seconds(seconds)) == pytest.approx(seconds)


@pytest.mark.parametrize("text, seconds", [("15", 15.0), ("2.5", 2.5), ("0", 0.0), ("1e-05", 1e-05),
                                           ("15s", 15.0), ("500ms", 0.5), ("1m30s", 90.0), (" 3 ", 3.0)])
def test_seconds_are_a_number_or_a_time(text, seconds):
    assert parse_seconds(text) == seconds


@pytest.mark.parametrize("text", ["soon", "-1", "-2s", "nan", "inf", "", "15 parsecs"])
def test_seconds_refuse_what_is_not_a_time(text):
    with pytest.raises(ValueError):
        parse_seconds(text)
