"""The process-wide extension objects, bound to an app in :func:`mpanel.app.create_app`."""

from flask_appbuilder import AppBuilder, Model
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate

# FAB 5 and Flask-SQLAlchemy must share one declarative base, or FAB's tables
# and ours end up in two metadata objects (see ../shared/STACK-TRIAL.md).
db = get_sqla_class()(model_class=Model)
migrate = Migrate()
appbuilder = AppBuilder(update_perms=False)
