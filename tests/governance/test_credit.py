"""Credit (信用): computed from the record, shown as a level, blocking submissions and offers below the threshold."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.exceptions import NotAllowed
from catalog import services as catalog_services
from catalog.models import Product
from marketplace.governance import services
from marketplace.governance.credit import BASE_SCORE, credit_of, credit_standing
from marketplace.governance.models import Violation
from marketplace.matching import services as matching_services
from tests.factories import OrganizationFactory, draft_product, listed_product, member, operator
from tests.governance.helpers import dispute_on, fulfilled_order, objection_under_notice
from tests.matching.helpers import demand_data

pytestmark = pytest.mark.django_db


def grave_violation(org, staff=None, **overrides):
    data = {
        "kind": "beyond_authorisation",
        "severity": "grave",
        "description": "超出授权范围向第三方提供公共数据。",
        "occurred_on": timezone.localdate(),
    }
    data.update(overrides)
    return services.violation_record(organization=org, actor=staff or operator(), **data)


def test_credit_of_an_organisation_with_no_record_is_the_base_score():
    """A new organisation starts at the base score, level B (良好), and may trade."""
    org = OrganizationFactory()

    credit = credit_of(org)

    assert (credit.score, credit.level, credit.may_trade) == (BASE_SCORE, "B", True)
    assert credit.items == []


def test_credit_rises_with_fulfilled_orders_on_both_sides():
    """A fulfilled order adds a point to the merchant and to the buyer."""
    trade = fulfilled_order()

    merchant, buyer = credit_of(trade.merchant), credit_of(trade.buyer)

    assert merchant.score == buyer.score == BASE_SCORE + 1
    assert merchant.trades.count == 1


def test_credit_falls_with_an_upheld_objection_against_the_holder():
    """An upheld objection takes 15 points from the holder: level C (一般), still trading."""
    objection, product, holder, *_rest = objection_under_notice()

    catalog_services.objection_uphold(objection=objection, actor=operator(), reason="来源不合法属实。")

    credit = credit_of(holder)
    assert (credit.score, credit.level) == (BASE_SCORE - 15, "C")
    assert [item.kind for item in credit.penalties] == ["objection"]
    assert credit.may_trade


def test_credit_falls_with_an_upheld_dispute_against_the_merchant():
    """An upheld dispute takes 10 points from the merchant, not from the buyer."""
    trade = fulfilled_order()

    services.dispute_uphold(dispute=dispute_on(trade), actor=operator(), reason="属实。")

    assert credit_of(trade.merchant).score == BASE_SCORE + 1 - 10
    assert credit_of(trade.buyer).score == BASE_SCORE + 1


def test_credit_falls_with_a_cancelled_registration():
    """A registration cancelled by the exchange takes 5 points from its holder."""
    product = listed_product()

    catalog_services.registration_cancel(product=product, actor=operator(), reason="长期未更新，予以注销。")

    assert credit_of(product.holder).score == BASE_SCORE - 5


def test_credit_below_threshold_blocks_submitting_a_registration():
    """A grave violation puts the merchant below the threshold: its submission is refused with the reason."""
    org = OrganizationFactory()
    actor = member(org)
    product = draft_product(org, actor)
    grave_violation(org)

    with pytest.raises(NotAllowed) as refused:
        catalog_services.product_submit(product=product, actor=actor)

    assert "40" in refused.value.message  # the score, so the merchant sees why
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT


def test_credit_restored_by_rescinding_the_violation_allows_submitting_again():
    """Once the violation is rescinded the score recovers and the same submission goes through."""
    org = OrganizationFactory()
    actor = member(org)
    product = draft_product(org, actor)
    staff = operator()
    violation = grave_violation(org, staff)

    services.violation_rescind(violation=violation, actor=staff, reason="经复核，系误录。")
    product = catalog_services.product_submit(product=product, actor=actor)

    assert credit_of(org).score == BASE_SCORE
    assert product.status == Product.Status.SUBMITTED


def test_credit_restored_when_the_record_leaves_the_window(settings):
    """A violation older than CREDIT_WINDOW_DAYS no longer counts."""
    org = OrganizationFactory()
    violation = grave_violation(org)
    assert not credit_of(org).may_trade

    Violation.objects.filter(pk=violation.pk).update(
        occurred_on=timezone.localdate() - timedelta(days=settings.CREDIT_WINDOW_DAYS + 1)
    )

    assert credit_of(org).score == BASE_SCORE


def test_credit_threshold_follows_the_setting(settings):
    """Raising CREDIT_MIN_SCORE_TO_TRADE above the base score blocks an organisation with a clean record."""
    settings.CREDIT_MIN_SCORE_TO_TRADE = BASE_SCORE + 1
    org = OrganizationFactory()

    credit = credit_of(org)

    assert not credit.may_trade
    assert credit.shortfall == 1


def test_credit_below_threshold_blocks_making_an_offer():
    """A merchant below the threshold cannot answer a demand with an offer."""
    from tests.matching.helpers import buyer, plan

    org = OrganizationFactory()
    actor = member(org)
    product = listed_product(org, actor)
    the_plan = plan(product, org, actor)
    buyer_org, buyer_user = buyer()
    demand = matching_services.demand_create(buyer=buyer_org, actor=buyer_user, data=demand_data())
    grave_violation(org)

    with pytest.raises(NotAllowed):
        matching_services.offer_make(
            demand=demand,
            org=org,
            actor=actor,
            product=product,
            plan=the_plan,
            unit_price="0.40",
            valid_until=timezone.localdate() + timedelta(days=10),
        )


def test_credit_trade_points_are_capped(monkeypatch):
    """Trades add points only up to TRADE_POINTS_MAX, however many."""
    from marketplace.governance import credit
    from tests.orders.support import pay_by_transfer, place

    monkeypatch.setattr(credit, "TRADE_POINTS_MAX", 1)
    trade = fulfilled_order()
    pay_by_transfer(place(trade.buyer, trade.buyer_user, trade.product, trade.order.plan))

    merchant = credit_of(trade.merchant)

    assert merchant.trades.count == 2
    assert merchant.score == BASE_SCORE + 1


def test_credit_standing_feeds_matching_with_the_score():
    """Matching weighs a verified merchant by its credit score; an unverified one at zero."""
    verified = OrganizationFactory()
    unverified = OrganizationFactory(status="submitted")
    grave_violation(verified, severity="minor")

    standing = credit_standing([verified, unverified])

    assert standing == {verified.pk: (BASE_SCORE - 5) / 100, unverified.pk: 0.0}


def test_credit_levels_run_from_a_to_d():
    """Scores map to A (≥90), B (≥75), C (≥60) and D (below)."""
    from marketplace.governance.credit import level_of

    assert [level_of(score)[0] for score in (100, 90, 89, 75, 74, 60, 59, 0)] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "C",
        "D",
        "D",
    ]
