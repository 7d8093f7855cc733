"""Sign-up, sign-in, sign-out and password reset pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from hub.auth import services
from hub.auth.forms import (
    ApiTokenForm,
    LoginForm,
    ResetPasswordForm,
    ResetRequestForm,
    RevokeTokenForm,
    SignupForm,
)
from hub.core.security import safe_next
from hub.extensions import db, limiter
from hub.mail.services import deliver_pending, queue_email

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _signup_limit() -> str:
    return current_app.config["RATELIMIT_SIGNUP"]


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def signup():
    """Anyone can open an account as a factory member, a seeker or a prospective successor.

    The answer is the same whether or not the address already has an account (the owner is told by email)."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = SignupForm()
    if form.validate_on_submit():
        if form.role.data == "factory" and not (form.organisation.data or "").strip():
            form.organisation.errors.append(_("Please enter your factory's name."))
        else:
            services.register(
                form.email.data, form.password.data, name=form.name.data, role=form.role.data,
                locale=form.locale.data, organisation_name=form.organisation.data,
                seeker_kind=form.seeker_kind.data if form.role.data == "seeker" else None,
            )
            db.session.commit()
            deliver_pending()
            flash(_("Thank you. We have sent an email to %(email)s. Sign in with your email and password to "
                    "continue.", email=services.normalise_email(form.email.data)), "success")
            next_page = url_for("factories.edit_mine") if form.role.data == "factory" else None
            return redirect(url_for("auth.login", next=next_page))
    return render_template("auth/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Sign in with email and password (rate-limited per address)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Wrong email or password."), "danger")
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("Signed in."), "success")
            # Back where the visitor was going; otherwise to the home of their role (hub/home).
            next_page = request.args.get("next")
            return redirect(safe_next(next_page) if next_page else url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (POST with CSRF token, so that a link elsewhere cannot sign people out). Ends every session and
    remember-me cookie of the account, so a copied cookie stops working too."""
    services.sign_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    flash(_("Signed out."), "info")
    return redirect(url_for("core.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_request():
    """Ask for a password reset link by email; the answer never reveals whether the email is registered."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user(form.email.data)
        if user is not None and user.is_active:
            token = services.make_reset_token(user)
            link = url_for("auth.reset_password", token=token, _external=True)
            queue_email(user.email, "password_reset", user.locale, user=user, link=link)
            db.session.commit()
            deliver_pending()
        flash(_("If the address is registered, we have sent a link to reset the password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password from an emailed link (valid for an hour, once)."""
    user = services.user_from_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid or has expired. Please ask for a new one."), "danger")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.change_password(user, form.password.data)
        db.session.commit()
        flash(_("Your password has been changed. Please sign in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """The signed-in user's API tokens: make a named, expiring one (its value shown once), see the others."""
    form = ApiTokenForm()
    new_token = None
    if form.validate_on_submit():
        _token, new_token = services.create_api_token(current_user, name=form.name.data, days=form.days.data)
        db.session.commit()
        form = ApiTokenForm(formdata=None)
    rows = services.list_api_tokens(current_user)
    db.session.commit()  # expired tokens were deleted on the way
    return render_template("auth/tokens.html", form=form, tokens=rows, new_token=new_token,
                           revoke_form=RevokeTokenForm())


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    """Revoke one of the signed-in user's own API tokens (404 for anyone else's)."""
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    if not services.revoke_api_token(current_user, token_id):
        abort(404)
    db.session.commit()
    flash(_("The token has been revoked."), "info")
    return redirect(url_for("auth.tokens"))


from hub.auth import verify_views  # noqa: E402,F401  (email confirmation pages register on bp)
