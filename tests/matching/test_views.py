"""The pages: posting a demand, its ranked matches, the merchants' inbox, offers, the product panel, the inbox."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from marketplace.matching import services
from marketplace.matching.models import Demand, Offer
from tests.matching.helpers import buyer, demand_data, post_demand

pytestmark = pytest.mark.django_db
ENGLISH = {"accept-language": "en"}  # the site speaks Simplified Chinese by default


def form_data(**overrides) -> dict:
    data = demand_data(**overrides)
    data["deadline"] = data["deadline"].isoformat()
    return {key: value for key, value in data.items() if value is not None and value is not False}


def test_buyer_posts_a_demand_and_sees_ranked_matches_with_reasons(catalog, client, django_capture_on_commit_callbacks):
    """POST the form: the demand is created, matched on commit, and its page ranks the anomaly check first."""
    org, user = buyer()
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:create"), form_data())

    demand = Demand.objects.get()
    assert response.status_code == 302 and response.url == reverse("matching:detail", args=[demand.pk])
    page = client.get(response.url).content.decode()
    strong = page[page.index('id="strong-matches"') : page.index('id="other-matches"')]
    assert "企业经营异常核验" in strong and "企业用电数据" not in strong
    assert "企业用电数据" in page[page.index('id="other-matches"') :]  # below the threshold, still shown
    assert "¥5,000.00" in strong


def test_demand_form_errors_are_shown_next_to_their_fields(client):
    org, user = buyer()
    client.force_login(user)

    response = client.post(reverse("matching:create"), form_data(budget_min="9000", budget_max="100"), headers=ENGLISH)

    assert response.status_code == 400
    page = response.content.decode()
    field = page[page.index('id="field-budget_max"') :]
    assert "below its lower end" in field[: field.index("</div>")]
    assert not Demand.objects.exists()


def test_someone_without_an_organisation_is_sent_to_register_one(client, django_user_model):
    user = django_user_model.objects.create_user("loner", password="pass-1234-word")
    client.force_login(user)

    response = client.get(reverse("matching:create"))

    assert response.status_code == 403
    assert reverse("accounts:organization_create") in response.content.decode()


def test_another_organisation_cannot_edit_or_close_a_demand(catalog, client):
    demand = post_demand()
    org, user = buyer()
    client.force_login(user)

    assert client.get(reverse("matching:edit", args=[demand.pk])).status_code == 404
    assert client.post(reverse("matching:close", args=[demand.pk])).status_code == 404
    demand.refresh_from_db()
    assert demand.is_open


def test_buyer_closes_its_demand(catalog, client):
    demand = post_demand()
    client.force_login(demand.buyer.members.first())

    response = client.post(reverse("matching:close", args=[demand.pk]), {"reason": "不再需要"}, follow=True)

    demand.refresh_from_db()
    assert demand.status == Demand.Status.CLOSED
    assert 'data-status="closed"' in response.content.decode()


def test_public_list_filters_by_words_and_hides_private_demands(catalog, client):
    post_demand()
    post_demand(title="商圈客流数据", description="门店选址需要商圈客流", purpose="marketing")
    post_demand(title="企业经营异常数据（内部）", is_public=False)

    everything = client.get(reverse("matching:public_list")).content.decode()
    filtered = client.get(reverse("matching:public_list"), {"q": "客流"}).content.decode()

    assert "企业经营异常数据" in everything and "商圈客流数据" in everything and "（内部）" not in everything
    assert "商圈客流数据" in filtered and "企业经营异常数据" not in filtered


def test_hidden_buyer_name_is_withheld_from_others(catalog, client):
    demand = post_demand(hide_buyer=True)

    page = client.get(reverse("matching:detail", args=[demand.pk]), headers=ENGLISH).content.decode()

    assert demand.buyer.name not in page
    assert "name withheld" in page


def test_a_stranger_gets_404_for_a_private_demand(catalog, client):
    demand = post_demand(is_public=False)
    org, user = buyer()
    client.force_login(user)

    assert client.get(reverse("matching:detail", args=[demand.pk])).status_code == 404


def test_merchant_inbox_lists_matching_demands_and_makes_an_offer(catalog, client):
    """The merchant sees the demand its product matches and answers it from the demand page."""
    demand = post_demand()
    services.demand_match(demand=demand)
    client.force_login(catalog.merchant_user)

    inbox = client.get(reverse("matching:inbox")).content.decode()
    response = client.post(
        reverse("matching:offer_create", args=[demand.pk]),
        {
            "product": catalog.anomaly.pk,
            "plan": catalog.anomaly.plans.get().pk,
            "unit_price": "0.45",
            "valid_until": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "message": "可先试用",
        },
    )

    assert f'data-demand="{demand.pk}"' in inbox and "企业经营异常数据" in inbox
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.amount == offer.quantity * offer.unit_price == 4500


def test_offer_errors_are_shown_next_to_their_fields(catalog, client):
    demand = post_demand()
    client.force_login(catalog.merchant_user)

    response = client.post(
        reverse("matching:offer_create", args=[demand.pk]),
        {
            "product": catalog.anomaly.pk,
            "plan": catalog.anomaly.plans.get().pk,
            "unit_price": "0.45",
            "valid_until": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    field = page[page.index('id="field-valid_until"') :]
    assert "errorlist" in field[: field.index("</div>")]


def test_buyer_accepts_an_offer_from_its_demand_page(catalog, client):
    demand = post_demand()
    offer = services.offer_make(
        demand=demand,
        org=catalog.merchant,
        actor=catalog.merchant_user,
        product=catalog.anomaly,
        plan=catalog.anomaly.plans.get(),
        unit_price="0.45",
        valid_until=timezone.localdate() + timedelta(days=7),
    )
    client.force_login(demand.buyer.members.first())

    page = client.post(reverse("matching:offer_accept", args=[offer.pk]), follow=True).content.decode()

    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    assert 'data-status="accepted"' in page and "¥4,500.00" in page


def test_the_merchant_cannot_accept_its_own_offer(catalog, client):
    demand = post_demand()
    offer = services.offer_make(
        demand=demand,
        org=catalog.merchant,
        actor=catalog.merchant_user,
        product=catalog.anomaly,
        plan=catalog.anomaly.plans.get(),
        unit_price="0.45",
        valid_until=timezone.localdate() + timedelta(days=7),
    )
    client.force_login(catalog.merchant_user)

    client.post(reverse("matching:offer_accept", args=[offer.pk]))

    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING


def test_product_page_shows_matching_demands_to_the_holder_only(catalog, client):
    """The holder's members see the open demands their product matches; a buyer does not."""
    demand = post_demand()
    services.demand_match(demand=demand)
    url = reverse("catalog:product", args=[catalog.anomaly.code])

    client.force_login(catalog.merchant_user)
    holder_page = client.get(url).content.decode()
    client.force_login(demand.buyer.members.first())
    buyer_page = client.get(url).content.decode()

    assert 'id="matching-demands"' in holder_page and demand.title in holder_page
    assert 'id="matching-demands"' not in buyer_page


def test_inbox_lists_notifications_counts_unread_and_marks_them_read(catalog, client):
    """The nav shows the unread count; the inbox lists the match notice; "mark all read" clears the count."""
    demand = post_demand()
    services.demand_match(demand=demand)
    client.force_login(demand.buyer.members.first())

    home = client.get(reverse("matching:public_list")).content.decode()
    inbox = client.get(reverse("accounts:inbox")).content.decode()
    client.post(reverse("accounts:inbox"))
    after = client.get(reverse("matching:public_list")).content.decode()

    assert 'id="unread-count"' in home
    assert "企业经营异常核验" in inbox and reverse("matching:detail", args=[demand.pk]) in inbox
    assert 'id="unread-count"' not in after
    assert not Notification.objects.filter(recipient_organization=demand.buyer, read_at=None).exists()


def test_pages_answer_for_my_demands_and_the_public(catalog, client):
    demand = post_demand()
    client.force_login(demand.buyer.members.first())

    assert client.get(reverse("matching:mine")).status_code == 200
    assert client.get(reverse("matching:edit", args=[demand.pk])).status_code == 200
    client.logout()
    assert client.get(reverse("matching:detail", args=[demand.pk])).status_code == 200
    assert client.get(reverse("matching:inbox")).status_code == 302  # sign in first
