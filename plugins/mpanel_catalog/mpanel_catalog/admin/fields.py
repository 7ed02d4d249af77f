"""Form fields FAB does not generate by itself."""

import json

from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from wtforms import TextAreaField

from mpanel_catalog.i18n import gettext as _


class JSONObjectField(TextAreaField):
    """A JSON object edited as text (FAB would store the text itself)."""

    widget = BS3TextAreaFieldWidget()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return json.dumps(self.data or {}, indent=2, sort_keys=True)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = json.loads(valuelist[0].strip() or "{}")
        except ValueError:
            self.data = None
            raise ValueError(_("is not valid JSON")) from None
        if not isinstance(self.data, dict):
            raise ValueError(_("must be a JSON object"))
