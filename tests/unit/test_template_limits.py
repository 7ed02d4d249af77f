"""Tenant templates render within cost limits: source size, output size, time and the
size one operation may build; each limit is a TemplateError, never a hang or a MemoryError."""

import time

import pytest

from mpanel.core import mail
from mpanel.core.mail import TemplateLimitError


@pytest.mark.parametrize("source", [
    "x" * (mail.MAX_SOURCE_CHARS + 1),  # a 10 MB text would be refused the same way
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",  # 10^10 silent steps
    "{% for i in range(90000) %}{{ 'y' * 1000 }}{% endfor %}",  # 90 MB of output
    "{{ 'x' * 1000000000 }}",
    "{{ 'x' | center(1000000000) }}",
    "{{ 'x'.ljust(1000000000) }}",
    "{{ 9 ** 999999 }}",
])
def test_costly_templates_stop_with_a_template_error(source):
    started = time.monotonic()
    with pytest.raises(TemplateLimitError):
        mail.render(source, {}, html=False)
    assert time.monotonic() - started < mail.MAX_RENDER_SECONDS + 2


def test_ordinary_templates_render_unchanged():
    text = mail.render("{% for n in items %}{{ n }}-{% endfor %}{{ name | upper }} {{ 'ab' * 3 }} {{ 2 ** 10 }}",
                       {"items": range(3), "name": "acme"}, html=False)
    assert text == "0-1-2-ACME ababab 1024"
    assert mail.render("<b>{{ v }}</b>", {"v": "<i>"}) == "<b>&lt;i&gt;</b>"
