"""In the browser: the main pages run under the Content Security Policy without a single violation."""

from playwright.sync_api import expect

from pricing import services as pricing_services
from tests.browser.conftest import sign_in
from tests.factories import OrganizationFactory, member, operator, submitted_product
from tests.pricing.helpers import plan_data, price_authority, public_product, publish

# Runs in every page before its own scripts (init scripts are not subject to the page's policy): each violation
# is also written to the console, where the test collects it whatever page it happened on.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " in " + event.sourceFile + ":" + event.lineNumber);
});
"""


def watch(page) -> list[str]:
    """Collect CSP violations, console errors naming the policy, and uncaught script errors of ``page``."""
    problems: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)

    def on_console(message):
        if "Content Security Policy" in message.text or "CSP violation" in message.text:
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error: {error}"))
    return problems


def visit(page, path: str):
    response = page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, f"{path} answered {response.status}"
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0], (
        f"{path}: {policy}"
    )
    return response


def test_main_pages_cause_no_csp_violation(page):
    """Home, search, a product with its quote calculator, sign-in, registration form, review console and
    pricing pages load and run their scripts with no Content Security Policy violation."""
    authority = price_authority()
    entry = publish(actor=authority, cap="0.50")
    public_org = OrganizationFactory(name="示范数据运营有限公司", is_public_data_operator=True)
    merchant = member(public_org)
    product = public_product(public_org, merchant, listed=True)
    pricing_services.plan_create(org=public_org, actor=merchant, product=product, data=plan_data())
    pending = submitted_product(name="待审核的企业核验产品")
    reviewer = operator()
    problems = watch(page)

    # The public.
    visit(page, "/")
    visit(page, "/catalog/?q=企业")
    visit(page, f"/p/{product.code}/")
    page.fill("#quote-quantity", "2500")  # static/js/quote.js asks the API and draws the result
    expect(page.locator("[data-quote-result] .quote-total")).to_be_visible()
    visit(page, "/pricing/guided/")
    visit(page, f"/pricing/guided/{entry.pk}/")
    visit(page, "/accounts/login/")

    # A merchant: the registration form (with its script) and the plans of a product.
    sign_in(page, merchant.username)
    visit(page, "/my/products/new/")
    visit(page, f"/pricing/my/products/{product.pk}/plans/")

    # An operator: the console and the review of a submitted product.
    page.context.clear_cookies()
    sign_in(page, reviewer.username)
    visit(page, "/console/")
    visit(page, "/console/reviews/")
    visit(page, f"/console/reviews/{pending.pk}/")

    # The price authority.
    page.context.clear_cookies()
    sign_in(page, authority.username)
    visit(page, "/pricing/authority/")
    visit(page, "/pricing/authority/entries/new/")

    assert problems == [], "\n".join(problems)


def test_api_documentation_runs_under_its_policy(page):
    """Swagger UI (under the site's policy) and Redoc (its own, for its inline styles) render the schema; the
    only thing blocked is Redoc's "API docs by Redocly" logo, which it would fetch from a CDN."""
    problems = watch(page)

    visit(page, "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Data exchange API")
    visit(page, "/api/redoc/")
    expect(page.locator("redoc h1").first).to_contain_text("Data exchange API")

    unexpected = [problem for problem in problems if "https://cdn.redoc.ly/redoc/logo-mini.svg" not in problem]
    assert unexpected == [], "\n".join(unexpected)
