"""In the browser: an operator enrols an authenticator on first sign-in, then gives a code on the next one."""

import time

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_csp import watch
from tests.factories import operator
from tests.security.totp import totp


def test_operator_enrols_then_signs_in_with_a_code(page, settings):
    """Password → enrolment (QR code and key) → code → recovery codes → console; next time password → code."""
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    user = operator()
    problems = watch(page)

    sign_in(page, user.username)
    page.goto(page.base_url + "/console/")
    expect(page).to_have_url(page.base_url + "/accounts/two-factor/enrol/?next=%2Fconsole%2F")
    expect(page.locator(".qr img")).to_be_visible()
    assert page.locator(".qr img").evaluate("img => img.naturalWidth") > 0  # the QR code drawn by the site
    secret = page.locator(".secret").inner_text().replace(" ", "")
    page.fill("input[name=token]", totp(secret))
    page.click("form.two-factor button[type=submit]")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.click("#recovery-continue")
    expect(page).to_have_url(page.base_url + "/console/")

    page.click("nav button.linklike")  # sign out
    sign_in(page, user.username)
    page.goto(page.base_url + "/console/")
    expect(page).to_have_url(page.base_url + "/accounts/two-factor/?next=%2Fconsole%2F")
    page.fill("input[name=token]", totp(secret, time.time() + 30))
    page.click("form.two-factor button[type=submit]")
    expect(page).to_have_url(page.base_url + "/console/")

    assert problems == [], "\n".join(problems)
