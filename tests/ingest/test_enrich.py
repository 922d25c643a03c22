"""Enrichment: device, browser, bots, location only when allowed, attribution from the URL."""

from __future__ import annotations

import pytest

from shopify_app.ingest.enrich import attribution_from_url, enrich

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"
)
DESKTOP_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
HEADLESS = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/156.0.0.0"


@pytest.mark.parametrize(
    ("ua", "device", "browser"),
    [
        (IPHONE, "mobile", "Mobile Safari"),
        (IPAD, "tablet", "Mobile Safari"),
        (ANDROID_TABLET, "tablet", "Chrome"),
        (ANDROID_PHONE, "mobile", "Chrome Mobile"),
        (DESKTOP_FIREFOX, "desktop", "Firefox"),
    ],
)
def test_device_type_and_browser_come_from_the_user_agent(ua, device, browser):
    result = enrich(ua, None, record_location=True)
    assert (result["device_type"], result["browser"], result["is_bot"]) == (device, browser, False)


@pytest.mark.parametrize("ua", [GOOGLEBOT, HEADLESS, "curl/8.5.0", "", None])
def test_crawlers_headless_browsers_and_missing_agents_are_bots(ua):
    assert enrich(ua, None, record_location=True)["is_bot"] is True


def test_country_comes_from_the_ip_and_the_ip_is_kept_canonical():
    result = enrich(DESKTOP_FIREFOX, "::ffff:8.8.8.8", record_location=True)
    assert (result["ip_address"], result["country"], result["city"]) == ("8.8.8.8", "US", None)


def test_no_ip_or_location_is_kept_when_recording_location_is_off():
    result = enrich(DESKTOP_FIREFOX, "8.8.8.8", record_location=False)
    assert (result["ip_address"], result["country"], result["city"]) == (None, None, None)


@pytest.mark.parametrize("ip", ["not-an-ip", "999.1.1.1", "", None, "127.0.0.1"])
def test_invalid_or_private_ips_locate_nowhere(ip):
    result = enrich(DESKTOP_FIREFOX, ip, record_location=True)
    assert (result["country"], result["city"]) == (None, None)


def test_attribution_reads_utm_and_click_ids_case_insensitively():
    url = (
        "https://acme.example/products/a?UTM_Source=meta&utm_medium=cpc&utm_campaign=spring"
        "&utm_term=shoes&utm_content=red&fbclid=F1&gclid=G1&ttclid=T1&q=ignored&utm_source=second"
    )
    assert attribution_from_url(url) == {
        "utm_source": "meta",
        "utm_medium": "cpc",
        "utm_campaign": "spring",
        "utm_term": "shoes",
        "utm_content": "red",
        "fbclid": "F1",
        "gclid": "G1",
        "ttclid": "T1",
    }


@pytest.mark.parametrize("url", [None, "", "https://acme.example/", "http://[bad"])
def test_attribution_of_plain_or_broken_urls_is_empty(url):
    assert attribution_from_url(url) == {}
