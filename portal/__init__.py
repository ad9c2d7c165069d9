"""The expert practitioner pathway portal."""
from __future__ import annotations

from flask import Flask

from portal.config import Config, config_from_env, instance_path


def create_app(config: Config | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages and CLI."""
    config = config or config_from_env()
    app = Flask(__name__, instance_path=str(instance_path()), template_folder=None)
    app.config.from_object(config)
    if app.config.get("TEST_CLOCK_FILE"):
        from portal import clock

        clock.follow_shift_file(app.config["TEST_CLOCK_FILE"])

    from portal import cli, errors, formatting, frontend, logging_setup, navigation, security, urls
    from portal.auth import sessions
    from portal.db import db
    from portal.extensions import csrf, limiter, login_manager

    logging_setup.init_app(app)
    db.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    frontend.init_app(app)
    security.init_app(app)
    navigation.init_app(app)
    formatting.init_app(app)
    urls.init_app(app)
    errors.init_app(app)

    import portal.assessments.access  # registers the lock and viewer hooks on casework and CPD
    import portal.assessments.queries  # registers the stage sign-offs as an evidence source
    import portal.assessments.views_appeals
    import portal.assessments.views_assess
    import portal.assessments.views_moderation
    import portal.assessments.views_submit
    import portal.auth.views
    import portal.casework.queries  # registers the casework evidence source for the progress engine
    import portal.casework.views
    import portal.casework.views_feedback
    import portal.casework.views_kinds
    import portal.certificates.admin_views
    import portal.certificates.api
    import portal.certificates.check_views
    import portal.certificates.views
    import portal.cpd.import_views
    import portal.cpd.views
    import portal.enrolments.record_views
    import portal.enrolments.views
    import portal.evidence.services  # registers the storage clean-up on commit and rollback
    import portal.evidence.views
    import portal.framework.views
    import portal.main.views
    import portal.notifications.views
    import portal.oversight.views
    import portal.users.views
    import portal.users.views_teams  # noqa: F401  (the views register their routes on the blueprints)
    from portal.assessments import bp as assessments_bp
    from portal.auth import bp as auth_bp
    from portal.casework import bp as casework_bp
    from portal.casework import feedback_bp as casework_feedback_bp
    from portal.certificates import api_bp
    from portal.certificates import bp as certificates_bp
    from portal.certificates import init_app as init_certificates
    from portal.cpd import bp as cpd_bp
    from portal.enrolments import bp as enrolments_bp
    from portal.evidence import bp as evidence_bp
    from portal.framework import bp as framework_bp
    from portal.main import bp as main_bp
    from portal.notifications import bp as notifications_bp
    from portal.oversight import bp as oversight_bp
    from portal.users import bp as users_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(casework_bp)
    app.register_blueprint(casework_feedback_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(framework_bp)
    app.register_blueprint(enrolments_bp)
    app.register_blueprint(evidence_bp)
    app.register_blueprint(cpd_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(oversight_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # token-authenticated: no cookies, so no CSRF
    init_certificates(app)  # signing keys; the sign-off listeners

    cli.init_app(app)
    return app
