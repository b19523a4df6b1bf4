from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("register/", views.register_start, name="register"),
    path("register/<slug:code>/", views.register, name="register_agency"),
    path("register/<slug:code>/done/", views.register_done, name="register_done"),
    path("activate/<str:secret>/", views.activate, name="activate"),
    path("reset/<str:secret>/", views.reset, name="reset"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify_page, name="two_factor_verify"),
    path("two-factor/recovery-codes/", views.two_factor_codes, name="two_factor_codes"),
    path("two-factor/off/", views.two_factor_off, name="two_factor_off"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<id:pk>/<str:decision>/", views.decide, name="decide"),
]
