"""The sign-in pages, under accounts/: Django's own views where they serve as they are,
ours where people without a password yet must get in (programs/views/accounts.py).
Listed here rather than included from django.contrib.auth.urls, so each name has one
view."""

from django.contrib.auth import views as auth_views
from django.urls import path

from programs.views import accounts
from programs.views.login import login

urlpatterns = [
    # The work-email label and the single sign-on button (programs/views/login.py).
    path("login/", login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password_reset/", accounts.password_reset, name="password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        accounts.InvitationAccept.as_view(),
        name="invitation_accept",
    ),
]
