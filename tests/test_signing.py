"""The webhook signature scheme: a known vector, and what a tampered body or key gives."""

from otklik import signing


def test_signature_matches_a_hand_computed_hmac() -> None:
    # echo -n '{"a":1}' | openssl dgst -sha256 -hmac key
    expected = "sha256=88a67f24bbcdaed0e6c997404bb79a743baf44c6bab2f4c27328e3009d22e342"
    assert signing.sign("key", b'{"a":1}') == expected
    assert signing.verify("key", b'{"a":1}', expected)


def test_tampered_body_wrong_key_or_missing_prefix_fail() -> None:
    header = signing.sign("key", b"body")
    assert not signing.verify("key", b"body!", header)
    assert not signing.verify("other", b"body", header)
    assert not signing.verify("key", b"body", header.removeprefix("sha256="))
    assert not signing.verify("key", b"body", None)
