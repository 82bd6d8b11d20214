"""Operators' governance pages: overview, audit trail, disputes, objection cases, credit and violations."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from catalog.models import Objection, Product
from marketplace.governance.models import Dispute, Statement, Violation
from tests.factories import OrganizationFactory, listed_product, member, operator, submitted_product
from tests.governance.helpers import dispute_on, fulfilled_order, objection_under_notice

pytestmark = pytest.mark.django_db

CONSOLE_PAGES = [
    ("governance:overview", []),
    ("governance:audit", []),
    ("governance:console_disputes", []),
    ("governance:console_credit", []),
]


@pytest.mark.parametrize(("name", "args"), CONSOLE_PAGES)
def test_console_pages_need_an_operator(client, name, args):
    """Anonymous people go to sign in; a merchant gets 403."""
    url = reverse(name, args=args)

    anonymous = client.get(url)
    client.force_login(member(OrganizationFactory()))
    merchant = client.get(url)

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert merchant.status_code == 403


def test_overview_shows_queues_trends_and_peers(client):
    """The overview counts what waits (here a review and an objection) and draws three SVG charts."""
    submitted_product()
    objection_under_notice()
    client.force_login(operator())

    response = client.get(reverse("governance:overview"))

    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="queue-reviews"[^>]*><b>1</b>', body)
    assert re.search(r'id="queue-objections"[^>]*><b>1</b>', body)
    assert body.count("<svg") == 3
    assert "<script" not in body.split("<main", 1)[1].split("</main>", 1)[0]


def test_console_dashboard_links_to_the_overview(client):
    """The console dashboard links the governance overview."""
    client.force_login(operator())

    response = client.get(reverse("catalog:console"))

    assert reverse("governance:overview") in response.content.decode()


def test_audit_list_filters_by_action_and_object(client):
    """Filtering by action prefix and object returns only matching entries, with their request ids."""
    product = submitted_product()
    staff = operator()
    client.force_login(staff)
    client.post(reverse("catalog:review_action", args=[product.pk, "start"]), HTTP_X_REQUEST_ID="req-start-1")

    response = client.get(
        reverse("governance:audit"),
        {"action": "registration.", "object_type": "catalog.product", "object_id": str(product.pk)},
    )

    entries = list(response.context["page"].object_list)
    assert [entry.action for entry in entries] == [
        "registration.start_review",
        "registration.submit",
        "registration.create_draft",
    ]
    assert "req-start-1" in response.content.decode()


def test_audit_list_filters_by_actor_request_and_dates(client):
    """Actor, request id and a date range narrow the trail; a bad date is shown as an error and ignored."""
    product = submitted_product()
    staff = operator()
    client.force_login(staff)
    client.post(reverse("catalog:review_action", args=[product.pk, "start"]), HTTP_X_REQUEST_ID="req-42")
    today = timezone.localdate().isoformat()

    by_actor = client.get(reverse("governance:audit"), {"actor": staff.username})
    by_request = client.get(reverse("governance:audit"), {"request_id": "req-42", "since": today, "until": today})
    bad_date = client.get(reverse("governance:audit"), {"since": "not-a-date"})

    assert [e.action for e in by_actor.context["page"].object_list] == ["registration.start_review"]
    assert [e.action for e in by_request.context["page"].object_list] == ["registration.start_review"]
    assert bad_date.context["form"].errors["since"]
    assert bad_date.context["page"].paginator.count == AuditEntry.objects.count()


def test_audit_list_pages_fifty_entries(client):
    """Entries come 50 a page, newest first."""
    staff = operator()
    for number in range(55):
        from catalog import services

        services.negative_term_add(actor=staff, term=f"词{number}")
    client.force_login(staff)

    first = client.get(reverse("governance:audit"))
    second = client.get(reverse("governance:audit"), {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].object_list[0].seq > second.context["page"].object_list[0].seq
    assert second.context["page"].paginator.count == AuditEntry.objects.count()


def test_audit_entry_shows_its_hash_and_place_in_the_chain(client):
    """One entry's page shows its changes, request id and that its hash matches."""
    submitted_product()
    entry = AuditEntry.objects.filter(action="registration.submit").get()
    client.force_login(operator())

    response = client.get(reverse("governance:audit_entry", args=[entry.seq]))

    body = response.content.decode()
    assert response.context["hash_ok"] is True
    assert entry.hash in body and entry.prev_hash in body


def test_review_page_shows_the_products_audit_history(client):
    """The console's review page includes the registration's own audit history, with request ids."""
    product = submitted_product()
    client.force_login(operator())
    client.post(reverse("catalog:review_action", args=[product.pk, "start"]), HTTP_X_REQUEST_ID="req-review-7")

    response = client.get(reverse("catalog:review_detail", args=[product.pk]))

    history = response.content.decode().split('id="audit-history"', 1)[1]
    assert "registration.start_review" in history and "registration.create_draft" in history
    assert "req-review-7" in history


def test_objection_case_asks_for_a_statement_and_shows_errors_by_the_field(client):
    """An operator asks the holder for a statement; a missing question is shown next to its field."""
    objection, product, holder, *_rest = objection_under_notice()
    client.force_login(operator())
    url = reverse("governance:console_objection_action", args=[objection.pk, "statement"])

    refused = client.post(url, {"party": "holder", "question": "", "due_days": 7})
    asked = client.post(url, {"party": "holder", "question": "请说明数据来源的合法性依据。", "due_days": 7})

    assert refused.status_code == 400
    assert refused.context["forms"]["statement"].errors["question"]
    assert asked.status_code == 302
    assert Statement.objects.get(objection=objection).organization == holder


def test_objection_case_upheld_withdraws_the_registration(client):
    """Upholding from the case page withdraws the registration under notice."""
    objection, product, *_rest = objection_under_notice()
    client.force_login(operator())

    response = client.post(
        reverse("governance:console_objection_action", args=[objection.pk, "uphold"]), {"reason": "来源不合法属实。"}
    )

    product.refresh_from_db()
    objection.refresh_from_db()
    assert response.status_code == 302
    assert (objection.status, product.status) == (Objection.Status.UPHELD, Product.Status.WITHDRAWN)


def test_objection_case_taken_into_investigation_shows_it_to_the_parties(client):
    """The operator starts the investigation; the objector's page shows the objection under investigation."""
    objection, _product, _holder, _holder_user, objector = objection_under_notice()
    client.force_login(operator())

    started = client.post(reverse("governance:console_objection_action", args=[objection.pk, "investigate"]))
    case_page = client.get(reverse("governance:console_objection", args=[objection.pk]))
    client.force_login(objector)
    mine = client.get(reverse("governance:my_objections"))

    assert started.status_code == 302
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.INVESTIGATING
    assert 'id="action-investigate"' not in case_page.content.decode()  # done once
    assert 'id="decision"' in case_page.content.decode()  # still to decide
    assert '<li class="current">Under investigation</li>' in mine.content.decode()


def test_objection_case_decision_needs_a_reason(client):
    """Without a reason the decision is refused and the error shown next to the reason field."""
    objection, *_rest = objection_under_notice()
    client.force_login(operator())

    response = client.post(
        reverse("governance:console_objection_action", args=[objection.pk, "dismiss"]), {"reason": ""}
    )

    assert response.status_code == 400
    assert response.context["forms"]["decision"].errors["reason"]


def test_dispute_console_investigates_and_upholds_with_a_refund(client):
    """The operator takes the dispute into investigation, then upholds it with a refund."""
    trade = fulfilled_order()
    dispute = dispute_on(trade)
    client.force_login(operator())

    client.post(reverse("governance:console_dispute_action", args=[dispute.pk, "investigate"]))
    page = client.get(reverse("governance:console_dispute", args=[dispute.pk]))
    client.post(
        reverse("governance:console_dispute_action", args=[dispute.pk, "uphold"]),
        {"reason": "字段缺失属实。", "refund": "on"},
    )

    dispute.refresh_from_db()
    trade.order.refresh_from_db()
    assert "dispute.investigate" in page.content.decode()
    assert (dispute.status, dispute.refunded, trade.order.status) == (Dispute.Status.UPHELD, True, "refunded")


def test_dispute_list_shows_active_disputes_first(client):
    """The list shows disputes to decide; decided ones under their status."""
    open_one = dispute_on(fulfilled_order())
    client.force_login(operator())

    response = client.get(reverse("governance:console_disputes"))
    upheld = client.get(reverse("governance:console_disputes"), {"status": "upheld"})

    assert list(response.context["page"].object_list) == [open_one]
    assert list(upheld.context["page"].object_list) == []


def test_organization_record_records_and_rescinds_a_violation(client):
    """An operator records a violation on the organisation's credit page, then rescinds it."""
    org = OrganizationFactory()
    client.force_login(operator())
    record = reverse("governance:violation_create", args=[org.pk])

    refused = client.post(record, {"kind": "pricing", "severity": "", "occurred_on": "", "description": "短"})
    recorded = client.post(
        record,
        {
            "kind": "pricing",
            "severity": "serious",
            "occurred_on": timezone.localdate().isoformat(),
            "description": "超出政府指导价上限收费。",
        },
    )
    violation = Violation.objects.get(organization=org)
    page = client.get(reverse("governance:console_organization", args=[org.pk]))
    rescinded = client.post(reverse("governance:violation_rescind", args=[violation.pk]), {"reason": "复核撤销。"})

    assert refused.status_code == 400
    assert set(refused.context["violation_form"].errors) >= {"severity", "occurred_on", "description"}
    assert recorded.status_code == 302
    assert page.context["credit"].score == 65
    assert "violation.record" in page.content.decode()
    assert rescinded.status_code == 302
    violation.refresh_from_db()
    assert not violation.is_in_force


def test_credit_list_shows_why_an_organisation_cannot_trade(client):
    """Organisations below the threshold are listed with the penalties that put them there."""
    from marketplace.governance import services

    org = OrganizationFactory(name="违规数据公司")
    staff = operator()
    services.violation_record(
        organization=org,
        actor=staff,
        kind="personal_information",
        severity="grave",
        description="违规出售个人信息，情节严重。",
        occurred_on=timezone.localdate(),
    )
    client.force_login(staff)

    response = client.get(reverse("governance:console_credit"))

    body = response.content.decode()
    assert "违规数据公司" in body
    assert "-40" in body
    assert response.context["low_credit"][0][1].may_trade is False


def test_credit_list_finds_an_organisation(client):
    """Searching by name finds an organisation with a clean record too."""
    listed_product(OrganizationFactory(name="清白数据公司"))
    client.force_login(operator())

    response = client.get(reverse("governance:console_credit"), {"q": "清白"})

    assert [org.name for org in response.context["found"].object_list] == ["清白数据公司"]


def test_review_page_shows_the_holders_credit(client):
    """Reviewing a registration, the operator sees the holder's credit and reaches its record."""
    product = submitted_product()
    client.force_login(operator())

    response = client.get(reverse("catalog:review_detail", args=[product.pk]))

    body = response.content.decode()
    assert reverse("governance:console_organization", args=[product.holder.pk]) in body
    assert "credit-b" in body
