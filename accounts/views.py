"""Pages: sign-up and sign-in, the dashboard, organisations, and the operators' verification console."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import services
from .exceptions import DomainError
from .files import private_file
from .forms import DecisionForm, MemberAddForm, OrganizationForm, SignupForm, add_domain_error
from .middleware import CurrentOrganizationMiddleware
from .models import Membership, Organization
from .selectors import is_member, is_owner, organizations_of
from .signin import SigninForm

operator_required = permission_required("accounts.operate_exchange", raise_exception=True)

# Which decisions an operator may take on an organisation in each state, and the service behind each.
DECISIONS_BY_STATUS = {
    Organization.Status.SUBMITTED: ["verify", "reject"],
    Organization.Status.VERIFIED: ["suspend"],
    Organization.Status.SUSPENDED: ["reinstate"],
    Organization.Status.REJECTED: [],
}
DECISION_SERVICES = {
    "verify": services.organization_verify,
    "reinstate": services.organization_verify,
    "reject": services.organization_reject,
    "suspend": services.organization_suspend,
}
DECISION_DONE = {
    "verify": gettext_lazy("“%(name)s” is verified and may trade."),
    "reinstate": gettext_lazy("“%(name)s” is reinstated and may trade again."),
    "reject": gettext_lazy("“%(name)s” was rejected."),
    "suspend": gettext_lazy("“%(name)s” is suspended."),
}


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = SigninForm  # tells a locked-out person when to try again (accounts/signin.py)


def signup(request):
    """Create an account, sign in, and continue on the dashboard."""
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_signup(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Register your organisation to start trading."))
            return redirect("accounts:dashboard")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def dashboard(request):
    """The person's organisations, their verification state, and where to go next."""
    memberships = (
        Membership.objects.filter(user=request.user).select_related("organization").order_by("organization__name")
    )
    current = request.organization
    return render(
        request,
        "accounts/dashboard.html",
        {
            "memberships": memberships,
            "current": current,
            "is_operator": request.user.has_perm("accounts.operate_exchange"),
            "is_price_authority": request.user.has_perm("accounts.set_guided_prices"),
        },
    )


@login_required
def organization_create(request):
    """Register an organisation; the person becomes its owner and acts for it."""
    form = OrganizationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_register(user=request.user, **form.service_kwargs())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            request.session[CurrentOrganizationMiddleware.SESSION_KEY] = org.pk
            messages.success(request, _("Your organisation is registered. An operator will verify it."))
            return redirect("accounts:organization_detail", pk=org.pk)
    return render(request, "accounts/organization_form.html", {"form": form})


def _organization_page(request, org, *, member_form=None, status=200):
    memberships = org.memberships.select_related("user").order_by("role", "user__username")
    owner = is_owner(request.user, org)
    return render(
        request,
        "accounts/organization_detail.html",
        {
            "org": org,
            "memberships": memberships,
            "is_owner": owner,
            "member_form": member_form or (MemberAddForm() if owner else None),
            "can_resubmit": owner and org.can_become(Organization.Status.SUBMITTED),
        },
        status=status,
    )


@login_required
def organization_detail(request, pk):
    """An organisation's page, for its members only; its owner resubmits it here after a rejection."""
    org = get_object_or_404(organizations_of(request.user), pk=pk)
    if request.method == "POST":
        if request.POST.get("action") != "resubmit":
            raise Http404
        try:
            services.organization_resubmit(org=org, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Submitted again for verification."))
        return redirect("accounts:organization_detail", pk=org.pk)
    return _organization_page(request, org)


@login_required
@require_POST
def organization_switch(request, pk):
    """Act for another of the person's organisations from now on."""
    org = get_object_or_404(organizations_of(request.user), pk=pk)
    request.session[CurrentOrganizationMiddleware.SESSION_KEY] = org.pk
    messages.success(request, _("You now act for “%(name)s”.") % {"name": org.name})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("accounts:dashboard")
    return redirect(target)


@login_required
@require_POST
def member_add(request, pk):
    """The owner adds a person to the organisation by user name."""
    org = get_object_or_404(organizations_of(request.user), pk=pk)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            services.membership_add(
                org=org, actor=request.user, user=form.cleaned_data["user"], role=form.cleaned_data["role"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(user)s is now a member.") % {"user": form.cleaned_data["user"]})
            return redirect("accounts:organization_detail", pk=org.pk)
    return _organization_page(request, org, member_form=form, status=400)


# What validate_business_licence lets through, checked by content: safe to show in the browser.
LICENCE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


@login_required
def organization_licence(request, pk):
    """The business licence file, for the organisation's members and the exchange's operators."""
    org = get_object_or_404(Organization, pk=pk)
    if not (request.user.has_perm("accounts.operate_exchange") or is_member(request.user, org)):
        raise Http404
    return private_file(org.business_licence, inline_types=LICENCE_TYPES)


STATUS_FILTERS = Organization.Status.choices


def _queue_page(request, *, failed: DecisionForm | None = None, status=200):
    chosen = request.GET.get("status", Organization.Status.SUBMITTED)
    if failed is not None:
        chosen = failed.organization.status
    organizations = Organization.objects.prefetch_related("memberships__user").order_by("created_at", "pk")
    if chosen != "all":
        if chosen not in Organization.Status.values:
            chosen = Organization.Status.SUBMITTED
        organizations = organizations.filter(status=chosen)
    rows = []
    for org in organizations:
        forms = []
        for action in DECISIONS_BY_STATUS[org.status]:
            if failed is not None and failed.organization.pk == org.pk and failed.action == action:
                forms.append(failed)
            else:
                forms.append(DecisionForm(action=action, organization=org))
        rows.append({"org": org, "forms": forms})
    counts = {value: Organization.objects.filter(status=value).count() for value in Organization.Status.values}
    return render(
        request,
        "accounts/verification_queue.html",
        {
            "rows": rows,
            "chosen": chosen,
            "filters": [(value, label, counts.get(value)) for value, label in STATUS_FILTERS],
            "total": sum(counts.values()),
        },
        status=status,
    )


@login_required
@operator_required
def verification_queue(request):
    """Operators' queue of organisations awaiting verification, with a filter by status."""
    return _queue_page(request)


@login_required
@operator_required
@require_POST
def organization_decide(request, pk, action):
    """An operator verifies, rejects, suspends or reinstates an organisation."""
    if action not in DECISION_SERVICES:
        raise Http404
    org = get_object_or_404(Organization, pk=pk)
    form = DecisionForm(request.POST, action=action, organization=org)
    if form.is_valid():
        try:
            org = DECISION_SERVICES[action](org=org, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            if error.field == "reason":
                add_domain_error(form, error)
            else:
                messages.error(request, error.message)
                return redirect(_queue_url(request))
        else:
            messages.success(request, DECISION_DONE[action] % {"name": org.name})
            return redirect(_queue_url(request))
    return _queue_page(request, failed=form, status=400)


def _queue_url(request) -> str:
    status = request.POST.get("return_status", "")
    url = reverse("accounts:verification_queue")
    if status in Organization.Status.values or status == "all":
        url += f"?status={status}"
    return url


@login_required
def inbox(request):
    """The person's notifications and their organisations', newest first; POST marks them read."""
    from django.core.paginator import Paginator

    from .selectors import notifications_for

    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        messages.success(request, _("Every notification is marked read."))
        return redirect("accounts:inbox")
    notifications = notifications_for(request.user).select_related("recipient_organization")
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/inbox.html",
        {"page": page, "unread": notifications.filter(read_at=None).exists()},
    )
