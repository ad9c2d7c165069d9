"""The expert practitioner pathway portal."""
from __future__ import annotations

from flask import Flask

from portal.config import Config, config_from_env, instance_path


def create_app(config: Config | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages and CLI."""
    config = config or config_from_env()
    app = Flask(__name__, instance_path=str(instance_path()), template_folder=None)
    app.config.from_object(config)

    from portal import cli, errors, formatting, frontend, logging_setup, navigation, security, urls
    from portal.db import db
    from portal.extensions import csrf, limiter, login_manager

    logging_setup.init_app(app)
    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    frontend.init_app(app)
    security.init_app(app)
    navigation.init_app(app)
    formatting.init_app(app)
    urls.init_app(app)
    errors.init_app(app)

    import portal.auth.views
    import portal.main.views
    import portal.users.views  # noqa: F401  (the views register their routes on the blueprints)
    from portal.auth import bp as auth_bp
    from portal.main import bp as main_bp
    from portal.users import bp as users_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(users_bp)

    cli.init_app(app)
    return app
