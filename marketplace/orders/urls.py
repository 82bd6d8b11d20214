"""Order pages, mounted under /orders/."""

from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    # Buyers.
    path("", views.my_orders, name="my_orders"),
    path("checkout/<str:code>/", views.checkout, name="checkout"),
    # Merchants.
    path("sales/", views.sales, name="sales"),
    path("income/", views.income, name="income"),
    # Operators.
    path("console/payments/", views.console_payments, name="console_payments"),
    path("console/payments/<int:pk>/confirm/", views.transfer_confirm, name="transfer_confirm"),
    path("console/payments/<int:pk>/refund/", views.payment_refund, name="payment_refund"),
    # Stripe.
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    # One order.
    path("<str:number>/", views.order_detail, name="detail"),
    path("<str:number>/pay/", views.order_pay, name="pay"),
    path("<str:number>/pay/element/", views.order_pay_page, name="pay_page"),
    path("<str:number>/cancel/", views.order_cancel, name="cancel"),
    path("<str:number>/invoice/", views.invoice, name="invoice"),
    path("<str:number>/approve/", views.order_approve, name="approve"),
    path("<str:number>/refuse/", views.order_refuse, name="refuse"),
    path("<str:number>/refund/", views.order_refund, name="refund"),
]
