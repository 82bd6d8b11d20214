"""Demands, matching runs, notifications and offers, through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import AuditEntry, Notification
from catalog import services as catalog_services
from catalog.models import Product
from marketplace.matching import selectors, services
from marketplace.matching.models import CorpusStat, Demand, Match, Offer, TermStat
from marketplace.orders.models import Order
from tests.factories import OrganizationFactory, member, operator, submitted_product
from tests.matching.helpers import buyer, demand_data, merchant, plan, post_demand
from tests.pricing.helpers import public_product, publish

pytestmark = pytest.mark.django_db


def list_now(draft_product):
    """Review, approve and complete a submitted product: catalog's listing hook runs on commit."""
    reviewer = operator()
    catalog_services.registration_start_review(product=draft_product, actor=reviewer)
    catalog_services.registration_approve(product=draft_product, actor=reviewer)
    Product.objects.filter(pk=draft_product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    return catalog_services.registration_complete(product=draft_product)


def ranked(demand) -> list:
    return [match.product for match in services.demand_match(demand=demand)]


# Matching: who matches whom ------------------------------------------------------------------------------------


def test_best_match_is_the_product_a_person_would_pick(catalog):
    """A bank checking borrowers gets the anomaly check first; the power data sharing 企业/经营 ranks below it."""
    demand = post_demand()

    products = ranked(demand)

    assert products[0] == catalog.anomaly
    assert catalog.power in products
    assert products.index(catalog.power) > products.index(catalog.anomaly)
    best, power = (Match.objects.get(demand=demand, product=p) for p in (catalog.anomaly, catalog.power))
    assert best.score >= 0.9 > 0.6 > power.score
    assert best.components["text"] > 2 * power.components["text"]


def test_each_demand_gets_its_own_best_product(catalog):
    """A credit-scoring demand finds the scoring model; a footfall demand for marketing finds the footfall data."""
    credit = post_demand(
        title="企业信用评分",
        description="为小微企业授信审批寻找企业信用评分模型，覆盖司法和税务信息",
        scenario="",
        section="J",
        delivery_modes=["model"],
    )
    footfall = post_demand(
        title="商圈客流数据",
        description="门店选址分析需要商圈客流热力数据",
        scenario="",
        purpose="marketing",
        section="",
        delivery_modes=[],
    )

    assert ranked(credit)[0] == catalog.credit
    assert ranked(footfall) == [catalog.footfall]


def test_each_match_stores_its_reasons(catalog):
    """The best match says which words matched, that the section is the same, and that the quote fits the budget."""
    demand = post_demand()

    services.demand_match(demand=demand)

    match = Match.objects.get(demand=demand, product=catalog.anomaly)
    codes = [reason["code"] for reason in match.reasons]
    assert codes == ["keywords", "section_same", "delivery", "budget_fits"]
    assert {"经营", "异常", "名录"} <= set(match.reasons[0]["words"])
    assert match.reasons[-1]["amount"] == "5000.00"  # 10,000 calls at ¥0.50, pricing's quote
    assert "¥5,000.00" in match.reasons_text


def test_a_product_not_allowing_the_purpose_is_never_matched(catalog):
    """The weather warnings (research only) never match a risk-control demand for weather warnings, either way;
    the same words asked for research find them."""
    asked = {"title": "气象灾害预警数据", "description": "暴雨台风等灾害预警数据", "scenario": "", "section": "N"}
    demand = post_demand(**asked)
    for_research = post_demand(**asked, purpose="research")

    from_demand = ranked(demand)
    from_product = services.product_match(product=catalog.weather)

    assert catalog.weather not in from_demand
    assert [m.demand for m in from_product] == [for_research]
    assert not Match.objects.filter(product=catalog.weather, demand=demand).exists()
    assert ranked(for_research) == [catalog.weather]
    holder, holder_user = catalog.weather.holder, catalog.weather.holder.members.first()
    with pytest.raises(DomainError) as refused:
        services.offer_make(
            demand=demand,
            org=holder,
            actor=holder_user,
            product=catalog.weather,
            plan=plan(catalog.weather, holder, holder_user),
            unit_price="0.40",
            valid_until=timezone.localdate() + timedelta(days=7),
        )
    assert "product" in refused.value.errors


def test_a_product_that_stops_allowing_the_purpose_loses_its_match(catalog):
    """Re-matching drops a pair whose product no longer allows the purpose."""
    demand = post_demand()
    services.demand_match(demand=demand)
    Product.objects.filter(pk=catalog.anomaly.pk).update(allowed_purposes=["research"])

    services.demand_match(demand=demand)

    assert not Match.objects.filter(demand=demand, product=catalog.anomaly).exists()


def test_listing_a_product_matches_it_against_open_demands_on_commit(
    catalog, django_capture_on_commit_callbacks, mailoutbox
):
    """A product listed after the demand is matched through catalog's hook, and both sides are told by e-mail."""
    demand = post_demand(title="企业招投标数据", description="需要企业招投标中标记录，用于供应商风险核查", scenario="")
    services.demand_match(demand=demand)
    org, actor = merchant(name="杭州某招标数据有限公司", contact_email="sales@bids.example")
    draft = submitted_product(
        org,
        actor,
        name="企业招投标中标数据",
        summary="全国招投标中标记录",
        description="汇聚公共资源交易平台的招投标与中标记录，服务供应商风险核查。",
    )

    with django_capture_on_commit_callbacks(execute=True):
        list_now(draft)

    match = Match.objects.get(demand=demand, product=draft)
    assert match.above_threshold and match.notified_at is not None
    assert Notification.objects.filter(dedupe_key=f"match:{demand.pk}:{draft.pk}:merchant").exists()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([demand.buyer.members.first().email, "sales@bids.example"])


# Notifications -------------------------------------------------------------------------------------------------


def test_notifications_are_not_repeated_for_the_same_pair(catalog, django_capture_on_commit_callbacks, mailoutbox):
    """Matching the pair again, from either side and after an edit, tells no one a second time."""
    demand = post_demand()
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_match(demand=demand)
    pair = Notification.objects.filter(dedupe_key__startswith=f"match:{demand.pk}:{catalog.anomaly.pk}:")
    assert pair.count() == 2
    sent = len(mailoutbox)

    with django_capture_on_commit_callbacks(execute=True):
        services.demand_match(demand=demand)
        services.product_match(product=catalog.anomaly)
        services.demand_update(
            demand=demand, org=demand.buyer, actor=demand.buyer.members.first(), data={"region": "长三角"}
        )
        services.demand_match(demand=demand)

    assert pair.count() == 2
    assert len(mailoutbox) == sent
    assert Notification.objects.filter(kind="match").count() == 2  # only the one strong pair was ever told


def test_notify_writes_once_per_key(django_capture_on_commit_callbacks, mailoutbox):
    """accounts.services.notify: the same dedupe key writes and mails once."""
    from accounts.services import notify

    org, user = buyer(contact_email="")
    with django_capture_on_commit_callbacks(execute=True):
        first, created = notify(kind="test", message="你好", organization=org, dedupe_key="k1", url="/x/")
        again, created_again = notify(kind="test", message="你好", organization=org, dedupe_key="k1")

    assert created and not created_again and first == again
    assert [m.to for m in mailoutbox] == [[user.email]]
    first.refresh_from_db()
    assert first.emailed_at is not None


def test_below_threshold_matches_are_kept_but_not_notified(catalog):
    """The demand keeps its best products below the threshold (shown to the buyer) without telling anyone."""
    demand = post_demand()

    services.demand_match(demand=demand)

    weak = Match.objects.get(demand=demand, product=catalog.power)
    assert not weak.above_threshold and weak.notified_at is None
    assert not Notification.objects.filter(dedupe_key__contains=f":{catalog.power.pk}:").exists()


# Closing and expiry --------------------------------------------------------------------------------------------


def test_closing_a_demand_stops_matching(catalog, django_capture_on_commit_callbacks):
    """After closing, neither re-matching nor a newly listed product creates matches or notifications for it."""
    demand = post_demand(title="企业招投标数据", description="需要企业招投标中标记录，用于供应商风险核查", scenario="")
    services.demand_close(demand=demand, org=demand.buyer, actor=demand.buyer.members.first(), reason="已找到供应商")
    draft = submitted_product(name="企业招投标中标数据", description="招投标与中标记录，服务供应商风险核查。")

    with django_capture_on_commit_callbacks(execute=True):
        list_now(draft)
    rematched = services.demand_match(demand=demand)

    assert rematched == []
    assert not Match.objects.filter(demand=demand).exists()
    assert not Notification.objects.filter(kind="match").exists()
    demand.refresh_from_db()
    assert demand.status == Demand.Status.CLOSED and demand.status_reason == "已找到供应商"


def test_closing_twice_is_a_no_op_and_other_organisations_may_not_close(catalog):
    demand = post_demand()
    actor = demand.buyer.members.first()
    services.demand_close(demand=demand, org=demand.buyer, actor=actor)
    entries = AuditEntry.objects.filter(action="matching.demand_close").count()

    services.demand_close(demand=demand, org=demand.buyer, actor=actor)

    assert AuditEntry.objects.filter(action="matching.demand_close").count() == entries == 1
    stranger_org, stranger = buyer()
    with pytest.raises(NotAllowed):
        services.demand_close(demand=post_demand(), org=stranger_org, actor=stranger)


def test_demands_expire_after_their_deadline_with_their_pending_offers(catalog):
    """The periodic task expires a demand the day after its deadline; its pending offer lapses."""
    demand = post_demand()
    offer = services.offer_make(
        demand=demand,
        org=catalog.merchant,
        actor=catalog.merchant_user,
        product=catalog.anomaly,
        plan=catalog.anomaly.plans.get(),
        unit_price="0.45",
        valid_until=timezone.localdate() + timedelta(days=3),
    )
    Demand.objects.filter(pk=demand.pk).update(deadline=timezone.localdate() - timedelta(days=1))

    expired = services.demands_expire_due()

    demand.refresh_from_db()
    offer.refresh_from_db()
    assert expired == 1 and demand.status == Demand.Status.EXPIRED
    assert offer.status == Offer.Status.EXPIRED
    assert services.demands_expire_due() == 0


# Demands -------------------------------------------------------------------------------------------------------


def test_demand_create_segments_the_text_and_audits(db):
    org, actor = buyer()

    demand = services.demand_create(buyer=org, actor=actor, data=demand_data())

    assert demand.terms[: demand.title_term_count] == ["企业", "经营", "异常"]
    assert "行政处罚" in demand.terms
    entry = AuditEntry.objects.get(action="matching.demand_create")
    assert entry.object_id == str(demand.pk) and entry.actor_organization == org


def test_demand_create_names_every_bad_field(db):
    org, actor = buyer()
    data = demand_data(
        title="", purpose="", budget_min="900", budget_max="100", deadline=timezone.localdate() - timedelta(days=1)
    )

    with pytest.raises(DomainError) as refused:
        services.demand_create(buyer=org, actor=actor, data=data)

    assert set(refused.value.errors) == {"title", "purpose", "budget_max", "deadline"}
    assert not Demand.objects.exists()


def test_demand_create_needs_a_verified_organisation(db):
    org = OrganizationFactory(status="submitted")

    with pytest.raises(NotAllowed):
        services.demand_create(buyer=org, actor=member(org), data=demand_data())


def test_demand_update_rematches_with_the_new_words(catalog):
    """Changing what is asked changes the matches: the old best match goes, the new one comes."""
    demand = post_demand()
    services.demand_match(demand=demand)

    services.demand_update(
        demand=demand,
        org=demand.buyer,
        actor=demand.buyer.members.first(),
        data={
            "title": "商圈客流数据",
            "description": "门店选址需要商圈客流热力",
            "scenario": "",
            "purpose": "marketing",
        },
    )
    products = ranked(demand)

    assert products[0] == catalog.footfall
    assert catalog.anomaly not in products


# Term statistics -----------------------------------------------------------------------------------------------


def test_incremental_term_statistics_equal_a_rebuild(catalog):
    """Indexing the listed products one by one counts the same words as recounting them all."""
    for listed in Product.objects.listed():
        services.product_index(product=listed)
        services.product_index(product=listed)  # idempotent
    incremental = dict(TermStat.objects.filter(df__gt=0).values_list("term", "df"))
    stats = CorpusStat.objects.get()
    counted = (stats.documents, stats.total_length)

    rebuilt = services.term_stats_rebuild()

    assert dict(TermStat.objects.values_list("term", "df")) == incremental
    assert (rebuilt.documents, rebuilt.total_length) == counted == (5, counted[1])
    assert incremental["企业"] == 3


def test_changed_text_is_recounted(catalog):
    services.term_stats_rebuild()
    Product.objects.filter(pk=catalog.weather.pk).update(search_document=" 台风 路径 ")

    services.product_index(product=Product.objects.get(pk=catalog.weather.pk))

    assert TermStat.objects.get(term="路径").df == 1
    assert TermStat.objects.get(term="暴雨").df == 0


# Offers --------------------------------------------------------------------------------------------------------


@pytest.fixture
def guided_offer_setup(db):
    """A public-data product (guided price, cap ¥0.50 per call), its ¥0.40 plan, and a demand it matches."""
    publish(section="L", delivery_mode="api", billing_unit="per_call", cap="0.50")
    operator_org = OrganizationFactory(is_public_data_operator=True)
    actor = member(operator_org)
    guided = public_product(operator_org, actor, listed=True)
    guided_plan = plan(guided, operator_org, actor, price="0.40")
    demand = post_demand(title="企业登记信息核验", description="核验企业登记信息，用于对公开户")
    return guided, guided_plan, operator_org, actor, demand


def test_guided_offer_above_the_cap_is_refused(guided_offer_setup):
    """¥0.60 per call is above the ¥0.50 guided cap: refused on the price field, nothing recorded."""
    guided, guided_plan, org, actor, demand = guided_offer_setup

    with pytest.raises(DomainError) as refused:
        services.offer_make(
            demand=demand,
            org=org,
            actor=actor,
            product=guided,
            plan=guided_plan,
            unit_price="0.60",
            valid_until=timezone.localdate() + timedelta(days=7),
        )

    assert refused.value.field == "unit_price"
    assert "¥0.50" in refused.value.message
    assert not Offer.objects.exists()


def test_guided_offer_at_the_cap_is_quoted_by_pricing(guided_offer_setup):
    """¥0.50 per call for the demand's 10,000 calls: the amount is pricing's quote, naming the guided entry."""
    guided, guided_plan, org, actor, demand = guided_offer_setup

    offer = services.offer_make(
        demand=demand,
        org=org,
        actor=actor,
        product=guided,
        plan=guided_plan,
        unit_price="0.50",
        valid_until=timezone.localdate() + timedelta(days=7),
        message="可提供测试账号",
    )

    assert offer.quantity == 10000 and offer.amount == Decimal("5000.00")
    assert offer.quote["guided_version"] == 1 and offer.quote["regime"] == "guided"
    assert Notification.objects.filter(kind="offer", recipient_organization=demand.buyer).count() == 1


def make_offer(catalog, demand, **kwargs):
    data = {
        "demand": demand,
        "org": catalog.merchant,
        "actor": catalog.merchant_user,
        "product": catalog.anomaly,
        "plan": catalog.anomaly.plans.get(),
        "unit_price": "0.45",
        "valid_until": timezone.localdate() + timedelta(days=7),
    }
    data.update(kwargs)
    return services.offer_make(**data)


def test_buyer_accepts_an_offer_once_and_the_merchant_is_told(catalog):
    demand = post_demand()
    offer = make_offer(catalog, demand)
    actor = demand.buyer.members.first()

    accepted = services.offer_accept(offer=offer, org=demand.buyer, actor=actor)
    again = services.offer_accept(offer=offer, org=demand.buyer, actor=actor)

    assert accepted.status == again.status == Offer.Status.ACCEPTED
    assert accepted.amount == Decimal("4500.00")
    assert AuditEntry.objects.filter(action="matching.offer_accept").count() == 1
    order = Order.objects.get(number=accepted.order_number)
    assert (order.buyer, order.product, order.quantity) == (demand.buyer, offer.product, offer.quantity)
    assert order.amount == Decimal("4500.00")
    assert Order.objects.filter(product=offer.product, buyer=demand.buyer).count() == 1
    assert Notification.objects.filter(dedupe_key=f"offer:{offer.pk}:accepted").count() == 1


def test_only_the_buyer_answers_an_offer(catalog):
    offer = make_offer(catalog, post_demand())

    with pytest.raises(NotAllowed):
        services.offer_accept(offer=offer, org=catalog.merchant, actor=catalog.merchant_user)


def test_an_expired_offer_cannot_be_accepted(catalog):
    demand = post_demand()
    offer = make_offer(catalog, demand)
    Offer.objects.filter(pk=offer.pk).update(valid_until=timezone.localdate() - timedelta(days=1))

    with pytest.raises(InvalidTransition):
        services.offer_accept(offer=offer, org=demand.buyer, actor=demand.buyer.members.first())


def test_declined_offer_cannot_be_accepted_and_withdrawn_offer_frees_the_product(catalog):
    demand = post_demand()
    actor = demand.buyer.members.first()
    first = make_offer(catalog, demand)
    with pytest.raises(DomainError):
        make_offer(catalog, demand)  # one pending offer per product and demand

    services.offer_withdraw(offer=first, org=catalog.merchant, actor=catalog.merchant_user)
    second = make_offer(catalog, demand, unit_price="0.42")
    services.offer_decline(offer=second, org=demand.buyer, actor=actor, reason="价格偏高")

    with pytest.raises(InvalidTransition):
        services.offer_accept(offer=second, org=demand.buyer, actor=actor)
    second.refresh_from_db()
    assert second.status == Offer.Status.DECLINED and second.status_reason == "价格偏高"


def test_an_organisation_cannot_answer_its_own_demand(catalog):
    demand = services.demand_create(buyer=catalog.merchant, actor=catalog.merchant_user, data=demand_data())

    with pytest.raises(DomainError):
        make_offer(catalog, demand)


def test_offer_on_a_closed_demand_is_refused(catalog):
    demand = post_demand()
    services.demand_close(demand=demand, org=demand.buyer, actor=demand.buyer.members.first())

    with pytest.raises(InvalidTransition):
        make_offer(catalog, demand)


def test_visible_demands_hide_private_ones_from_strangers(catalog):
    """A private demand is seen by its buyer and by merchants it matched, not by others."""
    demand = post_demand(is_public=False)
    services.demand_match(demand=demand)
    stranger, _user = buyer()

    assert demand in selectors.visible_demands(demand.buyer)
    assert demand in selectors.visible_demands(catalog.merchant)
    assert demand not in selectors.visible_demands(stranger)
    assert demand not in selectors.visible_demands(None)


@pytest.mark.postgres
def test_candidates_come_from_the_product_vectors_kept_on_listing(catalog, django_capture_on_commit_callbacks):
    """On PostgreSQL a new demand's candidates come from the narrow vector table (words + purpose lexemes): a
    product listed later is found through the vector its listing wrote; purposes filter inside the index."""
    from django.db import connection

    from marketplace.matching.models import ProductVector

    services.term_stats_rebuild()
    draft = submitted_product(name="企业招投标中标数据", description="招投标与中标记录，服务供应商风险核查。")
    with django_capture_on_commit_callbacks(execute=True):
        list_now(draft)
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM matching_productvector WHERE product_id = %s", [draft.pk])
        vector = cursor.fetchone()[0]

    found = ranked(post_demand(title="招投标数据", description="需要企业招投标中标记录", scenario=""))
    for_marketing = ranked(post_demand(title="招投标数据", description="需要企业招投标中标记录", purpose="marketing"))

    assert ProductVector.objects.count() == 6
    assert "'purposeriskcontrol'" in vector and "'招投标'" in vector
    assert found[0] == draft
    assert draft not in for_marketing
