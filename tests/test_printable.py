from loadgate.printable import visible


def test_control_characters_become_visible_escapes():
    assert visible("GET /a\x1b[31mred\x07\x00") == "GET /a\\x1b[31mred\\x07\\x00"
    assert visible("a\nb\tc\x85\u2028") == "a\\nb\\tc\\x85\\u2028"
    assert visible("first\nsecond\x1b", newlines=True) == "first\nsecond\\x1b"
    assert visible("ünïcode ✓ /items?q=1") == "ünïcode ✓ /items?q=1"
