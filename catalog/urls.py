"""Pages of the catalog: public, merchant (/my/) and operator console (/console/)."""

from django.urls import path

from .views import console, files, interop_pages, merchant, public

app_name = "catalog"

urlpatterns = [
    # Public pages.
    path("", public.home, name="home"),
    path("catalog/", public.search, name="search"),
    path("catalog/notice/", public.notice_list, name="notice"),
    path("p/<str:code>/", public.product_detail, name="product"),
    path("p/<str:code>/object/", public.objection_create, name="object"),
    # Uploaded files, each checked against who asks (accounts.files).
    path("files/products/<int:pk>/<str:which>/", files.product_file, name="product_file"),
    # Merchant pages.
    path("my/products/", merchant.product_list, name="my_products"),
    path("my/products/new/", merchant.product_create, name="product_create"),
    path("my/products/<int:pk>/", merchant.product_manage, name="product_manage"),
    path("my/products/<int:pk>/edit/", merchant.product_edit, name="product_edit"),
    path("my/products/<int:pk>/submit/", merchant.product_submit, name="product_submit"),
    path("my/products/<int:pk>/listing/", merchant.listing_action, name="listing_action"),
    # Operator console.
    path("console/", console.dashboard, name="console"),
    path("console/reviews/", console.review_queue, name="review_queue"),
    path("console/reviews/<int:pk>/", console.review_detail, name="review_detail"),
    path("console/reviews/<int:pk>/<str:action>/", console.review_action, name="review_action"),
    path("console/products/", console.product_list, name="console_products"),
    path("console/objections/", console.objection_list, name="objections"),
    path("console/objections/<int:pk>/<str:decision>/", console.objection_decide, name="objection_decide"),
    path("console/negative-list/", console.negative_list, name="negative_list"),
]

# Interop pages: certificates, public verification, peer exchanges and mutual recognition (interop-v1).
urlpatterns += [
    path("verify/", interop_pages.verify, name="verify"),
    path("certificates/<str:code>/", interop_pages.certificate_detail, name="certificate"),
    path("certificates/<str:code>/pdf/", interop_pages.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:code>/qr.png", interop_pages.certificate_qr, name="certificate_qr"),
    path("my/recognitions/", interop_pages.recognition_list, name="recognitions"),
    path("console/peers/", interop_pages.peer_list, name="peers"),
    path("console/peers/<int:pk>/", interop_pages.peer_detail, name="peer_detail"),
    path("console/peers/<int:pk>/<str:action>/", interop_pages.peer_action, name="peer_action"),
    path("console/recognitions/", interop_pages.recognition_review, name="recognition_review"),
    path("console/recognitions/<int:pk>/<str:action>/", interop_pages.recognition_decide, name="recognition_decide"),
]
