"""Guests behind a trusted proxy are told apart by their own address."""

from django.test import RequestFactory, override_settings

from fanfold.core.middleware import ForwardedForMiddleware


def address_seen(meta: dict, **settings) -> str:
    with override_settings(**settings):
        middleware = ForwardedForMiddleware(lambda request: request.META["REMOTE_ADDR"])
        return middleware(RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **meta))


def test_header_ignored_without_trusted_proxies():
    assert address_seen({"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, TRUSTED_PROXY_COUNT=0) == "10.0.0.1"


def test_client_address_taken_from_one_trusted_proxy():
    meta = {"HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.9"}
    # A client may forge the first entry; the proxy's own appended entry is the one to trust.
    assert address_seen(meta, TRUSTED_PROXY_COUNT=1) == "203.0.113.9"
    assert address_seen(meta, TRUSTED_PROXY_COUNT=2) == "198.51.100.7"
